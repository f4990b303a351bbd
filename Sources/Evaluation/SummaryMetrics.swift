import Common
import Foundation

/// What `precis eval` measures of one summary against its reference and its source.
public struct SummaryMetrics: Sendable, Equatable, Codable {
    public var rouge: RougeScores
    /// Numbers written in the summary (`Words.numbers`), and those of them that the source never writes.
    public var numbers: Int
    public var unsupportedNumbers: [String]
    /// Whether some 4-gram of words (`Words.tokens`) occurs twice: the mark of a loop.
    public var repeated4Gram: Bool
    /// Length in model tokens, against the length asked for (`--summary-tokens`).
    public var tokens: Int
    public var targetTokens: Int
    /// Ends with ".", "!" or "?", possibly followed by closing quotes or brackets.
    public var endsOnSentence: Bool
    public var seconds: Double

    public init(summary: String, reference: String, source: String, tokens: Int, targetTokens: Int, seconds: Double) {
        rouge = Rouge.scores(reference: reference, candidate: summary)
        let sourceNumbers = Set(Words.numbers(in: source))
        let summaryNumbers = Words.numbers(in: summary)
        numbers = summaryNumbers.count
        unsupportedNumbers = summaryNumbers.filter { !sourceNumbers.contains($0) }
        repeated4Gram = Self.hasRepeatedNGram(Words.tokens(summary), n: 4)
        self.tokens = tokens
        self.targetTokens = targetTokens
        endsOnSentence = Self.endsOnSentence(summary)
        self.seconds = seconds
    }

    /// Whether some n-gram of `tokens` occurs more than once.
    public static func hasRepeatedNGram(_ tokens: [String], n: Int) -> Bool {
        guard tokens.count >= n else { return false }
        var seen = Set<ArraySlice<String>>()
        for i in 0...(tokens.count - n) where !seen.insert(tokens[i..<(i + n)]).inserted { return true }
        return false
    }

    /// Whether `text` ends on a sentence: a final ".", "!", "?" or "…", after which only closing quotes and
    /// brackets may follow. An empty text does not.
    public static func endsOnSentence(_ text: String) -> Bool {
        var s = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        while let last = s.last, "\"”’')]»*".contains(last) { s.removeLast() }
        guard let last = s.last else { return false }
        return ".!?…".contains(last)
    }
}
