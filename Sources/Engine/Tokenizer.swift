import Synchronization

/// The model's own tokenizer, read from the GGUF metadata (`tokenizer.ggml.*`), giving the same ids as llama.cpp.
///
/// Two kinds of vocabulary:
/// - byte-level BPE (`tokenizer.ggml.model = gpt2`): vocabulary and merges in the GPT-2 byte alphabet, words cut by
///   a pre-tokenizer (`tokenizer.ggml.pre`: gpt2, smollm, llama-bpe, qwen2 and their aliases), then merged by rank;
/// - SentencePiece (`llama`): scores, `▁` for spaces, a space put before the text, `<0xXX>` byte fallback.
///
/// Special tokens (control and user-defined, e.g. `<|im_start|>`) are cut out of the text first, longest first.
/// Encoding is safe from any thread: the only shared mutable state is the cache of merged words, in shards behind
/// mutexes, each thread mostly on its own shard (so workers counting tokens at once do not queue on one lock).
public final class Tokenizer: Sendable {
    public enum Kind: String, Sendable { case bpe, sentencePiece }

    /// Token attributes from `tokenizer.ggml.token_type` (llama.cpp's numbering, as bit flags).
    struct Attributes: OptionSet, Sendable {
        let rawValue: UInt8
        static let normal = Attributes(rawValue: 1)
        static let unknown = Attributes(rawValue: 2)
        static let control = Attributes(rawValue: 4)
        static let userDefined = Attributes(rawValue: 8)
        static let unused = Attributes(rawValue: 16)
        static let byte = Attributes(rawValue: 32)
    }

    public let kind: Kind
    /// The pre-tokenizer of a BPE vocabulary (nil for SentencePiece).
    public let preTokenizer: PreTokenizer?
    public let vocabularySize: Int
    public let bos: Int32?
    public let eos: Int32?
    /// End of turn (`<|im_end|>`, `<|eot_id|>`, `<end_of_turn>`, …).
    public let eot: Int32?
    /// Whether `encode(addSpecial: true)` puts BOS first / EOS last, as the file says.
    public let addBOS: Bool
    public let addEOS: Bool
    /// SentencePiece: a space is put before the text (and taken off the first piece when decoding).
    public let addSpacePrefix: Bool
    /// BPE: `decode` takes the space off before `?!.,` and some contractions, as llama.cpp's detokenizer does.
    public let cleansSpaces: Bool
    /// The `tokenizer.chat_template` text, if any.
    public let chatTemplate: String?

    /// Every token's text as stored in the file.
    let texts: [String]
    let attributes: [Attributes]
    let scores: [Float]
    /// Token bytes as decoded text: piece `i` is `pieceBytes[pieceStart[i]..<pieceStart[i+1]]`.
    let pieceBytes: [UInt8]
    let pieceStart: [Int32]
    /// Byte string (BPE: decoded from the byte alphabet; SentencePiece: as stored) to token id.
    let vocab: ByteTable
    /// BPE merge state; nil for SentencePiece.
    let bpe: BPEMerges?
    /// SentencePiece `<0xXX>` tokens by byte (-1 where missing).
    let byteTokens: [Int32]
    let unknown: Int32?
    /// Special tokens in matching order (longest text first).
    let specials: [SpecialToken]
    let specialsByFirstByte: SpecialIndex
    let endOfGeneration: Set<Int32>
    let caches: [WordCacheShard] = (0..<WordCacheShard.count).map { _ in WordCacheShard() }

