/// The pre-tokenizers of byte-level BPE vocabularies: the regular expressions that cut text into words before
/// merging, written out by hand over Unicode scalars and their general categories (no regex engine on the hot path).
///
/// Each follows llama.cpp's hand-written splitters exactly, quirks included, because token ids must match its own:
/// - `gpt2`:   `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// - `llama3`: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
/// - `qwen2`:  as `llama3` with `\p{N}` (one digit per word)
/// - `smollm`: first every `\p{N}` on its own, then `gpt2` inside each part
public enum PreTokenizer: String, Sendable, CaseIterable {
    case gpt2, smollm, llama3, qwen2

    /// The pre-tokenizer for a `tokenizer.ggml.pre` value, as llama.cpp maps the names; nil if not supported.
    public init?(ggmlName: String) {
        switch ggmlName {
        case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
             "mellum", "modern-bert", "mpt", "olmo", "jais", "trillion", "exaone4", "jina-v1-en", "jina-v2-code",
             "roberta-bpe":
            self = .gpt2
        case "smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b", "mellum2":
            self = .smollm
        case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
            self = .llama3
        case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open":
            self = .qwen2
        default:
            return nil
        }
    }

    /// Whether llama.cpp's detokenizer tidies spaces before punctuation for this `tokenizer.ggml.pre` name.
    static func cleansSpaces(ggmlName: String) -> Bool {
        !["smollm", "command-r", "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open", "trillion"]
            .contains(ggmlName)
    }

    /// Whether whole words found in the vocabulary skip the merges (llama.cpp's `ignore_merges`).
    var ignoresMerges: Bool { self == .llama3 }
    /// Whether the vocabulary adds BOS by default when the file does not say.
    var addsBOSByDefault: Bool { self == .llama3 }

    /// Splits `text.scalars[0..<text.count]` into words; appends the end index (in scalars) of each word to `ends`.
    func split(_ text: ScalarText, into ends: inout [Int32]) {
        let n = text.count
        switch self {
        case .gpt2: Self.splitGPT2(text, 0, n, &ends)
        case .llama3: Self.splitLlama3(text, 0, n, groupDigits: true, &ends)
        case .qwen2: Self.splitLlama3(text, 0, n, groupDigits: false, &ends)
        case .smollm:
            var start = 0
            var i = 0
            while i < n {
                if text.flags[i] & CharClass.number != 0 {
                    if start < i { Self.splitGPT2(text, start, i, &ends) }
                    ends.append(Int32(i + 1))
                    start = i + 1
                }
                i += 1
            }
            if start < n { Self.splitGPT2(text, start, n, &ends) }
        }
    }

    // MARK: - The splitters

    private static let apostrophe: UInt32 = 0x27

    /// `'s|'t|'re|'ve|'m|'ll|'d` at `pos`: the end of the match, or nil. `fold` lowercases ASCII first.
    @inline(__always)
    private static func contraction(_ s: UnsafeBufferPointer<UInt32>, _ pos: Int, _ end: Int, fold: Bool) -> Int? {
        guard s[pos] == apostrophe, pos + 1 < end else { return nil }
        func lower(_ c: UInt32) -> UInt32 { fold && c >= 0x41 && c <= 0x5A ? c + 32 : c }
        let c1 = lower(s[pos + 1])
        if c1 == 0x73 || c1 == 0x74 || c1 == 0x6D || c1 == 0x64 { return pos + 2 }  // s t m d
        guard pos + 2 < end else { return nil }
        let c2 = lower(s[pos + 2])
        if (c1 == 0x72 && c2 == 0x65) || (c1 == 0x76 && c2 == 0x65) || (c1 == 0x6C && c2 == 0x6C) { return pos + 3 }  // re ve ll
        return nil
    }

