import Execution
import Foundation

/// The results of one method on a set of documents, with their totals; Markdown for people, JSON for scripts.
public struct EvalReport: Sendable, Codable {
    public var method: SummaryMethod
    public var options: SummaryOptions
    public var results: [EvalResult]
    public var total: Total

    /// Means over all documents (a failed one counts as an empty summary), shares in percent.
    public struct Total: Sendable, Codable {
        public var documents: Int
        public var failed: Int
        public var empty: Int
        public var rouge1: Double
        public var rouge2: Double
        public var rougeL: Double
        /// Numbers in all summaries, and the share of them that the source never writes (pooled over documents).
        public var numbers: Int
        public var unsupportedNumbersPercent: Double
        public var repeated4GramPercent: Double
        public var endsOnSentencePercent: Double
        public var meanTokens: Double
        /// Mean of tokens / target.
        public var meanLengthRatio: Double
        public var seconds: Double
    }

    public init(method: SummaryMethod, options: SummaryOptions, results: [EvalResult]) {
        self.method = method
        self.options = options
        self.results = results
        let n = Double(max(results.count, 1))
        func mean(_ f: (EvalResult) -> Double) -> Double { results.map(f).reduce(0, +) / n }
        func percent(_ f: (EvalResult) -> Bool) -> Double { 100 * Double(results.filter(f).count) / n }
        let numbers = results.reduce(0) { $0 + $1.metrics.numbers }
        let unsupported = results.reduce(0) { $0 + $1.metrics.unsupportedNumbers.count }
        total = Total(documents: results.count, failed: results.filter { $0.error != nil }.count,
                      empty: results.filter { $0.summary.isEmpty }.count,
                      rouge1: mean(\.metrics.rouge.rouge1), rouge2: mean(\.metrics.rouge.rouge2),
                      rougeL: mean(\.metrics.rouge.rougeL), numbers: numbers,
                      unsupportedNumbersPercent: numbers == 0 ? 0 : 100 * Double(unsupported) / Double(numbers),
                      repeated4GramPercent: percent(\.metrics.repeated4Gram),
                      endsOnSentencePercent: percent(\.metrics.endsOnSentence),
                      meanTokens: mean { Double($0.metrics.tokens) },
                      meanLengthRatio: mean { Double($0.metrics.tokens) / Double(max($0.metrics.targetTokens, 1)) },
                      seconds: results.reduce(0) { $0 + $1.metrics.seconds })
    }

    /// One row per document, then the total: ROUGE F1 in points, numbers as unsupported/all, length as
    /// tokens/target.
    public func markdown() -> String {
        var out = "Method `\(method.rawValue)`: chunk \(options.chunkTokens) tokens, summary \(options.summaryTokens) tokens, fan-in \(options.fanIn).\n\n"
        out += "| document | ref | R-1 | R-2 | R-L | unsupported numbers | 4-gram repeat | tokens/target | ends on sentence | seconds |\n"
        out += "|---|---|---:|---:|---:|---:|:-:|---:|:-:|---:|\n"
        for r in results {
            let m = r.metrics
            let name = ((r.path as NSString).lastPathComponent) + (r.error.map { " (failed: \(Self.cell($0)))" } ?? "")
            out += "| \(Self.cell(name)) | \(r.referenceSource.rawValue) | \(Self.f1(m.rouge.rouge1)) | \(Self.f1(m.rouge.rouge2)) | \(Self.f1(m.rouge.rougeL)) | \(m.unsupportedNumbers.count)/\(m.numbers) | \(m.repeated4Gram ? "yes" : "no") | \(m.tokens)/\(m.targetTokens) | \(m.endsOnSentence ? "yes" : "no") | \(String(format: "%.1f", m.seconds)) |\n"
        }
        let t = total
        out += "| **mean of \(t.documents)**\(t.failed > 0 ? " (\(t.failed) failed)" : "")\(t.empty > 0 ? " (\(t.empty) empty)" : "") | | **\(Self.f1(t.rouge1))** | **\(Self.f1(t.rouge2))** | **\(Self.f1(t.rougeL))** | \(String(format: "%.1f%%", t.unsupportedNumbersPercent)) of \(t.numbers) | \(String(format: "%.0f%%", t.repeated4GramPercent)) | \(String(format: "%.0f (%.2f)", t.meanTokens, t.meanLengthRatio)) | \(String(format: "%.0f%%", t.endsOnSentencePercent)) | \(String(format: "%.0f", t.seconds)) |\n"
        return out
    }

    /// `{"method", "options", "results": [{"path", "title", "reference_source", ..., "metrics": {...}}], "total"}`.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func f1(_ x: Double) -> String { String(format: "%.1f", x) }

    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
