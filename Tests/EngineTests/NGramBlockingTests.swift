import Engine
import Foundation
import Testing
import TestSupport

@Suite struct NGramBlockingTests {
    @Test func bannedTokensAreNeverSampled() {
        let sampler = Sampler(vocabularySize: 4, parameters: .greedy)
        let logits: [Float] = [0.1, 3.0, 2.0, -1.0]
        let banned: [Int32] = [1]
        let pick = logits.withUnsafeBufferPointer { l in banned.withUnsafeBufferPointer { sampler.sample(l, banned: $0) } }
        #expect(pick == 2)
        #expect(logits.withUnsafeBufferPointer { sampler.sample($0) } == 1)
    }

    /// The real model, greedy, on a prompt that makes it loop: with blocking, no 4-gram of the output repeats.
    @Test func generationNeverRepeatsAnNGram() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let gguf = try GGUFFile(path: Fixtures.modelPath)
        let model = try Model(gguf: gguf)
        let tokenizer = try Tokenizer(gguf: gguf)
        let generator = Generator(model: model, tokenizer: tokenizer, contextLength: 512, threads: 1)
        let prompt = tokenizer.encode("one two three one two three one two three one two three", addSpecial: true)
        var parameters = GenerationParameters(maxTokens: 48, sampling: .greedy, stopAtEndOfGeneration: false)
        let free = try generator.generate(promptTokens: prompt, parameters: parameters)
        #expect(Self.repeatsNGram(free.tokens, 4), "the plain greedy run should loop on this prompt")
        parameters.sampling.noRepeatNGram = 4
        let blocked = try generator.generate(promptTokens: prompt, parameters: parameters)
        #expect(blocked.tokens.count == 48)
        #expect(!Self.repeatsNGram(blocked.tokens, 4))
    }

    static func repeatsNGram(_ tokens: [Int32], _ n: Int) -> Bool {
        guard tokens.count >= n else { return false }
        var seen = Set<[Int32]>()
        for i in 0...(tokens.count - n) where !seen.insert(Array(tokens[i..<(i + n)])).inserted { return true }
        return false
    }
}
