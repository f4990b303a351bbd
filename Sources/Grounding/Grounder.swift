import Chunking
import Common

/// Checks a model's summary against its source and keeps only what the source supports.
///
/// Each sentence of the model's text is matched with the source sentence that shares the largest share of its
/// content words. It is kept when it has at least `minimumContentWords`, that share reaches `supportThreshold`,
/// the share of its word bigrams found in that sentence reaches `bigramThreshold` (so the same words in another
/// relation do not pass), and every number it writes occurs in the source; otherwise it is replaced by its best-matching candidate source sentence when that one shares at least
/// `replaceThreshold`, and dropped when not. Sentences that repeat one already kept are dropped. Room left in
/// the budget is filled with the source's most central sentences (`fill`), and the result is put in source
/// order: every sentence of a grounded summary is either supported model text or a verbatim source sentence.
public struct Grounder: Sendable {
    public var supportThreshold = 0.6
    public var bigramThreshold = 0.4
    public var minimumContentWords = 4
    public var replaceThreshold = 0.4
    public var fill = true
    /// Weight of the model's text in the fill's ranking (0: plain centrality; see `SourceIndex.ranked(_:towards:weight:)`).
    public var steering = 0.0
    /// Supported model sentences give way to the candidate source sentence that supports them, verbatim.
    public var verbatim = false

    public init() {}

    /// The grounder of a document's final summary, the one the reader gets: the model's summary picks the
    /// content and the source gives the words. Supported model sentences give way to the source sentence that
    /// supports them, and the room left goes to central sentences ranked towards the model's summary. Chosen on
    /// the development set (docs/quality.md): verbatim plus steering 0.5 scored best of the variants tried.
    public static var documentFinal: Grounder {
        var grounder = Grounder()
        grounder.verbatim = true
        grounder.steering = 0.5
        return grounder
    }

    /// What grounding did to one text.
    public struct Outcome: Sendable, Equatable {
        public var text: String
        public var kept = 0
        public var replaced = 0
        public var dropped = 0
        public var filled = 0
    }

    public func ground(_ modelText: String, in index: SourceIndex, parts: ClosedRange<Int>?, budget: Int,
                       counter: any TokenCounting) -> Outcome {
        let range = index.sentenceRange(parts: parts)
        var builder = SummaryBuilder(index: index, budget: budget, counter: counter)
        var outcome = Outcome(text: "")
        for sentence in Self.sentences(of: modelText) {
            let support = index.support(of: sentence, in: range)
            if supports(support), let source = support.source {
                // With `verbatim`, the candidate sentence that supports it speaks instead (when one does).
                let quote = verbatim && support.candidateOverlap >= supportThreshold ? support.candidate : nil
                let added = if let quote {
                    builder.add(index.sentences[quote].text, position: quote, source: quote, fromModel: false)
                } else {
                    builder.add(sentence, position: source, source: nil, fromModel: true)
                }
                if added { outcome.kept += 1 } else { outcome.dropped += 1 }
            } else if support.contentWords >= 3, support.candidateOverlap >= replaceThreshold, let candidate = support.candidate,
                      builder.add(index.sentences[candidate].text, position: candidate, source: candidate, fromModel: false) {
                outcome.replaced += 1
            } else {
                outcome.dropped += 1
            }
        }
        if fill {
            let before = builder.items.count
            let order = steering > 0 ? index.ranked(range, towards: modelText, weight: steering) : nil
            builder.fill(from: range, fallback: builder.items.isEmpty, order: order)
            outcome.filled = builder.items.count - before
        }
        outcome.text = builder.text
        return outcome
    }

    /// Whether a sentence with this support may stay as the model wrote it.
    public func supports(_ support: Support) -> Bool {
        support.contentWords >= minimumContentWords && support.overlap >= supportThreshold
            && support.bigramOverlap >= bigramThreshold && support.missingNumbers.isEmpty
    }

    /// The sentences of a model's text: list markers and Markdown emphasis removed, one sentence per item, each
    /// ending on a terminator.
    public static func sentences(of text: String) -> [String] {
        var out: [String] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = Substring(rawLine.replacingOccurrences(of: "**", with: ""))
            while let c = line.first, c == " " || c == "#" || c == "-" || c == "*" || c == "•" || c == ">" { line.removeFirst() }
            // "1. " or "2) " list numbers.
            if let space = line.firstIndex(of: " "), line[..<space].count <= 4,
               line[..<space].dropLast().allSatisfy(\.isNumber), let last = line[..<space].last, last == "." || last == ")",
               line[..<space].count >= 2 {
                line = line[line.index(after: space)...]
            }
            for sentence in SentenceSplitter.sentences(String(line)) {
                var s = sentence
                if !SummaryEnd.endsSentence(s) {
                    while let last = s.last, ",;:-–— ".contains(last) { s.removeLast() }
                    if s.isEmpty { continue }
                    s += "."
                }
                out.append(s)
            }
        }
        return out
    }
}
