import Engine
import Evaluation
import Execution
import Foundation
import Ingest
import Testing
import TestSupport

/// `Evaluator` on a small real document with the bundled model: each method's summary scored against the
/// article's own abstract, which the summarizer never sees.
@Suite(.serialized) struct EvaluatorTests {
    static func evaluate(_ method: SummaryMethod) throws -> (EvalCase, EvalResult) {
        let dir = try Fixtures.temporaryDirectory("evaluator")
        defer { try? FileManager.default.removeItem(at: dir) }
        let document = try Ingest.read(path: try EvalCaseTests.write(dir, "oak.xml", EvalCaseTests.article))
        let evalCase = try #require(try EvalCase.make(document))
        var options = SummaryOptions()
        options.method = method
        options.chunkTokens = 256
        options.summaryTokens = 64
        options.threads = 2
        let evaluator = Evaluator(session: try SummarySession(model: ModelLocator(flag: Fixtures.modelPath), options: options, speedsFile: Fixtures.speedsFile))
        return (evalCase, evaluator.evaluate(evalCase))
    }

    @Test(arguments: SummaryMethod.allCases)
    func scoresAMethodAgainstTheWithheldAbstract(method: SummaryMethod) throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let (evalCase, result) = try Self.evaluate(method)
        #expect(result.error == nil)
        #expect(!result.summary.isEmpty)
        #expect(result.referenceSource == .abstract)
        #expect(result.withheldParagraphs == 1)
        let m = result.metrics
        // The metrics are those of this summary against this reference and source.
        #expect(m.rouge == Rouge.scores(reference: evalCase.reference, candidate: result.summary))
        #expect(m.rouge.rouge1 > 10, "\(method): \(result.summary)")
        #expect(m.tokens > 0 && m.targetTokens == 64)
        #expect(m.endsOnSentence == SummaryMetrics.endsOnSentence(result.summary))
        #expect(m.seconds > 0)
        let report = EvalReport(method: method, options: SummaryOptions(), results: [result])
        #expect(report.total.rouge1 == m.rouge.rouge1)
        #expect(report.markdown().contains("| oak.xml | abstract |"))
    }
}
