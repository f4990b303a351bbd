/// Splits text into sentences and words at positions a reader would accept.
///
/// A sentence ends at `.`, `!`, `?` or `…` (with closing quotes or brackets) followed by white space and then a
/// capital letter, digit, opening quote or bracket, or the end of the text. Abbreviations (`Dr.`, `e.g.`,
/// `et al.`, `Fig.`), initials (`J. Smith`) and decimals (`3.14`) do not end a sentence.
public enum SentenceSplitter {
    private static let abbreviations: Set<String> = [
        "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "cf", "al", "fig", "figs",
        "eq", "eqs", "no", "nos", "vol", "vols", "pp", "p", "ch", "sec", "ref", "refs", "approx", "inc", "ltd",
        "co", "corp", "dept", "est", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
        "nov", "dec", "u.s", "u.k", "ph.d", "a.m", "p.m", "tab", "art", "para", "viz", "resp", "ed", "eds",
    ]

    /// The sentences of `text`, trimmed, in order; joining them with single spaces restores the words.
    public static func sentences(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var sentences: [String] = []
        var start = 0
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "." || c == "!" || c == "?" || c == "…" {
                var end = i + 1
                while end < scalars.count, scalars[end] == "." || scalars[end] == "!" || scalars[end] == "?" { end += 1 }
                while end < scalars.count, isCloser(scalars[end]) { end += 1 }
                if end >= scalars.count || isSpace(scalars[end]) {
                    var next = end
                    while next < scalars.count, isSpace(scalars[next]) { next += 1 }
                    if next >= scalars.count || (startsSentence(scalars[next]) && !isAbbreviation(scalars, period: i, terminator: c)) {
                        append(scalars[start..<end], to: &sentences)
                        start = next
                        i = next
                        continue
                    }
                }
                i = end
                continue
            }
            i += 1
        }
        if start < scalars.count { append(scalars[start...], to: &sentences) }
        return sentences
    }

    /// Words separated by white space (the last resort for a sentence longer than a chunk).
    public static func words(_ text: String) -> [Substring] {
        text.split(whereSeparator: { $0.isWhitespace })
    }

    private static func append(_ slice: ArraySlice<Unicode.Scalar>, to out: inout [String]) {
        var s = String(String.UnicodeScalarView(slice))
        while let last = s.unicodeScalars.last, isSpace(last) { s.unicodeScalars.removeLast() }
        while let first = s.unicodeScalars.first, isSpace(first) { s.unicodeScalars.removeFirst() }
        if !s.isEmpty { out.append(s) }
    }

    private static func isSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }
    private static func isCloser(_ c: Unicode.Scalar) -> Bool { "\"'”’)]»".unicodeScalars.contains(c) }
    private static func startsSentence(_ c: Unicode.Scalar) -> Bool {
        c.properties.isUppercase || c.properties.numericType != nil || "\"'“‘([«".unicodeScalars.contains(c)
            || (c.properties.isAlphabetic && !c.properties.isLowercase)  // scripts without case (CJK, …)
    }

    /// Whether the period at `period` closes an abbreviation or an initial rather than a sentence.
    private static func isAbbreviation(_ s: [Unicode.Scalar], period: Int, terminator: Unicode.Scalar) -> Bool {
        guard terminator == "." else { return false }
        var j = period
        while j > 0, !isSpace(s[j - 1]), !"([\"'“‘".unicodeScalars.contains(s[j - 1]) { j -= 1 }
        let word = String(String.UnicodeScalarView(s[j..<period])).lowercased()
        if word.isEmpty { return false }
        if abbreviations.contains(word) { return true }
        // A single capital letter is an initial ("J. Smith"); a single digit list marker ("1.") is not a sentence.
        if word.unicodeScalars.count == 1, let only = word.unicodeScalars.first {
            return s[j].properties.isUppercase || only.properties.numericType != nil
        }
        return false
    }
}
