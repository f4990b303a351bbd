import Engine
import Foundation
import Testing
import TestSupport

/// Token ids against llama.cpp's, for the bundled model and for one vocabulary of every tokenizer type.
///
/// Golden ids come from two places: `Tests/Fixtures/tokenizer/*.json` (our text set: Unicode, emoji, CJK, numbers,
/// runs of spaces and newlines, code, special tokens; made by scripts/fixtures/make_tokenizer_fixtures.py with
/// llama-cpp-python 0.3.36), and llama.cpp's own `.inp`/`.out` tests shipped with its vocabulary files.
@Suite struct TokenizerFixtureTests {
    struct GoldenFile: Decodable {
        struct Case: Decodable {
            let text: String
            let add_special: Bool
            let parse_special: Bool
            let ids: [Int32]
            let decoded: String?
        }
        let model: String
        let cases: [Case]
    }

    /// Vocabulary name → (fixture file, pre-tokenizer or nil for SentencePiece).
    static let vocabularies: [(name: String, kind: Tokenizer.Kind, pre: PreTokenizer?)] = [
        ("gpt-2", .bpe, .gpt2), ("starcoder", .bpe, .smollm), ("llama-bpe", .bpe, .llama3), ("qwen2", .bpe, .qwen2),
        ("llama-spm", .sentencePiece, nil), ("phi-3", .sentencePiece, nil),
    ]

    static func golden(_ name: String) throws -> GoldenFile {
        let url = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/tokenizer/\(name).json")
        return try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: url))
    }

    static func check(_ tokenizer: Tokenizer, _ golden: GoldenFile, label: String) {
        var failures = 0
        for c in golden.cases {
            let ids = tokenizer.encode(c.text, addSpecial: c.add_special, parseSpecial: c.parse_special)
            if ids != c.ids {
                failures += 1
                Issue.record("\(label): \(c.text.debugDescription.prefix(80)) add_special=\(c.add_special) parse_special=\(c.parse_special)\n ours:     \(ids.prefix(60))\n llama.cpp: \(c.ids.prefix(60))")
            }
            if let decoded = c.decoded {
                #expect(tokenizer.decode(c.ids) == decoded, "\(label): decode of \(c.text.debugDescription.prefix(60))")
            }
            if !c.add_special && c.parse_special {
                #expect(tokenizer.count(c.text) == c.ids.count)
            }
        }
        #expect(failures == 0, "\(label): \(failures) of \(golden.cases.count) cases differ")
    }

    @Test func bundledModelMatchesLlamaCpp() throws {
        let tokenizer = try Tokenizer(path: Fixtures.modelPath)
        #expect(tokenizer.kind == .bpe)
        #expect(tokenizer.preTokenizer == .smollm)
        #expect(tokenizer.vocabularySize == 49152)
        #expect(tokenizer.bos == 1 && tokenizer.eos == 2 && tokenizer.eot == 2)
        #expect(!tokenizer.addBOS)
        #expect(tokenizer.isEndOfGeneration(2) && tokenizer.isEndOfGeneration(0) && !tokenizer.isEndOfGeneration(1))
        let golden = try Self.golden("smollm2")
        #expect(golden.cases.count > 90)
        Self.check(tokenizer, golden, label: "SmolLM2")
    }

    @Test(arguments: vocabularies.map(\.name))
    func vocabularyMatchesLlamaCppOnOurTextSet(name: String) throws {
        let path = try VocabFixtures.path("ggml-vocab-\(name).gguf")
        let tokenizer = try Tokenizer(path: path)
        let expected = try #require(Self.vocabularies.first { $0.name == name })
        #expect(tokenizer.kind == expected.kind)
        #expect(tokenizer.preTokenizer == expected.pre)
        Self.check(tokenizer, try Self.golden("vocab-\(name)"), label: name)
    }

    /// llama.cpp's own tokenizer tests: `.inp` holds texts separated by `__ggml_vocab_test__` lines, `.out` one line of
    /// ids per text, tokenized without BOS/EOS and without special-token parsing.
    @Test(arguments: vocabularies.map(\.name))
    func vocabularyMatchesLlamaCppOwnTests(name: String) throws {
        let tokenizer = try Tokenizer(path: VocabFixtures.path("ggml-vocab-\(name).gguf"))
        let input = try String(contentsOfFile: VocabFixtures.path("ggml-vocab-\(name).gguf.inp"), encoding: .utf8)
        let output = try String(contentsOfFile: VocabFixtures.path("ggml-vocab-\(name).gguf.out"), encoding: .utf8)
        var texts = input.components(separatedBy: "\n__ggml_vocab_test__\n")
        if texts.last == "" { texts.removeLast() }
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(texts.count >= 40)
        #expect(lines.count >= texts.count)
        var failures = 0
        for (text, line) in zip(texts, lines) {
            let expected = line.split(separator: " ").compactMap { Int32($0) }
            let ids = tokenizer.encode(text, addSpecial: false, parseSpecial: false)
            if ids != expected {
                failures += 1
                Issue.record("\(name): \(text.debugDescription.prefix(80))\n ours:     \(ids.prefix(60))\n llama.cpp: \(expected.prefix(60))")
            }
        }
        #expect(failures == 0, "\(name): \(failures) of \(texts.count) llama.cpp cases differ")
    }
}

/// llama.cpp's vocabulary files, fetched once from the llama-cpp-python source package into `.build/vocab-fixtures`
/// by scripts/fetch-vocab-fixtures.sh (`make test` runs it first; a test run without it fetches here).
enum VocabFixtures {
    static let directory: Result<URL, FetchError> = {
        let root = Fixtures.packageRoot
        let dir = root.appendingPathComponent(".build/vocab-fixtures")
        do {
            let result = try runCommand(URL(fileURLWithPath: "/bin/bash"),
                                        [root.appendingPathComponent("scripts/fetch-vocab-fixtures.sh").path, dir.path],
                                        directory: root)
            guard result.status == 0 else { return .failure(FetchError(message: result.stderr)) }
        } catch {
            return .failure(FetchError(message: "\(error)"))
        }
        return .success(dir)
    }()

    struct FetchError: Error, CustomStringConvertible {
        let message: String
        var description: String { "could not fetch llama.cpp's vocabulary fixtures: \(message)" }
    }

    static func path(_ file: String) throws -> String {
        try directory.get().appendingPathComponent(file).path
    }
}
