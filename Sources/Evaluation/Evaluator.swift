import Common
import Execution
import Foundation
import Ingest
import Planning

/// One document's outcome: its summary and metrics, or why it has none.
public struct EvalResult: Sendable, Codable {
    public var path: String
    public var title: String
    public var referenceSource: EvalCase.ReferenceSource
    public var referenceWords: Int
    public var sourceWords: Int
    public var withheldParagraphs: Int
    public var summary: String
    /// Always measured: when the method failed on the document the summary is empty (ROUGE 0) and `error` says why.
    public var metrics: SummaryMetrics
    public var error: String?
}

/// Summarizes each case on its own (one plan per document, so each has its own wall time) with one method and
/// measures the result.
public final class Evaluator: Sendable {
    public let session: SummarySession

    public init(session: SummarySession) {
        self.session = session
    }

    public var method: SummaryMethod { session.options.method }

    /// Summarizes and measures `evalCase`; `cache` as for `summarize` (a rerun computes nothing twice).
    public func evaluate(_ evalCase: EvalCase, cache: ResultCache? = nil) -> EvalResult {
        let document = evalCase.document
        let start = Date()
        var summary = ""
        var error: String?
        var title = PlannerInput(document).title
        do {
            let prepared = try session.prepare([document])
            let run = session.run(prepared, cache: cache)
            if let plan = prepared.plan, let planned = plan.documents.first {
                title = planned.title
                summary = run.report?.text(of: planned.root) ?? ""
            }
            if summary.isEmpty {
                error = run.failures.first?.reason ?? "no summary"
            }
        } catch let sessionError {
            error = sessionError.description
        }
        let seconds = Date().timeIntervalSince(start)
        let tokens = summary.isEmpty ? 0 : session.summarizer.model.tokenizer.count(summary)
        let source = evalCase.sourceText
        let metrics = SummaryMetrics(summary: summary, reference: evalCase.reference, source: source, tokens: tokens,
                                     targetTokens: session.options.summaryTokens, seconds: seconds)
        return EvalResult(path: document.path, title: title, referenceSource: evalCase.referenceSource,
                          referenceWords: Words.tokens(evalCase.reference).count, sourceWords: Words.tokens(source).count,
                          withheldParagraphs: evalCase.withheldParagraphs, summary: summary, metrics: metrics,
                          error: error)
    }
}
