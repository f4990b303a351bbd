import Chunking

/// Extractive summaries: the most central source sentences of a span, verbatim, in source order, within a
/// token budget, none repeating another. A span with no prose sentence (formulas, code, a reference list) gives
/// an empty summary, unless `fallback` (a document's or a corpus's root: something must be said) takes its first
/// sentences.
public enum Extractor {
    public static func summary(of index: SourceIndex, parts: ClosedRange<Int>?, budget: Int,
                               counter: any TokenCounting, fallback: Bool = false) -> String {
        var builder = SummaryBuilder(index: index, budget: budget, counter: counter)
        builder.fill(from: index.sentenceRange(parts: parts), fallback: fallback)
        return builder.text
    }
}
