import Dispatch
import Engine
import Foundation
import Testing
import TestSupport

/// Decoding, streaming, thread safety and bad tokenizer metadata.
@Suite struct TokenizerTests {
    static let text = "Hello 😶‍🌫️ world! 東京は日本の首都です。 naïve café 👩‍👩‍👧‍👦\n\tcode: x += 1 // 🚀"

    @Test func streamingNeverSplitsACharacter() throws {
        let tokenizer = try Tokenizer(path: Fixtures.modelPath)
        let ids = tokenizer.encode(Self.text, addSpecial: false)
        // Emoji and CJK take several byte-level tokens each: the stream must hold their bytes back.
        #expect(ids.count > Self.text.unicodeScalars.count / 2)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        var chunks: [String] = []
        for id in ids { chunks.append(stream.append(id)) }
        chunks.append(stream.finish())
        #expect(chunks.allSatisfy { !$0.unicodeScalars.contains("\u{FFFD}") })
        #expect(chunks.filter(\.isEmpty).count > 0, "some tokens end inside a character")
        #expect(chunks.joined() == Self.text)
        #expect(tokenizer.decode(ids) == Self.text)
    }

    @Test func streamingSentencePieceByteTokens() throws {
        let tokenizer = try Tokenizer(path: VocabFixtures.path("ggml-vocab-llama-spm.gguf"))
        let ids = tokenizer.encode("🦙 llamas 🚀", addSpecial: true)
        #expect(ids.first == tokenizer.bos)
        #expect(ids.contains { (3...258).contains($0) }, "emoji fall back to <0xXX> byte tokens")
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        var out = ""
        for id in ids {
            let chunk = stream.append(id)
            #expect(!chunk.unicodeScalars.contains("\u{FFFD}"))
            out += chunk
        }
        out += stream.finish()
        #expect(out == " 🦙 llamas 🚀")  // pieces keep SentencePiece's space, as llama.cpp prints tokens
        #expect(tokenizer.decode(Array(ids.dropFirst())) == "🦙 llamas 🚀")  // llama_detokenize takes it off
    }

    @Test func unfinishedCharacterIsFlushedAtTheEnd() throws {
        let tokenizer = try Tokenizer(path: Fixtures.modelPath)
        let ids = tokenizer.encode("🚀", addSpecial: false)
        #expect(ids.count > 1)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        #expect(stream.append(ids[0]) == "")
        #expect(stream.finish() == "\u{FFFD}")
    }

    @Test func specialTokensAndEndOfGeneration() throws {
        let tokenizer = try Tokenizer(path: Fixtures.modelPath)
        let ids = tokenizer.encode("<|im_start|>user\nHi<|im_end|>", parseSpecial: true)
        #expect(ids.first == 1 && ids.last == 2)
        #expect(tokenizer.encode("<|im_start|>", parseSpecial: false).count > 1)
        #expect(tokenizer.decode(ids) == "user\nHi")
        #expect(tokenizer.decode(ids, renderSpecial: true) == "<|im_start|>user\nHi<|im_end|>")
        #expect(tokenizer.tokenPiece(2) == Array("<|im_end|>".utf8))
        #expect(tokenizer.tokenPiece(-1).isEmpty && tokenizer.tokenPiece(Int32(tokenizer.vocabularySize)).isEmpty)
        #expect(tokenizer.isEndOfGeneration(try #require(tokenizer.eot)))
        #expect(!tokenizer.isEndOfGeneration(ids[2]))
        #expect(tokenizer.tokenID(ofText: "<|im_start|>") == 1)
        #expect(tokenizer.count("") == 0 && tokenizer.encode("").isEmpty)
    }

    @Test func encodingIsThreadSafe() throws {
        let tokenizer = try Tokenizer(path: Fixtures.modelPath)
        let texts = (0..<8).map { i in String(repeating: "Paragraph \(i): \(Self.text) ", count: 50 + i) }
        let expected = texts.map { tokenizer.encode($0) }
        let fresh = try Tokenizer(path: Fixtures.modelPath)  // empty cache, filled by racing threads
        let results = Mutex8()
        DispatchQueue.concurrentPerform(iterations: texts.count) { i in
            results.set(i, fresh.encode(texts[i]))
        }
        #expect(results.values == expected)
    }

    // MARK: - Bad metadata

    private func file(_ metadata: [(String, GGUFBuilder.Value)]) throws -> String {
        var b = GGUFBuilder()
        b.metadata = [("general.architecture", .string("llama"))] + metadata
        let url = try Fixtures.temporaryDirectory("tokenizer").appendingPathComponent("t.gguf")
        try Data(b.bytes()).write(to: url)
        return url.path
    }

