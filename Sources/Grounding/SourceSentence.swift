import Chunking
import Common

/// One sentence of a source text, with what the ranking and the support checks need.
public struct SourceSentence: Sendable, Equatable {
    /// The sentence as written (verbatim from the source).
    public var text: String
    /// The part of the source it comes from (a chunk's index, or a child summary's).
    public var part: Int
    /// Position in the source, from 0.
    public var position: Int
    /// Content-word stems (`ContentWords.stems`).
    public var stems: [String]
    /// Numbers written in it (`Words.numbers`).
    public var numbers: [String]
    /// Whether it may appear in a summary: a whole prose sentence, not a caption, a reference entry, a formula or
    /// a fragment. Every sentence, candidate or not, counts as support.
    public var isCandidate: Bool

    /// The sentences of `parts` (paragraphs separated by blank lines), in order; parts listed in `excluded` give
    /// support but no candidates.
    public static func split(_ parts: [String], excluded: Set<Int> = []) -> [SourceSentence] {
        var out: [SourceSentence] = []
        for (p, text) in parts.enumerated() {
            for paragraph in text.components(separatedBy: "\n\n") {
                for sentence in SentenceSplitter.sentences(paragraph) {
                    let flat = sentence.split(whereSeparator: \.isNewline).joined(separator: " ")
                    let stems = ContentWords.stems(flat)
                    out.append(SourceSentence(
                        text: flat, part: p, position: out.count, stems: stems, numbers: Words.numbers(in: flat),
                        isCandidate: !excluded.contains(p) && Boilerplate.isProse(flat, contentWords: stems.count)))
                }
            }
        }
        return out
    }
}

/// What a summary should never quote: captions, reference entries, formulas, tables, fragments.
public enum Boilerplate {
    /// Headings of back matter whose sentences are never summary material.
    public static func isBackMatter(_ headingPath: [String]) -> Bool {
        headingPath.contains { heading in
            let h = heading.lowercased()
            return ["references", "bibliography", "acknowledgment", "acknowledgement", "works cited",
                    "literature cited", "conflict of interest", "competing interest", "funding", "author contributions"]
                .contains { h.contains($0) }
        }
    }

    /// Whether `sentence` reads as a whole sentence of prose.
    public static func isProse(_ sentence: String, contentWords: Int) -> Bool {
        let words = sentence.split(whereSeparator: \.isWhitespace)
        guard words.count >= 6, words.count <= 70, contentWords >= 4 else { return false }
        guard let first = sentence.unicodeScalars.first, !first.properties.isLowercase else { return false }
        guard SummaryEnd.endsSentence(sentence) else { return false }
        var letters = 0
        var visible = 0
        for scalar in sentence.unicodeScalars where !scalar.properties.isWhitespace {
            visible += 1
            if scalar.properties.isAlphabetic { letters += 1 }
        }
        guard visible > 0, Double(letters) / Double(visible) >= 0.75 else { return false }
        let lower = sentence.lowercased()
        if lower.contains("http") || lower.contains("www.") || lower.contains("doi") || lower.contains("@") { return false }
        // Captions: "Figure 3.", "Fig. 2:", "Table 1".
        for prefix in ["figure", "fig.", "table", "tab."] where lower.hasPrefix(prefix) {
            let rest = lower.dropFirst(prefix.count).drop { $0 == " " }
            if let c = rest.first, c.isNumber { return false }
        }
        // Reference entries: several years and many commas, or "In Proceedings".
        let years = Words.numbers(in: sentence).filter { $0.count == 4 && ($0.hasPrefix("19") || $0.hasPrefix("20")) }
        if years.count >= 2 && sentence.filter({ $0 == "," }).count >= 3 { return false }
        if lower.contains("in proceedings") || lower.contains("pp.") || lower.contains("arxiv") { return false }
        return true
    }
}

/// Sentence ends as summaries need them.
public enum SummaryEnd {
    /// Whether `text` ends with a sentence terminator (possibly inside closing quotes or brackets).
    public static func endsSentence(_ text: String) -> Bool {
        var s = Substring(text)
        while let last = s.last, last.isWhitespace || "\"”’')]".contains(last) { s.removeLast() }
        guard let last = s.last else { return false }
        return ".!?…".contains(last)
    }
}