    /// Reads the tokenizer of a GGUF file.
    public init(gguf: GGUFFile) throws(EngineError) {
        let path = gguf.path
        func fail(_ reason: String) -> EngineError { .invalidTokenizer(path: path, reason: reason) }

        guard let model = gguf["tokenizer.ggml.model"]?.string else {
            throw .missingMetadata(path: path, key: "tokenizer.ggml.model")
        }
        let pre = gguf["tokenizer.ggml.pre"]?.string
        switch model {
        case "gpt2":
            kind = .bpe
            guard let name = pre, let p = PreTokenizer(ggmlName: name) else {
                throw fail("pre-tokenizer '\(pre ?? "(none)")' is not supported (gpt2, smollm, llama-bpe, qwen2 and their aliases are)")
            }
            preTokenizer = p
        case "llama":
            kind = .sentencePiece
            preTokenizer = nil
        default:
            throw fail("tokenizer model '\(model)' is not supported (gpt2 byte-level BPE and llama SentencePiece are)")
        }

        guard let tokenValues = gguf["tokenizer.ggml.tokens"]?.array, !tokenValues.isEmpty else {
            throw .missingMetadata(path: path, key: "tokenizer.ggml.tokens")
        }
        let n = tokenValues.count
        guard n < Int(Int32.max) / 2 else { throw fail("\(n) tokens is too many") }
        var texts: [String] = []
        texts.reserveCapacity(n)
        for (i, value) in tokenValues.enumerated() {
            guard let text = value.string else { throw fail("token \(i) is not a string") }
            texts.append(text.isEmpty ? "[EMPTY_\(i)]" : text)
        }

        var scores = [Float](repeating: 0, count: n)
        if let values = gguf["tokenizer.ggml.scores"]?.array {
            guard values.count >= n else { throw fail("\(values.count) scores for \(n) tokens") }
            for i in 0..<n {
                guard let s = values[i].number else { throw fail("score \(i) is not a number") }
                scores[i] = Float(s)
            }
        }
        var attributes = [Attributes](repeating: .normal, count: n)
        if let values = gguf["tokenizer.ggml.token_type"]?.array {
            guard values.count >= n else { throw fail("\(values.count) token types for \(n) tokens") }
            for i in 0..<n {
                switch values[i].integer {
                case 1: attributes[i] = .normal
                case 2: attributes[i] = .unknown
                case 3: attributes[i] = .control
                case 4: attributes[i] = .userDefined
                case 5: attributes[i] = .unused
                case 6: attributes[i] = .byte
                default: attributes[i] = []
                }
            }
        }

        // Special ids: defaults of the vocabulary kind, then the file's keys (ignored when out of range).
        func id(_ key: String, _ fallback: Int32?) -> Int32? {
            var value = fallback.flatMap { $0 >= 0 && Int($0) < n ? $0 : nil }
            if let v = gguf[key]?.integer, v >= 0, v < n { value = Int32(v) }
            return value
        }
        let spm = kind == .sentencePiece
        bos = id("tokenizer.ggml.bos_token_id", spm ? 1 : 11)
        eos = id("tokenizer.ggml.eos_token_id", spm ? 2 : 11)
        unknown = id("tokenizer.ggml.unknown_token_id", spm ? 0 : nil)
        var eom = id("tokenizer.ggml.eom_token_id", nil)
        var eot = id("tokenizer.ggml.eot_token_id", nil)
        addBOS = gguf["tokenizer.ggml.add_bos_token"]?.bool ?? (spm || preTokenizer?.addsBOSByDefault == true)
        addEOS = gguf["tokenizer.ggml.add_eos_token"]?.bool ?? false
        addSpacePrefix = spm ? (gguf["tokenizer.ggml.add_space_prefix"]?.bool ?? true) : false
        chatTemplate = gguf["tokenizer.chat_template"]?.string
        cleansSpaces = !spm && PreTokenizer.cleansSpaces(ggmlName: pre ?? "")

        // Token ids by exact bytes (the last of equal texts wins, as in llama.cpp). Not a [String: Int32]: Swift
        // strings compare by canonical equivalence, and vocabularies hold "ά" both as U+03AC and as U+1F71.
        var byText: [[UInt8]: Int32] = [:]
        byText.reserveCapacity(n)
        for (i, t) in texts.enumerated() { byText[Array(t.utf8)] = Int32(i) }
        func named(_ name: String) -> Int32? { byText[Array(name.utf8)] }

        // Tokens llama.cpp recognises by name become control tokens (and so special): end of turn, end of message,
        // fill-in-the-middle markers where the file gives no id, and every end-of-generation token.
        var controlByName: [Int32] = []
        if eot == nil, let t = Self.endOfTurnNames.lazy.compactMap(named).first { eot = t; controlByName.append(t) }
        if eom == nil, let t = named("<|eom_id|>") { eom = t; controlByName.append(t) }
        for (key, names) in Self.fillInTheMiddleNames where gguf[key]?.integer == nil {
            if let t = names.lazy.compactMap(named).first { controlByName.append(t) }
        }
        var endOfGeneration = Set<Int32>()
        for name in Self.endOfGenerationNames {
            if let t = named(name) { endOfGeneration.insert(t) }
        }
        controlByName.append(contentsOf: endOfGeneration)
        for t in controlByName { attributes[Int(t)].insert(.control) }
        for key in ["tokenizer.ggml.fim_pad_token_id", "tokenizer.ggml.fim_rep_token_id", "tokenizer.ggml.fim_sep_token_id"] {
            if let v = gguf[key]?.integer, v >= 0, v < n { endOfGeneration.insert(Int32(v)) }
        }
        for t in [eos, eot, eom].compactMap({ $0 }) { endOfGeneration.insert(t) }
        // llama.cpp's fix-ups for gpt-oss (harmony markers are shown) and for files where `</s>` is a normal token.
        for name in ["<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"] {
            if let t = named(name) { attributes[Int(t)] = .userDefined }
        }
        if let s = named("</s>"), endOfGeneration.contains(s),
           endOfGeneration.contains(where: { texts[Int($0)] == "<|tool_response>" || texts[Int($0)] == "<|plamo:eos|>" }) {
            endOfGeneration.remove(s)
            attributes[Int(s)] = .normal
        }
        self.eot = eot
        self.endOfGeneration = endOfGeneration

        // Pieces (the bytes each token stands for) and the lookup table of the encoder.
        var pieceBytes: [UInt8] = []
        var pieceStart: [Int32] = [0]
        pieceStart.reserveCapacity(n + 1)
        var vocab = ByteTable(capacity: n)
        var byteTokens = [Int32](repeating: -1, count: 256)
        for i in 0..<n {
            let text = texts[i]
            let attr = attributes[i]
            if attr.contains(.control) || attr.contains(.unknown) || attr.contains(.userDefined) {
                pieceBytes.append(contentsOf: text.utf8)
            } else if attr.contains(.byte) {
                if let b = Self.byteValue(text) { pieceBytes.append(b) }
            } else if attr.contains(.normal) {
                if spm {
                    pieceBytes.append(contentsOf: Array(text.utf8).replacingSpaceMarks())
                } else if let bytes = ByteLevel.decode(text) {
                    pieceBytes.append(contentsOf: bytes)
                } else {
                    pieceBytes.append(contentsOf: text.utf8)
                }
            }
            pieceStart.append(Int32(pieceBytes.count))
            if spm {
                vocab.set(Array(text.utf8), Int64(i))
            } else if let bytes = ByteLevel.decode(text) {
                vocab.set(bytes, Int64(i))
            }
        }
        // SentencePiece `<0xXX>` ids by text, as llama.cpp looks them up.
        if spm {
            for b in 0..<256 {
                let hex = String(b, radix: 16, uppercase: true)
                byteTokens[b] = named("<0x" + (b < 16 ? "0" : "") + hex + ">") ?? -1
            }
        }

        var bpe: BPEMerges? = nil
        if kind == .bpe {
            guard let merges = gguf["tokenizer.ggml.merges"]?.array else {
                throw .missingMetadata(path: path, key: "tokenizer.ggml.merges")
            }
            bpe = try BPEMerges(merges: merges, vocab: vocab, vocabularySize: n, path: path)
        }

        // Special tokens: control, user-defined and unknown; longest first (ties by id, for a stable order).
        var specials: [SpecialToken] = []
        for i in 0..<n {
            let attr = attributes[i]
            if attr.contains(.control) || attr.contains(.userDefined) || attr.contains(.unknown) {
                specials.append(SpecialToken(id: Int32(i), bytes: Array(texts[i].utf8),
                                             parsedOnlyOnRequest: attr.contains(.control) || attr.contains(.unknown)))
            }
        }
        specials.sort { $0.bytes.count != $1.bytes.count ? $0.bytes.count > $1.bytes.count : $0.id < $1.id }
        Self.applyStripRules(&specials, texts: texts, name: gguf["general.name"]?.string ?? "", pre: pre ?? "",
                             architecture: gguf.architecture ?? "")

        self.vocabularySize = n
        self.texts = texts
        self.attributes = attributes
        self.scores = scores
        self.pieceBytes = pieceBytes
        self.pieceStart = pieceStart
        self.vocab = vocab
        self.bpe = bpe
        self.byteTokens = byteTokens
        self.specials = specials
        self.specialsByFirstByte = SpecialIndex(specials)
    }

