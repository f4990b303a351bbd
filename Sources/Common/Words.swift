/// Words and numbers of a text, as ROUGE and the grounding checks see them.
///
/// `tokens` and `stems` tokenize exactly as Google's `rouge-score` package (`rouge_score/tokenize.py`): lowercase,
/// every character outside `[a-z0-9]` is a separator, and with stemming every token longer than three characters
/// goes through NLTK's Porter stemmer (`PorterStemmer`).
public enum Words {
    /// Lowercased runs of `[a-z0-9]`: "The U.S. GDP, 3.5%!" → ["the", "u", "s", "gdp", "3", "5"].
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                current.append(scalar)
            } else if !current.isEmpty {
                tokens.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { tokens.append(String(current)) }
        return tokens
    }

    /// `tokens`, with every token longer than three characters Porter-stemmed (rouge-score's `use_stemmer=True`).
    public static func stems(_ text: String) -> [String] {
        tokens(text).map { $0.utf8.count > 3 ? PorterStemmer.stem($0) : $0 }.filter { !$0.isEmpty }
    }

    /// The numbers written in `text` with digits, in order, normalized so that equal values compare equal as strings:
    /// thousands separators dropped ("1,024" → "1024"), trailing decimal zeros dropped ("3.50" → "3.5", "2.0" → "2"),
    /// a bare leading point completed (".5" → "0.5"); signs, units and "%" are not part of the number ("45%" → "45",
    /// "135M" → "135"). Digits glued to a preceding letter belong to a name, not a number ("H2O", "x86", "GPT4"
    /// give nothing). A comma is a thousands separator only before exactly three digits ("1,2,3" → "1", "2", "3");
    /// dotted versions stay whole ("1.2.3").
    public static func numbers(in text: String) -> [String] {
        let s = Array(text.unicodeScalars)
        var numbers: [String] = []
        var i = 0
        func isDigit(_ k: Int) -> Bool { k >= 0 && k < s.count && ("0"..."9").contains(s[k]) }
        func isLetter(_ k: Int) -> Bool { k >= 0 && k < s.count && s[k].properties.isAlphabetic }
        while i < s.count {
            let startsWithPoint = s[i] == "." && isDigit(i + 1) && !isDigit(i - 1) && !isLetter(i - 1)
            guard isDigit(i) || startsWithPoint else {
                i += 1
                continue
            }
            if isLetter(i - 1) {
                // Part of a name such as "H2O": skip the whole alphanumeric run.
                while isDigit(i) || isLetter(i) { i += 1 }
                continue
            }
            var integer = ""
            var fraction: [String] = []
            if startsWithPoint {
                integer = "0"
            } else {
                while isDigit(i) {
                    integer.unicodeScalars.append(s[i])
                    i += 1
                }
                // Thousands groups: ",ddd" not followed by another digit.
                while i < s.count, s[i] == ",", isDigit(i + 1), isDigit(i + 2), isDigit(i + 3), !isDigit(i + 4) {
                    for k in (i + 1)...(i + 3) { integer.unicodeScalars.append(s[k]) }
                    i += 4
                }
            }
            while i < s.count, s[i] == ".", isDigit(i + 1) {
                var part = ""
                i += 1
                while isDigit(i) {
                    part.unicodeScalars.append(s[i])
                    i += 1
                }
                fraction.append(part)
            }
            if fraction.count == 1 {
                var part = fraction[0]
                while part.hasSuffix("0") { part.removeLast() }
                numbers.append(part.isEmpty ? integer : integer + "." + part)
            } else {
                numbers.append(([integer] + fraction).joined(separator: "."))
            }
        }
        return numbers
    }
}
