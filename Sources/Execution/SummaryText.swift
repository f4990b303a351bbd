import Foundation

/// Cleans model output into a summary: trimmed, ending on a sentence boundary, without verbatim repeats.
public enum SummaryText {
    /// Bumped with any change to `clean`: stored results carry the version they were cleaned with (`NodeKey`).
    public static let version = 1

    /// `text` trimmed; when it ends mid-sentence, cut back to the last sentence end (or, with none, closed with a
    /// period); sentences that repeat an earlier one word for word are dropped.
    public static func clean(_ text: String) -> String {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // Models sometimes open with a stock phrase; keep the content.
        for lead in ["Here is a summary:", "Here is the summary:", "Summary:", "**Summary:**", "**Summary**"] where s.hasPrefix(lead) {
            s = String(s.dropFirst(lead.count)).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        s = dropRepeatedSentences(s)
        if let end = lastSentenceEnd(in: s), end < s.endIndex {
            s = String(s[..<end])
        }
        s = dropTrailingListMarkers(s).trimmingCharacters(in: .whitespacesAndNewlines)
        // No sentence end anywhere (the model stopped, or was stopped, inside its first sentence): close it, so
        // every summary ends on a sentence boundary.
        if !s.isEmpty, !endsSentence(s) {
            while let last = s.last, ",;:-–—".contains(last) { s.removeLast() }
            s += "."
        }
        return s
    }

    /// Removes final lines that hold only a list marker ("2.", "-", "•"): what is left when a list was cut.
    static func dropTrailingListMarkers(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = lines.last {
            let t = last.trimmingCharacters(in: .whitespaces)
            let marker = t.isEmpty || ["-", "*", "•"].contains(t)
                || (t.count <= 4 && t.dropLast().allSatisfy(\.isNumber) && [".", ")"].contains(t.last!))
            guard marker else { break }
            lines.removeLast()
        }
        return lines.joined(separator: "\n")
    }

    /// Whether `text` ends a sentence.
    public static func endsSentence(_ text: String) -> Bool {
        guard let last = text.trimmingCharacters(in: .whitespacesAndNewlines).last else { return false }
        return ".!?…\"”')]".contains(last)
    }

    /// The index just past the last sentence terminator (with closing quotes), if any.
    static func lastSentenceEnd(in s: String) -> String.Index? {
        var index = s.endIndex
        while index > s.startIndex {
            let before = s.index(before: index)
            let c = s[before]
            if ".!?…".contains(c) {
                // Not a decimal point or an abbreviation-like "e.g" inside a word.
                if c == ".", index < s.endIndex, s[index].isLetter || s[index].isNumber { index = before; continue }
                var end = index
                while end < s.endIndex, "\"”')]".contains(s[end]) { end = s.index(after: end) }
                return end
            }
            index = before
        }
        return nil
    }

    static func dropRepeatedSentences(_ s: String) -> String {
        var seen = Set<String>()
        var kept: [String] = []
        var lines: [String] = []
        for line in s.split(separator: "\n", omittingEmptySubsequences: false) {
            kept = []
            for sentence in splitKeepingText(String(line)) {
                let key = sentence.lowercased().filter { $0.isLetter || $0.isNumber }
                if key.count >= 12, !seen.insert(key).inserted { continue }
                kept.append(sentence)
            }
            lines.append(kept.joined(separator: " "))
        }
        var out = lines.joined(separator: "\n")
        while out.contains("\n\n\n") { out = out.replacingOccurrences(of: "\n\n\n", with: "\n\n") }
        return out
    }

    /// Sentences of one line, by terminator followed by a space.
    private static func splitKeepingText(_ line: String) -> [String] {
        var out: [String] = []
        var current = ""
        var previous: Character = " "
        for c in line {
            if c == " ", ".!?".contains(previous) {
                out.append(current)
                current = ""
            } else {
                current.append(c)
            }
            previous = c
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
