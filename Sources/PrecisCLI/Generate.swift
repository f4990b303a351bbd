import ArgumentParser
import Engine
import Foundation

/// `precis generate [--model M] [--max-tokens N] [--temperature T] [--seed S] [--raw] PROMPT`: the model's
/// continuation of a prompt, streamed to standard output.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate text from a prompt with the model (the prompt goes in the chat template unless --raw).",
        discussion: """
            Prints only the continuation, as it is generated. --temperature 0 is greedy and deterministic; \
            otherwise the same --seed gives the same text. Exit status 2 when no model is found or it cannot \
            be read, or the prompt does not fit.
            """)

    @Option(help: "Model file (default: $PRECIS_MODEL, ./Models, $XDG_CACHE_HOME/precis/models or ~/.cache/precis/models).")
    var model: String?

    @Option(help: "The most tokens to generate.")
    var maxTokens = 256

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0.8

    @Option(help: "Keep the k most likely tokens (0: all).")
    var topK = 40

    @Option(help: "Keep the most likely tokens up to this probability mass.")
    var topP: Float = 0.95

    @Option(help: "Drop tokens less likely than this fraction of the most likely one.")
    var minP: Float = 0.05

    @Option(help: "Penalty for tokens among the last 64 (1: off).")
    var repeatPenalty: Float = 1.0

    @Option(help: "Seed of the sampler: the same seed gives the same text.")
    var seed: UInt64 = 0

    @Option(help: "Threads for the matrix work (default: the number of cores).")
    var threads: Int?

    @Option(help: "Stop when the text contains this string (repeatable).")
    var stop: [String] = []

    @Option(help: "How the KV cache stores keys and values: f16 or q8_0 (about half the memory).")
    var kvCache = KVCacheType.defaultType

    @Flag(help: "Send the prompt as is, without the chat template.")
    var raw = false

    @Flag(help: "Print token counts and speeds to standard error at the end.")
    var stats = false

    @Argument(help: "The prompt; '-' reads standard input.")
    var prompt: String

    func validate() throws {
        if maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if temperature < 0 { throw ValidationError("--temperature must be 0 or more") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let input = prompt == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : prompt
        let gguf = try GGUFFile(path: ModelLocator(flag: model).locate().path)
        let loaded = try Model(gguf: gguf)
        let tokenizer = try Tokenizer(gguf: gguf)
        var text = input
        if !raw {
            let template = ChatTemplate(tokenizer: tokenizer)
            if let warning = template.warning { printError("warning: \(warning)") }
            text = template.render([.user(input)], addGenerationPrompt: true)
        }
        let tokens = tokenizer.encode(text, addSpecial: true, parseSpecial: true)
        // `maxTokens` may be anything up to Int.max: bounded by the context before it is added.
        let contextLength = min(loaded.config.contextLength, tokens.count + min(maxTokens, loaded.config.contextLength))
        guard tokens.count < contextLength else {
            throw CommandError("the prompt has \(tokens.count) tokens; the model's context holds \(loaded.config.contextLength)")
        }
        let generator = Generator(model: loaded, tokenizer: tokenizer, contextLength: contextLength,
                                  threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, cacheType: kvCache)
        let parameters = GenerationParameters(
            maxTokens: maxTokens,
            sampling: SamplingParameters(temperature: temperature, topK: topK, topP: topP, minP: minP,
                                         repetitionPenalty: repeatPenalty, seed: seed),
            stopStrings: stop)
        let result = try generator.generate(promptTokens: tokens, parameters: parameters) { _, piece in
            if !piece.isEmpty {
                FileHandle.standardOutput.write(Data(piece.utf8))
            }
            return true
        }
        FileHandle.standardOutput.write(Data("\n".utf8))
        if stats {
            let t = result.timings
            printError(String(format: "prompt %d tokens in %.3f s (%.1f tokens/s); generated %d tokens in %.3f s (%.1f tokens/s); stop: %@; kernels %@",
                              t.promptTokens, t.promptSeconds, t.promptTokensPerSecond, t.generatedTokens,
                              t.generationSeconds, t.generationTokensPerSecond, result.stopReason.rawValue, Kernels.path))
        }
    }
}