    private let tokens: GGUFBuilder.Value = .array(elementType: 8, ["a", "b", "ab"].map { .string($0) })

    @Test func unknownModelThrows() throws {
        let path = try file([("tokenizer.ggml.model", .string("bert")), ("tokenizer.ggml.tokens", tokens)])
        #expect(throws: EngineError.invalidTokenizer(path: path, reason: "tokenizer model 'bert' is not supported (gpt2 byte-level BPE and llama SentencePiece are)")) {
            try Tokenizer(path: path)
        }
    }

    @Test func missingPiecesThrow() throws {
        let noModel = try file([("tokenizer.ggml.tokens", tokens)])
        #expect(throws: EngineError.missingMetadata(path: noModel, key: "tokenizer.ggml.model")) { try Tokenizer(path: noModel) }
        let noTokens = try file([("tokenizer.ggml.model", .string("llama"))])
        #expect(throws: EngineError.missingMetadata(path: noTokens, key: "tokenizer.ggml.tokens")) { try Tokenizer(path: noTokens) }
        let noMerges = try file([("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string("smollm")),
                                 ("tokenizer.ggml.tokens", tokens)])
        #expect(throws: EngineError.missingMetadata(path: noMerges, key: "tokenizer.ggml.merges")) { try Tokenizer(path: noMerges) }
        let badPre = try file([("tokenizer.ggml.model", .string("gpt2")), ("tokenizer.ggml.pre", .string("klingon")),
                               ("tokenizer.ggml.tokens", tokens)])
        #expect { try Tokenizer(path: badPre) } throws: { "\($0)".contains("pre-tokenizer 'klingon' is not supported") }
        let shortScores = try file([("tokenizer.ggml.model", .string("llama")), ("tokenizer.ggml.tokens", tokens),
                                    ("tokenizer.ggml.scores", .array(elementType: 6, [.float32(0)]))])
        #expect { try Tokenizer(path: shortScores) } throws: { "\($0)".contains("1 scores for 3 tokens") }
        let notStrings = try file([("tokenizer.ggml.model", .string("llama")),
                                   ("tokenizer.ggml.tokens", .array(elementType: 5, [.int32(1)]))])
        #expect { try Tokenizer(path: notStrings) } throws: { "\($0)".contains("token 0 is not a string") }
    }

    /// A tiny SentencePiece vocabulary written here: merges by score, byte fallback, space prefix.
    @Test func tinySentencePieceVocabulary() throws {
        var texts = ["<unk>", "<s>", "</s>"] + (0..<256).map { String(format: "<0x%02X>", $0) }
        texts += ["▁", "a", "b", "▁a", "ab", "▁ab"]
        var types: [GGUFBuilder.Value] = [.int32(2), .int32(3), .int32(3)] + Array(repeating: .int32(6), count: 256)
        types += Array(repeating: .int32(1), count: 6)
        let scores: [GGUFBuilder.Value] = texts.indices.map { i in .float32(i < 259 ? 0 : Float(i - 270)) }
        let path = try file([("tokenizer.ggml.model", .string("llama")),
                             ("tokenizer.ggml.tokens", .array(elementType: 8, texts.map { .string($0) })),
                             ("tokenizer.ggml.scores", .array(elementType: 6, scores)),
                             ("tokenizer.ggml.token_type", .array(elementType: 5, types))])
        let t = try Tokenizer(path: path)
        let id = { (s: String) in Int32(texts.firstIndex(of: s)!) }
        #expect(t.encode("ab", addSpecial: false) == [id("▁ab")])
        #expect(t.encode("ab ab", addSpecial: true) == [1, id("▁ab"), id("▁ab")])
        #expect(t.encode("ac", addSpecial: false) == [id("▁a"), 3 + 0x63])  // 'c' is no token: byte fallback
        #expect(t.decode(t.encode("ab ab", addSpecial: false)) == "ab ab")
        #expect(t.decode(t.encode("ab ab", addSpecial: true)) == " ab ab")  // after BOS, as llama_detokenize
    }
}

/// Results written by concurrent workers, one slot each.
final class Mutex8: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Int: [Int32]] = [:]
    func set(_ i: Int, _ v: [Int32]) { lock.lock(); slots[i] = v; lock.unlock() }
    var values: [[Int32]] { lock.lock(); defer { lock.unlock() }; return slots.keys.sorted().map { slots[$0]! } }
}