    private static func splitGPT2(_ text: ScalarText, _ start: Int, _ end: Int, _ ends: inout [Int32]) {
        text.scalars.withUnsafeBufferPointer { s in
            text.flags.withUnsafeBufferPointer { fl in
                // Flags of a position, 0 past the end of this part.
                @inline(__always) func f(_ p: Int) -> UInt8 { p < end ? fl[p] : 0 }
                var pos = start
                while pos < end {
                    if let e = contraction(s, pos, end, fold: false) {
                        pos = e; ends.append(Int32(pos)); continue
                    }
                    let c = s[pos]
                    let space = c == 0x20
                    let f2 = space ? f(pos + 1) : fl[pos]
                    if f2 & CharClass.letter != 0 {                       //  ?\p{L}+
                        if space { pos += 1 }
                        while f(pos) & CharClass.letter != 0 { pos += 1 }
                        ends.append(Int32(pos)); continue
                    }
                    if f2 & CharClass.number != 0 {                       //  ?\p{N}+
                        if space { pos += 1 }
                        while f(pos) & CharClass.number != 0 { pos += 1 }
                        ends.append(Int32(pos)); continue
                    }
                    if CharClass.isOther(f2) {                            //  ?[^\s\p{L}\p{N}]+
                        if space { pos += 1 }
                        while CharClass.isOther(f(pos)) { pos += 1 }
                        ends.append(Int32(pos)); continue
                    }
                    var w = 0
                    while f(pos + w) & CharClass.whitespace != 0 { w += 1 }
                    if w > 1 && pos + w < end {                           // \s+(?!\S)
                        pos += w - 1
                    } else if w > 0 {                                     // \s+
                        pos += w
                    } else {
                        pos += 1                                          // no match: one scalar
                    }
                    ends.append(Int32(pos))
                }
            }
        }
    }

    private static func splitLlama3(_ text: ScalarText, _ start: Int, _ end: Int, groupDigits: Bool,
                                    _ ends: inout [Int32]) {
        text.scalars.withUnsafeBufferPointer { s in
            text.flags.withUnsafeBufferPointer { fl in
                @inline(__always) func f(_ p: Int) -> UInt8 { p < end ? fl[p] : 0 }
                @inline(__always) func isCRLF(_ p: Int) -> Bool { p < end && (s[p] == 0x0D || s[p] == 0x0A) }
                var pos = start
                while pos < end {
                    if let e = contraction(s, pos, end, fold: true) {
                        pos = e; ends.append(Int32(pos)); continue
                    }
                    let c = s[pos]
                    let flags = fl[pos]
                    // [^\r\n\p{L}\p{N}]?\p{L}+
                    if !(c == 0x0D || c == 0x0A || flags & CharClass.number != 0),
                       flags & CharClass.letter != 0 || f(pos + 1) & CharClass.letter != 0 {
                        pos += 1
                        while f(pos) & CharClass.letter != 0 { pos += 1 }
                        ends.append(Int32(pos)); continue
                    }
                    // \p{N}{1,3} (llama3) or \p{N} (qwen2)
                    if flags & CharClass.number != 0 {
                        if groupDigits {
                            var run = 0
                            while f(pos) & CharClass.number != 0 {
                                pos += 1; run += 1
                                if run == 3 { ends.append(Int32(pos)); run = 0 }
                            }
                            if run > 0 { ends.append(Int32(pos)) }
                        } else {
                            pos += 1
                            ends.append(Int32(pos))
                        }
                        continue
                    }
                    //  ?[^\s\p{L}\p{N}]+[\r\n]*
                    let space = c == 0x20
                    let f2 = space ? f(pos + 1) : flags
                    if f2 & (CharClass.whitespace | CharClass.letter | CharClass.number) == 0 && flags != 0 {
                        if space { pos += 1 }
                        while CharClass.isOther(f(pos)) { pos += 1 }
                        while isCRLF(pos) { pos += 1 }
                        ends.append(Int32(pos)); continue
                    }
                    var w = 0
                    var lastNewline = 0
                    while f(pos + w) & CharClass.whitespace != 0 {
                        if s[pos + w] == 0x0D || s[pos + w] == 0x0A { lastNewline = pos + w + 1 }
                        w += 1
                    }
                    if lastNewline > 0 {                                  // \s*[\r\n]+
                        pos = lastNewline
                    } else if w > 1 && pos + w < end {                    // \s+(?!\S)
                        pos += w - 1
                    } else if w > 0 {                                     // \s+
                        pos += w
                    } else {
                        pos += 1
                    }
                    ends.append(Int32(pos))
                }
            }
        }
    }
}

/// Character classes for the pre-tokenizers, one byte per scalar.
enum CharClass {
    static let letter: UInt8 = 1       // \p{L}
    static let number: UInt8 = 2       // \p{N}
    static let whitespace: UInt8 = 4   // \s
    static let present: UInt8 = 0x80   // any scalar inside the text (0 means "past the end")

    /// `[^\s\p{L}\p{N}]` for a scalar inside the text.
    @inline(__always)
    static func isOther(_ f: UInt8) -> Bool { f != 0 && f & (letter | number | whitespace) == 0 }

    private static let ascii: [UInt8] = (0..<128).map { c -> UInt8 in
        switch c {
        case 0x09...0x0D, 0x20: present | whitespace
        case 0x30...0x39: present | number
        case 0x41...0x5A, 0x61...0x7A: present | letter
        default: present
        }
    }

