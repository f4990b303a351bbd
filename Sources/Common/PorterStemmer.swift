/// The Porter stemmer exactly as NLTK's `PorterStemmer()` runs it in its default mode (`NLTK_EXTENSIONS`), which is
/// the stemmer Google's `rouge-score` uses. Ported rule by rule from `nltk/stem/porter.py` (nltk 3.10); the
/// irregular-forms table, the `ies`/`ied` four-letter cases, the `alli`/`fulli`/`logi` rules and the two-letter
/// `cvc` case are NLTK's extensions to Porter (1980). Checked word by word against NLTK in `PorterStemmerTests`.
public enum PorterStemmer {
    /// The stem of `word`, lowercased first (as NLTK does); words of two characters or fewer come back lowercased.
    public static func stem(_ word: String) -> String {
        let lower = word.lowercased()
        if let irregular = irregularForms[lower] { return irregular }
        var w = Array(lower.unicodeScalars)
        if word.unicodeScalars.count <= 2 { return lower }
        w = step1a(w)
        w = step1b(w)
        w = step1c(w)
        w = step2(w)
        w = step3(w)
        w = step4(w)
        w = step5a(w)
        w = step5b(w)
        var out = String.UnicodeScalarView()
        out.append(contentsOf: w)
        return String(out)
    }

    private typealias Word = [Unicode.Scalar]

    private static let irregularForms: [String: String] = [
        "sky": "sky", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie", "news": "news",
        "innings": "inning", "inning": "inning", "outings": "outing", "outing": "outing",
        "cannings": "canning", "canning": "canning", "howe": "howe", "proceed": "proceed", "exceed": "exceed",
        "succeed": "succeed",
    ]

    // MARK: Letters and measure

    private static func isVowel(_ c: Unicode.Scalar) -> Bool {
        c == "a" || c == "e" || c == "i" || c == "o" || c == "u"
    }

    /// NLTK's `_is_consonant`: a `y` is a consonant unless it follows a consonant (runs of `y` alternate).
    private static func isConsonant(_ w: Word, _ index: Int) -> Bool {
        var i = index
        if isVowel(w[i]) { return false }
        guard w[i] == "y" else { return true }
        var negate = false
        while i > 0 && w[i] == "y" {
            negate.toggle()
            i -= 1
        }
        return !isVowel(w[i]) != negate
    }

    /// One flag per letter, true for a consonant (NLTK's `_consonant_flags`).
    private static func consonantFlags(_ w: Word) -> [Bool] {
        var flags: [Bool] = []
        flags.reserveCapacity(w.count)
        for (i, c) in w.enumerated() {
            if isVowel(c) {
                flags.append(false)
            } else if c == "y" {
                flags.append(i == 0 ? true : !flags[i - 1])
            } else {
                flags.append(true)
            }
        }
        return flags
    }

    /// m in [C](VC)^m[V]: the number of vowel-consonant transitions.
    private static func measure(_ w: Word) -> Int {
        let flags = consonantFlags(w)
        var m = 0
        var i = 1
        while i < flags.count {
            if !flags[i - 1] && flags[i] { m += 1 }
            i += 1
        }
        return m
    }

    private static func hasPositiveMeasure(_ w: Word) -> Bool { measure(w) > 0 }

    private static func containsVowel(_ w: Word) -> Bool { consonantFlags(w).contains(false) }

    private static func endsDoubleConsonant(_ w: Word) -> Bool {
        w.count >= 2 && w[w.count - 1] == w[w.count - 2] && isConsonant(w, w.count - 1)
    }