    /// Opens a model file and reads its tokenizer.
    public convenience init(path: String) throws(EngineError) {
        try self.init(gguf: GGUFFile(path: path))
    }

    /// llama.cpp's whitespace-stripping special tokens, chosen by model name: every special token of Phi-3 eats the
    /// whitespace after it (but `<unk>`, `<s>`, `<|endoftext|>`); `<mask>` / `[MASK]` eat the whitespace before.
    static func applyStripRules(_ specials: inout [SpecialToken], texts: [String], name: String, pre: String,
                                architecture: String) {
        let name = name.lowercased()
        func text(_ s: SpecialToken) -> String { texts[Int(s.id)] }
        if ["jina-v2-de", "jina-v2-es", "jina-v2-code"].contains(where: pre.contains)
            || ["nomic-bert-moe", "jina-bert-v3"].contains(where: architecture.contains) {
            for i in specials.indices where text(specials[i]) == "<mask>" { specials[i].stripsLeft = true }
        } else if name.contains("phi-3") || name.contains("phi3") {
            for i in specials.indices where !["<unk>", "<s>", "<|endoftext|>"].contains(text(specials[i])) {
                specials[i].stripsRight = true
            }
        } else if name.contains("modern-bert") {
            for i in specials.indices where text(specials[i]) == "[MASK]" { specials[i].stripsLeft = true }
        }
    }