    @inline(__always)
    static func of(_ scalar: UInt32) -> UInt8 {
        if scalar < 128 { return ascii[Int(scalar)] }
        return nonASCII(scalar)
    }

    private static func nonASCII(_ value: UInt32) -> UInt8 {
        switch value {
        // White_Space, as llama.cpp lists it.
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return present | whitespace
        default: break
        }
        guard let scalar = Unicode.Scalar(value), !isNewerThanLlamaCpp(value) else { return present }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return present | letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return present | number
        default:
            return present
        }
    }
}

extension CharClass {
    /// Letters and numbers that Swift's Unicode tables know but llama.cpp's (generated from an older Unicode) do not:
    /// llama.cpp sees them as unassigned, so as neither letter nor number, and so must we for the same ids.
    /// Found by comparing every code point's class here with llama.cpp 0.3.36's `unicode-data.cpp`.
    static let newerThanLlamaCpp: [ClosedRange<UInt32>] = [
        0x0088F...0x0088F, 0x00C5C...0x00C5C, 0x00CDC...0x00CDC, 0x01C89...0x01C8A, 0x0A7CB...0x0A7CF, 0x0A7D2...0x0A7D2,
        0x0A7D4...0x0A7D4, 0x0A7DA...0x0A7DC, 0x0A7F1...0x0A7F1, 0x105C0...0x105F3, 0x10940...0x10959, 0x10D40...0x10D49,
        0x10D4A...0x10D65, 0x10D6F...0x10D85, 0x10EC2...0x10EC7, 0x11380...0x11389, 0x1138B...0x1138B, 0x1138E...0x1138E,
        0x11390...0x113B5, 0x113B7...0x113B7, 0x113D1...0x113D1, 0x113D3...0x113D3, 0x116D0...0x116E3, 0x11BC0...0x11BE0,
        0x11BF0...0x11BF9, 0x11DB0...0x11DDB, 0x11DE0...0x11DE9, 0x13460...0x143FA, 0x16100...0x1611D, 0x16130...0x16139,
        0x16D40...0x16D6C, 0x16D70...0x16D79, 0x16EA0...0x16EB8, 0x16EBB...0x16ED3, 0x16FF2...0x16FF3, 0x16FF4...0x16FF6,
        0x187F8...0x187FF, 0x18CFF...0x18CFF, 0x18D09...0x18D1E, 0x18D80...0x18DF2, 0x1CCF0...0x1CCF9, 0x1E5D0...0x1E5ED,
        0x1E5F0...0x1E5F0, 0x1E5F1...0x1E5FA, 0x1E6C0...0x1E6DE, 0x1E6E0...0x1E6E2, 0x1E6E4...0x1E6E5, 0x1E6E7...0x1E6ED,
        0x1E6F0...0x1E6F4, 0x1E6FE...0x1E6FF, 0x2B73A...0x2B73F, 0x2CEA2...0x2CEAD, 0x323B0...0x33479,
    ]

    static func isNewerThanLlamaCpp(_ value: UInt32) -> Bool {
        guard value >= newerThanLlamaCpp[0].lowerBound else { return false }
        var lo = 0, hi = newerThanLlamaCpp.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = newerThanLlamaCpp[mid]
            if value < r.lowerBound { hi = mid - 1 } else if value > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }
}

/// A fragment of text decoded once into scalars, their classes and their UTF-8 offsets; reused across fragments.
struct ScalarText {
    var scalars: [UInt32] = []
    var flags: [UInt8] = []
    /// UTF-8 offset of each scalar, plus one entry for the end.
    var offsets: [Int32] = []
    var count: Int { scalars.count }

    /// Decodes valid UTF-8 `bytes` (a Swift string's storage).
    mutating func load(_ bytes: UnsafeBufferPointer<UInt8>) {
        scalars.removeAll(keepingCapacity: true)
        flags.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = UInt32(bytes[i])
            var value: UInt32
            var length: Int
            if b0 < 0x80 {
                value = b0; length = 1
            } else if b0 < 0xE0 {
                value = b0 & 0x1F; length = 2
            } else if b0 < 0xF0 {
                value = b0 & 0x0F; length = 3
            } else {
                value = b0 & 0x07; length = 4
            }
            if i + length > n { length = n - i }
            var k = 1
            while k < length {
                value = value << 6 | UInt32(bytes[i + k] & 0x3F)
                k += 1
            }
            scalars.append(value)
            flags.append(CharClass.of(value))
            offsets.append(Int32(i))
            i += length
        }
        offsets.append(Int32(n))
    }
}
