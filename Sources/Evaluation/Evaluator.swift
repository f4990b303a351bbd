import Common
import Execution
import Foundation
import Ingest

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
    public let summarizer: Summarizer

    public init(summarizer: Summarizer) {
        self.summarizer = summarizer
    }

    public var method: SummaryMethod { summarizer.options.method }

    /// Summarizes and measures `evalCase`; `cache` as for `summarize` (a rerun computes nothing twice).
    public func evaluate(_ evalCase: EvalCase, cache: ResultCache? = nil) -> EvalResult {
        let document = evalCase.document
        let start = Date()
        var summary = ""
        var error: String?
        var title = Pipeline.plannerInput(document).title
        do {
            let (plan, failures) = try summarizer.plan([document])
            if let failure = failures.first {
                error = failure.reason
            } else if let planned = plan.documents.first {
                title = planned.title
                let report = summarizer.execute(plan, cache: cache)
                if let text = report.text(of: planned.root) {
                    summary = text
                } else {
                    error = report.failedDocuments[0] ?? report.records[planned.root]?.error ?? "no summary"
                }
            } else {
                error = "nothing to summarize"
            }
        } catch let planningError {
            error = "\(planningError)"
        }
        let seconds = Date().timeIntervalSince(start)
        let tokens = summary.isEmpty ? 0 : summarizer.model.tokenizer.count(summary)
        let source = evalCase.sourceText
        let metrics = SummaryMetrics(summary: summary, reference: evalCase.reference, source: source, tokens: tokens,
                                     targetTokens: summarizer.options.summaryTokens, seconds: seconds)
        return EvalResult(path: document.path, title: title, referenceSource: evalCase.referenceSource,
                          referenceWords: Words.tokens(evalCase.reference).count, sourceWords: Words.tokens(source).count,
                          withheldParagraphs: evalCase.withheldParagraphs, summary: summary, metrics: metrics,
                          error: error)
    }
}