    /// Consonant-vowel-consonant at the end, the last not w, x or y; NLTK also accepts a two-letter vowel-consonant.
    private static func endsCVC(_ w: Word) -> Bool {
        let n = w.count
        if n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)
            && w[n - 1] != "w" && w[n - 1] != "x" && w[n - 1] != "y" {
            return true
        }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1)
    }

    // MARK: Rules

    private static func endsWith(_ w: Word, _ suffix: String) -> Bool {
        let s = Array(suffix.unicodeScalars)
        guard w.count >= s.count else { return false }
        return w[(w.count - s.count)...].elementsEqual(s)
    }

    private static func dropping(_ w: Word, _ count: Int) -> Word { Array(w.prefix(w.count - count)) }

    private static func appending(_ w: Word, _ suffix: String) -> Word { w + Array(suffix.unicodeScalars) }

    /// One rule: when the word ends with `suffix`, the stem before it gets `replacement` if `condition` holds.
    private struct Rule {
        let suffix: String
        let replacement: String
        let condition: ((Word) -> Bool)?
        init(_ suffix: String, _ replacement: String, _ condition: ((Word) -> Bool)? = nil) {
            self.suffix = suffix
            self.replacement = replacement
            self.condition = condition
        }
    }

    /// NLTK's `_apply_rule_list`: the first rule whose suffix matches decides, whether its condition holds or not.
    /// The suffix `*d` stands for a double consonant (the replacement is then given in full).
    private static func apply(_ w: Word, _ rules: [Rule]) -> Word {
        for rule in rules {
            if rule.suffix == "*d" && endsDoubleConsonant(w) {
                let stem = dropping(w, 2)
                return rule.condition?(stem) ?? true ? appending(stem, rule.replacement) : w
            }
            if rule.suffix != "*d" && endsWith(w, rule.suffix) {
                let stem = dropping(w, rule.suffix.unicodeScalars.count)
                return rule.condition?(stem) ?? true ? appending(stem, rule.replacement) : w
            }
        }
        return w
    }

    private static func step1a(_ w: Word) -> Word {
        if endsWith(w, "ies") && w.count == 4 { return appending(dropping(w, 3), "ie") }
        return apply(w, [Rule("sses", "ss"), Rule("ies", "i"), Rule("ss", "ss"), Rule("s", "")])
    }

    private static func step1b(_ w: Word) -> Word {
        if endsWith(w, "ied") {
            return appending(dropping(w, 3), w.count == 4 ? "ie" : "i")
        }
        if endsWith(w, "eed") {
            let stem = dropping(w, 3)
            return measure(stem) > 0 ? appending(stem, "ee") : w
        }
        var intermediate: Word?
        for suffix in ["ed", "ing"] where endsWith(w, suffix) {
            let stem = dropping(w, suffix.unicodeScalars.count)
            if containsVowel(stem) {
                intermediate = stem
                break
            }
        }
        guard let stem = intermediate else { return w }
        let last = stem.last.map { String(Character($0)) } ?? ""
        return apply(stem, [
            Rule("at", "ate"),
            Rule("bl", "ble"),
            Rule("iz", "ize"),
            Rule("*d", last, { _ in last != "l" && last != "s" && last != "z" }),
            Rule("", "e", { measure($0) == 1 && endsCVC($0) }),
        ])
    }

    private static func step1c(_ w: Word) -> Word {
        apply(w, [Rule("y", "i", { $0.count > 1 && isConsonant($0, $0.count - 1) })])
    }

    private static func step2(_ w: Word) -> Word {
        if endsWith(w, "alli") && hasPositiveMeasure(dropping(w, 4)) {
            return step2(appending(dropping(w, 4), "al"))
        }
        let positive: (Word) -> Bool = hasPositiveMeasure
        return apply(w, [
            Rule("ational", "ate", positive),
            Rule("tional", "tion", positive),
            Rule("enci", "ence", positive),
            Rule("anci", "ance", positive),
            Rule("izer", "ize", positive),
            Rule("bli", "ble", positive),
            Rule("alli", "al", positive),
            Rule("entli", "ent", positive),
            Rule("eli", "e", positive),
            Rule("ousli", "ous", positive),
            Rule("ization", "ize", positive),
            Rule("ation", "ate", positive),
            Rule("ator", "ate", positive),
            Rule("alism", "al", positive),
            Rule("iveness", "ive", positive),
            Rule("fulness", "ful", positive),
            Rule("ousness", "ous", positive),
            Rule("aliti", "al", positive),
            Rule("iviti", "ive", positive),
            Rule("biliti", "ble", positive),
            Rule("fulli", "ful", positive),
            // NLTK tests the measure of the word minus "ogi" (the stem plus its "l").
            Rule("logi", "log", { _ in hasPositiveMeasure(dropping(w, 3)) }),
        ])
    }

    private static func step3(_ w: Word) -> Word {
        let positive: (Word) -> Bool = hasPositiveMeasure
        return apply(w, [
            Rule("icate", "ic", positive),
            Rule("ative", "", positive),
            Rule("alize", "al", positive),
            Rule("iciti", "ic", positive),
            Rule("ical", "ic", positive),
            Rule("ful", "", positive),
            Rule("ness", "", positive),
        ])
    }

    private static func step4(_ w: Word) -> Word {
        let big: (Word) -> Bool = { measure($0) > 1 }
        return apply(w, [
            Rule("al", "", big), Rule("ance", "", big), Rule("ence", "", big), Rule("er", "", big),
            Rule("ic", "", big), Rule("able", "", big), Rule("ible", "", big), Rule("ant", "", big),
            Rule("ement", "", big), Rule("ment", "", big), Rule("ent", "", big),
            Rule("ion", "", { measure($0) > 1 && ($0.last == "s" || $0.last == "t") }),
            Rule("ou", "", big), Rule("ism", "", big), Rule("ate", "", big), Rule("iti", "", big),
            Rule("ous", "", big), Rule("ive", "", big), Rule("ize", "", big),
        ])
    }

    private static func step5a(_ w: Word) -> Word {
        guard endsWith(w, "e") else { return w }
        let stem = dropping(w, 1)
        let m = measure(stem)
        if m > 1 || (m == 1 && !endsCVC(stem)) { return stem }
        return w
    }

    private static func step5b(_ w: Word) -> Word {
        apply(w, [Rule("ll", "l", { _ in measure(dropping(w, 1)) > 1 })])
    }
}