    static let endOfTurnNames = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
                                 "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
                                 "<end_of_utterance>"]
    static let endOfGenerationNames = ["<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>",
                                       "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
                                       "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>",
                                       "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~["]
    static let fillInTheMiddleNames: [(String, [String])] = [
        ("tokenizer.ggml.fim_pre_token_id", ["<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>",
                                             "▁<PRE>", "<|code_prefix|>", "<|prefix|>"]),
        ("tokenizer.ggml.fim_suf_token_id", ["<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>",
                                             "▁<SUF>", "<|code_suffix|>", "<|suffix|>"]),
        ("tokenizer.ggml.fim_mid_token_id", ["<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>",
                                             "▁<MID>", "<|code_middle|>", "<|middle|>"]),
        ("tokenizer.ggml.fim_pad_token_id", ["<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"]),
        ("tokenizer.ggml.fim_rep_token_id", ["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"]),
        ("tokenizer.ggml.fim_sep_token_id", ["<|file_sep|>"]),
    ]

    /// `<0xAB>` → 0xAB.
    static func byteValue(_ text: String) -> UInt8? {
        let u = Array(text.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E else { return nil }
        return UInt8(String(decoding: u[3...4], as: UTF8.self), radix: 16)
    }

    // MARK: - Encoding

    /// Token ids of `text`. `addSpecial` adds BOS/EOS as the file says; `parseSpecial` turns the text of control
    /// tokens (`<|im_start|>` …) into those tokens (user-defined tokens are always recognised, as in llama.cpp).
    public func encode(_ text: String, addSpecial: Bool = true, parseSpecial: Bool = true) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 4)
        encode(text, addSpecial: addSpecial, parseSpecial: parseSpecial, into: &output)
        return output
    }

    /// The number of tokens of `text` as it would sit inside a prompt: no BOS/EOS, special tokens recognised
    /// unless `parseSpecial` is false.
    public func count(_ text: String, parseSpecial: Bool = true) -> Int {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 4)
        encode(text, addSpecial: false, parseSpecial: parseSpecial, into: &output)
        return output.count
    }

    /// Token ids of `text` with control tokens (`<|im_start|>` …) recognised everywhere but in the bytes `plain`:
    /// a chat prompt whose template is special and whose message (a document's text) is only ever text.
    public func encode(_ text: String, addSpecial: Bool, plainText plain: Range<Int>) -> [Int32] {
        var output: [Int32] = []
        output.reserveCapacity(text.utf8.count / 3 + 4)
        encode(text, addSpecial: addSpecial, parseSpecial: true, plainText: plain, into: &output)
        return output
    }

    /// Appends the ids of `text` to `output`; with `plainText`, control tokens are not recognised in those bytes.
    public func encode(_ text: String, addSpecial: Bool, parseSpecial: Bool, plainText plain: Range<Int>? = nil,
                       into output: inout [Int32]) {
        if addSpecial && addBOS, let bos { output.append(bos) }
        var text = text
        text.withUTF8 { bytes in
            let fragments = plain.map { partition(bytes, plain: $0.clamped(to: 0..<bytes.count)) }
                ?? partition(bytes, parseSpecial: parseSpecial)
            switch kind {
            case .bpe:
                var scratch = BPEScratch()
                let cache = WordCacheShard.forCurrentThread(caches)
                for fragment in fragments {
                    switch fragment {
                    case let .token(id): output.append(id)
                    case let .text(range):
                        encodeBPE(UnsafeBufferPointer(rebasing: bytes[range]), cache, &scratch, &output)
                    }
                }
            case .sentencePiece:
                var previousWasSpecial = true
                var scratch = SPMScratch()
                for fragment in fragments {
                    switch fragment {
                    case let .token(id):
                        output.append(id)
                        previousWasSpecial = true
                    case let .text(range):
                        encodeSentencePiece(UnsafeBufferPointer(rebasing: bytes[range]),
                                            spacePrefix: addSpacePrefix && previousWasSpecial, &scratch, &output)
                        previousWasSpecial = false
                    }
                }
            }
        }
        if addSpecial && addEOS, let eos { output.append(eos) }
    }

    // MARK: - Decoding

    /// The bytes a token stands for (special tokens: their text). Empty for an id out of range.
    public func tokenPiece(_ id: Int32) -> [UInt8] {
        guard id >= 0, Int(id) < vocabularySize else { return [] }
        return Array(pieceBytes[Int(pieceStart[Int(id)])..<Int(pieceStart[Int(id) + 1])])
    }

    /// The token's text as stored in the vocabulary (`Ġthe`, `▁the`, `<|im_end|>`).
    public func tokenText(_ id: Int32) -> String? {
        guard id >= 0, Int(id) < vocabularySize else { return nil }
        return texts[Int(id)]
    }

    /// Whether the token is a control or unknown token (not shown when decoding).
    public func isControl(_ id: Int32) -> Bool {
        guard id >= 0, Int(id) < vocabularySize else { return false }
        return !attributes[Int(id)].isDisjoint(with: [.control, .unknown])
    }

    /// The text of `tokens`, as llama.cpp's `llama_detokenize` gives it (not removing BOS/EOS): control tokens are
    /// left out unless `renderSpecial`, and SentencePiece's leading space is taken off the first token (only the
    /// first: after a BOS it stays). Broken UTF-8 becomes U+FFFD.
    public func decode(_ tokens: [Int32], renderSpecial: Bool = false) -> String {
        var bytes: [UInt8] = []
        var first = true
        for id in tokens {
            appendPiece(id, renderSpecial: renderSpecial, stripLeadingSpace: first && addSpacePrefix, to: &bytes)
            first = false
        }
        if cleansSpaces { bytes = Self.cleanSpaces(bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// llama.cpp's three clean-up passes: " ?" " !" " ." " ," lose the space; a lone " ' " loses both spaces;
    /// " 's" " 'm" " 're" " 've" lose the space.
    static func cleanSpaces(_ input: [UInt8]) -> [UInt8] {
        let space = UInt8(ascii: " "), quote = UInt8(ascii: "'")
        guard input.count > 1 else { return input }
        var a = [input[0]]
        for i in 1..<input.count {
            let x = input[i]
            if input[i - 1] == space, x == UInt8(ascii: "?") || x == UInt8(ascii: "!") || x == UInt8(ascii: ".") || x == UInt8(ascii: ",") {
                a.removeLast()
            }
            a.append(x)
        }
        guard a.count > 1 else { return a }
        var b = [a[0]]
        var i = 1
        while i < a.count {
            let x = a[i]
            if x == quote, i + 1 < a.count, a[i - 1] == space, a[i + 1] == space {
                b.removeLast()
                a[i + 1] = 0  // the space after is skipped, and is no space for the next look-back
                i += 1
            }
            b.append(x)
            i += 1
        }
        guard b.count > 1 else { return b }
        var c = [b[0]]
        for i in 1..<b.count {
            let x = b[i]
            if b[i - 1] == space, x == quote, i + 1 < b.count {
                let x1 = b[i + 1]
                if x1 == UInt8(ascii: "s") || x1 == UInt8(ascii: "m") {
                    c.removeLast()
                } else if i + 2 < b.count, (x1 == UInt8(ascii: "r") || x1 == UInt8(ascii: "v")), b[i + 2] == UInt8(ascii: "e") {
                    c.removeLast()
                }
            }
            c.append(x)
        }
        return c
    }

    func appendPiece(_ id: Int32, renderSpecial: Bool, stripLeadingSpace: Bool, to bytes: inout [UInt8]) {
        guard id >= 0, Int(id) < vocabularySize else { return }
        if !renderSpecial && isControl(id) { return }
        var start = Int(pieceStart[Int(id)])
        let end = Int(pieceStart[Int(id) + 1])
        if stripLeadingSpace, start < end, pieceBytes[start] == 0x20 { start += 1 }
        bytes.append(contentsOf: pieceBytes[start..<end])
    }

    /// Whether generation stops at this token (EOS, end of turn and their kin).
    public func isEndOfGeneration(_ id: Int32) -> Bool {
        endOfGeneration.contains(id)
    }

    /// The id of a token by its exact text in the vocabulary (`<|im_start|>`), if present.
    public func tokenID(ofText text: String) -> Int32? {
        texts.lastIndex { $0.utf8.elementsEqual(text.utf8) }.map(Int32.init)
    }
}

extension Array where Element == UInt8 {
    /// `▁` (U+2581, E2 96 81) → space.
    func replacingSpaceMarks() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        var i = 0
        while i < count {
            if i + 2 < count, self[i] == 0xE2, self[i + 1] == 0x96, self[i + 2] == 0x81 {
                out.append(0x20)
                i += 3
            } else {
                out.append(self[i])
                i += 1
            }
        }
        return out
    }
}
