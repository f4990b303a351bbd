import Chunking
import Common
import Engine
import Execution
import Foundation
import Grounding
import Planning
import Testing
import TestSupport

/// Each summary method end to end on real documents: the extractive method on the 29-page CRC guide PDF, the
/// grounded method with the bundled model on the example job's DocBook article (Python's execution model).
@Suite(.serialized) struct MethodTests {
    static let article = Fixtures.packageRoot.appendingPathComponent("Jobs/example/inputs/execution-model.xml").path

    private func session(_ method: SummaryMethod, summaryTokens: Int) throws -> SummarySession {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        var options = SummaryOptions()
        options.method = method
        options.chunkTokens = 512
        options.summaryTokens = summaryTokens
        options.workers = 1
        options.threads = 2
        return try SummarySession(model: ModelLocator(flag: Fixtures.modelPath), options: options, speedsFile: Fixtures.speedsFile)
    }

    private func crcGuide() throws -> String {
        let gz = "/usr/share/doc/zlib1g-dev/crc-doc.1.0.pdf.gz"
        try #require(FileManager.default.fileExists(atPath: gz), "zlib1g-dev's CRC guide is missing (make test installs it)")
        let pdf = try Fixtures.temporaryDirectory("methods").appendingPathComponent("crc-guide.pdf").path
        let r = try runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -dc '\(gz)' > '\(pdf)'"])
        try #require(r.status == 0)
        return pdf
    }

    private func repeatsFourGram(_ text: String) -> Bool {
        let words = Words.tokens(text)
        guard words.count >= 4 else { return false }
        var seen = Set<String>()
        for k in 0...(words.count - 4) where !seen.insert(words[k..<(k + 4)].joined(separator: " ")).inserted { return true }
        return false
    }

    @Test func extractiveQuotesSourceSentencesInOrderWithinTheBudget() throws {
        let session = try session(.extractive, summaryTokens: 160)
        let prepared = try session.prepare(paths: [try crcGuide()])
        #expect(prepared.failures.isEmpty)
        let plan = try #require(prepared.plan)
        let run = session.run(prepared, cache: nil)
        let report = try #require(run.report)
        #expect(run.result == .complete)
        #expect(report.failedDocuments.isEmpty)
        #expect(report.computed == plan.nodes.count)
        // No model call: every node came from extraction (no prompt token evaluated), and the plan expects no model time.
        for record in report.records {
            #expect(record?.output?.promptTokens == 0 && record?.output?.stopReason == "extractive", "\(String(describing: record))")
        }
        #expect(session.estimate(plan).seconds == 0)
        let sentences = SourceSentence.split(plan.documents[0].chunks.map(\.text))
        for node in plan.nodes {
            // A chunk of formulas or code has no sentence worth quoting; the document's root always does.
            let text = try #require(report.text(of: node.id))
            if node.kind == .document { #expect(!text.isEmpty) }
            if text.isEmpty { continue }
            #expect(session.summarizer.model.counter.count(text) <= node.maxOutputTokens, "node \(node.id)")
            #expect(!repeatsFourGram(text), "node \(node.id)")
            // The text is whole source sentences, verbatim, in source order.
            var rest = Substring(text)
            var quoted = 0
            for sentence in sentences where sentence.isCandidate && rest.hasPrefix(sentence.text) {
                rest = rest.dropFirst(sentence.text.count).drop { $0 == " " }
                quoted += 1
            }
            #expect(rest.isEmpty, "node \(node.id): not a source sentence: \(rest.prefix(80))")
            #expect(quoted >= (node.kind == .document ? 3 : 1), "node \(node.id)")
        }
    }

    @Test func groundedKeepsOnlyWhatTheSourceSupports() throws {
        let session = try session(.grounded, summaryTokens: 96)
        let prepared = try session.prepare(paths: [Self.article])
        #expect(prepared.failures.isEmpty)
        let plan = try #require(prepared.plan)
        #expect(plan.nodes.count >= 3)
        // Map prompts carry their chunk's key points, verbatim sentences of the chunk.
        let doc = plan.documents[0]
        #expect(doc.keyPoints.count == doc.chunks.count)
        for (c, points) in doc.keyPoints.enumerated() {
            #expect(!points.isEmpty && points.count <= 3)
            #expect(points.allSatisfy { doc.chunks[c].text.replacingOccurrences(of: "\n", with: " ").contains($0) })
        }
        let run = session.run(prepared, cache: nil)
        #expect(run.result == .complete)
        let report = try #require(run.report)
        #expect(report.failedDocuments.isEmpty)
        #expect(report.computed == plan.nodes.count)

        let index = SourceIndex(parts: doc.chunks.map(\.text))
        let all = 0..<index.sentences.count
        let sourceNumbers = Set(index.sentences.flatMap(\.numbers))
        var modelSentences = 0
        for node in plan.nodes {
            let output = try #require(report.records[node.id]?.output)
            #expect(output.modelText != nil)
            let text = output.text
            #expect(!text.isEmpty && SummaryText.endsSentence(text), "node \(node.id): \(text)")
            #expect(!repeatsFourGram(text), "node \(node.id): \(text)")
            #expect(session.summarizer.model.counter.count(text) <= node.maxOutputTokens + 8, "node \(node.id)")
            #expect(Words.numbers(in: text).allSatisfy(sourceNumbers.contains), "node \(node.id): \(text)")
            // Whatever is not a verbatim source sentence is the model's, and passes the support check.
            var rest = text
            for sentence in index.sentences where rest.contains(sentence.text) {
                rest = rest.replacingOccurrences(of: sentence.text, with: " ")
            }
            for sentence in Grounder.sentences(of: rest) where sentence.count > 1 {
                // The document's final summary quotes the source: its model sentences gave way to their support.
                #expect(node.id != doc.root, "final summary sentence not from the source: \(sentence)")
                #expect(Grounder().supports(index.support(of: sentence, in: all)), "node \(node.id): \(sentence)")
                modelSentences += 1
            }
        }
        // The model does part of the work: some of its sentences survive the check below the root.
        #expect(modelSentences >= 1)
    }
}
