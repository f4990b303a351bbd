import Engine
import Synchronization
import Foundation
import Testing
import TestSupport

/// The high-level API on the bundled model: text, stop reasons, seeds, several workers at once.
@Suite struct ModelGeneratorTests {
    static let loaded: (Model, Tokenizer)? = {
        guard FileManager.default.fileExists(atPath: Fixtures.modelPath),
              let gguf = try? GGUFFile(path: Fixtures.modelPath),
              let model = try? Model(gguf: gguf), let tokenizer = try? Tokenizer(gguf: gguf) else { return nil }
        return (model, tokenizer)
    }()

    private func chat(_ tokenizer: Tokenizer, _ text: String) -> [Int32] {
        tokenizer.encode(ChatTemplate(tokenizer: tokenizer).render([.user(text)], addGenerationPrompt: true),
                         addSpecial: true, parseSpecial: true)
    }

    /// The generator's greedy tokens are the context's own argmax sequence (the plumbing adds nothing), its
    /// text is their decoding, and the streamed pieces add up to the text.
    @Test func greedyGenerationIsTheArgmaxSequence() throws {
        let (model, tokenizer) = try #require(Self.loaded, "the bundled model is missing: run `make model`")
        let golden = try Golden.load("smollm2_greedy.json", as: GoldenFile.self)
        let c = try #require(golden.cases.first { $0.name == "raw-list" })
        let generator = Generator(model: model, tokenizer: tokenizer, contextLength: 256, threads: 2)
        var streamed = ""
        let result = try generator.generate(
            promptTokens: c.prompt_tokens,
            parameters: GenerationParameters(maxTokens: 24, sampling: .greedy, stopAtEndOfGeneration: false)) { _, piece in
            streamed += piece
            return true
        }
        let context = InferenceContext(model: model, contextLength: 256, threads: 1)
        try c.prompt_tokens.withUnsafeBufferPointer { try context.evaluate($0) }
        var expected: [Int32] = []
        for _ in 0..<24 {
            let pick = context.withLogits { logits -> Int32 in
                var best = 0
                for j in 1..<logits.count where logits[j] > logits[best] { best = j }
                return Int32(best)
            }
            expected.append(pick)
            try context.evaluate(token: pick)
        }
        #expect(result.tokens == expected)
        // llama.cpp's first three picks are clear (margins 0.6 to 3.5): those must agree too.
        #expect(result.tokens.prefix(3) == c.generated.prefix(3))
        #expect(result.stopReason == .maxTokens)
        #expect(result.text == tokenizer.decode(result.tokens))
        #expect(streamed == result.text)
        #expect(result.timings.generatedTokens == 24)
    }

    @Test func chatStopsAtEndOfGeneration() throws {
        let (model, tokenizer) = try #require(Self.loaded, "the bundled model is missing: run `make model`")
        let generator = Generator(model: model, tokenizer: tokenizer, contextLength: 512, threads: 2)
        let prompt = chat(tokenizer, "Say hello.")
        let first = try generator.generate(promptTokens: prompt, parameters: GenerationParameters(maxTokens: 200, sampling: .greedy))
        #expect(first.stopReason == .endOfGeneration)
        #expect(!first.text.isEmpty)
        #expect(!first.text.contains("<|im_end|>"))
        // The same prompt again, after the first call's tokens filled the cache, gives the same text.
        let again = try generator.generate(promptTokens: prompt, parameters: GenerationParameters(maxTokens: 200, sampling: .greedy))
        #expect(again.tokens == first.tokens)
        #expect(again.timings.promptTokens == prompt.count)
    }

    /// `maxTokens` is a bound, not a size: the tokens and the n-gram bans are reserved for what the context can
    /// still hold (its free positions and the last sampled token), not for a million tokens up front.
    @Test func aHugeMaxTokensReservesOnlyWhatTheContextHolds() throws {
        let (model, tokenizer) = try #require(Self.loaded, "the bundled model is missing: run `make model`")
        let generator = Generator(model: model, tokenizer: tokenizer, contextLength: 48, threads: 1)
        let prompt = chat(tokenizer, "Say hello.")
        let result = try generator.generate(
            promptTokens: prompt,
            parameters: GenerationParameters(maxTokens: 1_000_000, sampling: .greedy, stopAtEndOfGeneration: false))
        #expect(result.stopReason == .contextFull)
        #expect(result.tokens.count == 48 - prompt.count + 1)
        #expect(result.tokens.capacity < 1000, "reserved \(result.tokens.capacity) tokens")
    }

    @Test func anEmptyPromptIsItsOwnError() throws {
        let (model, tokenizer) = try #require(Self.loaded, "the bundled model is missing: run `make model`")
        let generator = Generator(model: model, tokenizer: tokenizer, contextLength: 16)
        #expect(throws: EngineError.emptyPrompt) {
            try generator.generate(promptTokens: [], parameters: GenerationParameters(maxTokens: 4))
        }
    }

    @Test func stopStringsCutTheText() throws {
        let (model, tokenizer) = try #require(Self.loaded, "the bundled model is missing: run `make model`")
        let generator = Generator(model: model, tokenizer: tokenizer, contextLength: 256, threads: 1)
        let prompt = tokenizer.encode("Count: 1, 2, 3, 4,", addSpecial: true, parseSpecial: true)
        let free = try generator.generate(
            promptTokens: prompt, parameters: GenerationParameters(maxTokens: 40, sampling: .greedy))
        // A stop string from the middle of the free text: the stopped text is everything before it.
        let utf8 = Array(free.text.utf8)
        try #require(utf8.count >= 12)
        let stop = String(decoding: utf8[8..<11], as: UTF8.self)
        let expected = String(free.text[..<free.text.range(of: stop)!.lowerBound])
        var streamed = ""
        let result = try generator.generate(
            promptTokens: prompt, parameters: GenerationParameters(maxTokens: 40, sampling: .greedy, stopStrings: [stop])) { _, piece in
            streamed += piece
            return true
        }
        #expect(result.stopReason == .stopString)
        #expect(result.text == expected)
        #expect(streamed == expected)
    }

    @Test func sameSeedSameTextAcrossWorkersAtOnce() throws {
        let (model, tokenizer) = try #require(Self.loaded, "the bundled model is missing: run `make model`")
        let prompt = chat(tokenizer, "Write a sentence about the sea.")
        let parameters = GenerationParameters(maxTokens: 32, sampling: SamplingParameters(temperature: 0.9, seed: 11))
        // Three workers on one shared model, at the same time, each with its own generator.
        let texts = Mutex([String](repeating: "", count: 3))
        DispatchQueue.concurrentPerform(iterations: 3) { i in
            let generator = Generator(model: model, tokenizer: tokenizer, contextLength: 128, threads: 1)
            var p = parameters
            if i == 2 { p.sampling.seed = 12 }
            let text = (try? generator.generate(promptTokens: prompt, parameters: p).text) ?? "failed"
            texts.withLock { $0[i] = text }
        }
        let out = texts.withLock { $0 }
        #expect(out[0] == out[1])
        #expect(out[0] != out[2])
        #expect(!out[0].isEmpty && out[0] != "failed")
    }
}
