import Chunking
import Common
import Engine
import Foundation

/// The model as the pipeline uses it: loaded and mapped once, shared by every worker, with its tokenizer, chat
/// template and an identity for the result cache.
public final class SummarizerModel: Sendable {
    public let path: String
    public let gguf: GGUFFile
    public let model: Model
    public let tokenizer: Tokenizer
    public let template: ChatTemplate
    /// SHA-256 of the model file: results are cached per exact weights.
    public let identity: String
    /// The template's text around a user message (`wrap`).
    let frame: PromptFrame

    public init(path: String) throws(EngineError) {
        self.path = path
        gguf = try GGUFFile(path: path)
        model = try Model(gguf: gguf)
        tokenizer = try Tokenizer(gguf: gguf)
        template = ChatTemplate(tokenizer: tokenizer)
        identity = try ModelLocator.sha256(ofFile: path)
        frame = PromptFrame(template)
    }

    /// A user message in the model's chat template, ready to generate the assistant's turn.
    public func wrap(_ message: String) -> String {
        template.render([.user(message)], addGenerationPrompt: true)
    }

    /// The model's context window.
    public var contextLength: Int { model.config.contextLength }

    /// The token ids of `text`, as a prompt: in a prompt `wrap` made, the template's control tokens are special
    /// and the message between them (document text, instructions) is only ever text, so a document holding
    /// `<|im_end|><|im_start|>assistant` cannot open a turn of its own; any other text is text throughout.
    public func encode(_ text: String) -> [Int32] {
        tokenizer.encode(text, addSpecial: true, plainText: plainText(in: text))
    }

    /// The bytes of `text` tokenized as plain text: the message of a framed prompt, else all of it.
    func plainText(in text: String) -> Range<Int> {
        frame.message(in: text) ?? 0..<text.utf8.count
    }

    /// Token counts as prompts see them (a BOS the model adds is counted too, so counts never fall short).
    public var counter: ModelTokenCounter { ModelTokenCounter(model: self) }
}

/// The chat template's text before and after one user message (generation prompt included).
struct PromptFrame: Sendable {
    let prefix: String
    let suffix: String

    init(_ template: ChatTemplate) {
        // Rendered around a marker no template changes (no white space at its ends, no special text).
        let marker = "\u{1}precis-message\u{1}"
        let rendered = template.render([.user(marker)], addGenerationPrompt: true)
        let parts = rendered.components(separatedBy: marker)
        (prefix, suffix) = parts.count == 2 ? (parts[0], parts[1]) : ("", "")
    }

    /// The byte range of the message in a prompt framed by the template; nil when `text` is not such a prompt.
    func message(in text: String) -> Range<Int>? {
        guard !(prefix.isEmpty && suffix.isEmpty), text.hasPrefix(prefix), text.hasSuffix(suffix) else { return nil }
        let start = prefix.utf8.count, end = text.utf8.count - suffix.utf8.count
        return start <= end ? start..<end : nil
    }
}

/// Counts prompt tokens as `SummarizerModel.encode` makes them, plus the BOS token the model prepends.
public struct ModelTokenCounter: TokenCounting {
    let model: SummarizerModel
    public func count(_ text: String) -> Int {
        let tokenizer = model.tokenizer
        var output: [Int32] = []
        tokenizer.encode(text, addSpecial: false, parseSpecial: true, plainText: model.plainText(in: text), into: &output)
        return output.count + (tokenizer.addBOS && tokenizer.bos != nil ? 1 : 0)
    }
}

/// Decoding settings for summaries.
public struct SummaryDecoding: Sendable, Equatable, Codable {
    public var sampling: SamplingParameters
    /// How each worker's KV cache stores keys and values (it changes the numbers, so it is part of the cache key).
    public var kvCache: KVCacheType
    public init(sampling: SamplingParameters, kvCache: KVCacheType = .defaultType) {
        self.sampling = sampling
        self.kvCache = kvCache
    }

    /// Greedy: deterministic, so a resumed run gives the same text. No repetition penalty: its window covers
    /// the prompt, and penalizing the source's tokens pushes the model to invent numbers and names instead of
    /// copying them (seen on the bundled model). Loops are blocked instead: no 4-gram of the output twice.
    public static let `default`: SummaryDecoding = {
        var sampling = SamplingParameters(temperature: 0, topK: 40, topP: 0.95, minP: 0.05, repetitionPenalty: 1.0,
                                          penaltyWindow: 64, seed: 0)
        sampling.noRepeatNGram = 4
        return SummaryDecoding(sampling: sampling)
    }()
}

/// Runs node prompts on one worker's generator.
public final class EngineRunner: NodeRunner {
    let model: SummarizerModel
    let generator: Generator
    let decoding: SummaryDecoding

    public init(model: SummarizerModel, contextTokens: Int, threads: Int, decoding: SummaryDecoding) {
        self.model = model
        self.decoding = decoding
        generator = Generator(model: model.model, tokenizer: model.tokenizer,
                              contextLength: min(contextTokens, model.contextLength), threads: threads,
                              cacheType: decoding.kvCache)
    }

    public func run(prompt: String, maxTokens: Int) throws -> NodeOutput {
        let tokens = model.encode(prompt)
        let parameters = GenerationParameters(maxTokens: maxTokens, sampling: decoding.sampling)
        let result = try generator.generate(promptTokens: tokens, parameters: parameters)
        return NodeOutput(text: SummaryText.clean(result.text), promptTokens: tokens.count,
                          outputTokens: result.tokens.count,
                          seconds: result.timings.promptSeconds + result.timings.generationSeconds,
                          promptSeconds: result.timings.promptSeconds,
                          stopReason: result.stopReason.rawValue)
    }
}
