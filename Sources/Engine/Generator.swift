import Dispatch

/// What one generation asks for.
public struct GenerationParameters: Sendable, Hashable, Codable {
    public var maxTokens: Int
    public var sampling: SamplingParameters
    /// Generation stops when the text contains one of these; the text ends before it.
    public var stopStrings: [String]
    /// Stop at the model's end-of-generation tokens (`<|im_end|>`, EOS, EOT).
    public var stopAtEndOfGeneration: Bool

    public init(maxTokens: Int = 256, sampling: SamplingParameters = SamplingParameters(),
                stopStrings: [String] = [], stopAtEndOfGeneration: Bool = true) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopStrings = stopStrings
        self.stopAtEndOfGeneration = stopAtEndOfGeneration
    }
}

/// Why generation ended.
public enum StopReason: String, Sendable, Codable {
    case endOfGeneration = "end_of_generation"
    case stopString = "stop_string"
    case maxTokens = "max_tokens"
    case contextFull = "context_full"
    case cancelled
}

/// Where the time went.
public struct GenerationTimings: Sendable, Hashable, Codable {
    /// Prompt tokens evaluated and the seconds it took.
    public var promptTokens: Int
    public var promptSeconds: Double
    /// Tokens generated and the seconds of the decode loop.
    public var generatedTokens: Int
    public var generationSeconds: Double

    public var promptTokensPerSecond: Double { promptSeconds > 0 ? Double(promptTokens) / promptSeconds : 0 }
    public var generationTokensPerSecond: Double {
        generationSeconds > 0 ? Double(generatedTokens) / generationSeconds : 0
    }
}

/// The outcome of one generation.
public struct GenerationResult: Sendable {
    /// The generated tokens (without a final end-of-generation token).
    public var tokens: [Int32]
    /// Their text, cut before a stop string.
    public var text: String
    public var stopReason: StopReason
    public var timings: GenerationTimings
}

/// Generates text from a prompt with one worker's context: the API the pipeline calls, one `Generator` per
/// worker thread over one shared `Model`. Each call starts from an empty KV cache, so the same prompt gives the
/// same text whatever ran before it.
public final class Generator {
    public let model: Model
    public let tokenizer: Tokenizer
    public let context: InferenceContext
    private let sampler: Sampler

    public init(model: Model, tokenizer: Tokenizer, contextLength: Int, threads: Int = 1,
                batchSize: Int = InferenceContext.defaultBatchSize, cacheType: KVCacheType = .defaultType) {
        self.model = model
        self.tokenizer = tokenizer
        context = InferenceContext(model: model, contextLength: contextLength, threads: threads, batchSize: batchSize,
                                   cacheType: cacheType)
        sampler = Sampler(vocabularySize: model.config.vocabularySize)
    }

    /// Evaluates `promptTokens` and generates after them. `onToken` receives each token and the text that is
    /// final (held back while it could be the start of a stop string); it returns false to stop.
    public func generate(promptTokens: [Int32], parameters: GenerationParameters,
                         onToken: (Int32, String) -> Bool = { _, _ in true }) throws(EngineError) -> GenerationResult {
        guard !promptTokens.isEmpty else { throw .emptyPrompt }
        let start = DispatchTime.now().uptimeNanoseconds
        context.reset()
        try promptTokens.withUnsafeBufferPointer { (tokens) throws(EngineError) in try context.evaluate(tokens) }
        let promptDone = DispatchTime.now().uptimeNanoseconds

        sampler.reset(parameters.sampling)
        for t in promptTokens.suffix(parameters.sampling.penaltyWindow) { sampler.accept(t) }

        // At most one token per free position of the context, and the last one sampled (never evaluated): reserve
        // that, not `maxTokens`, which is a bound (2 000 000 000 would reserve 8 GB twice). A ban list is never
        // longer than the tokens.
        let room = context.contextLength - context.position + 1
        let capacity = min(max(0, parameters.maxTokens), room)
        var tokens: [Int32] = []
        tokens.reserveCapacity(capacity)
        var text = StopStringScanner(stops: parameters.stopStrings)
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var reason = StopReason.maxTokens
        var banned: [Int32] = []
        banned.reserveCapacity(capacity)
        while true {
            if tokens.count >= parameters.maxTokens { reason = .maxTokens; break }
            bannedNGramEnds(tokens, size: parameters.sampling.noRepeatNGram, into: &banned)
            let token = banned.withUnsafeBufferPointer { ban in context.withLogits { sampler.sample($0, banned: ban) } }
            if parameters.stopAtEndOfGeneration && tokenizer.isEndOfGeneration(token) {
                reason = .endOfGeneration
                break
            }
            tokens.append(token)
            sampler.accept(token)
            let (final, stopped) = text.append(detokenizer.append(token))
            if !onToken(token, final) { reason = .cancelled; break }
            if stopped { reason = .stopString; break }
            if tokens.count >= parameters.maxTokens { reason = .maxTokens; break }
            if context.position >= context.contextLength { reason = .contextFull; break }
            try context.evaluate(token: token)
        }
        if reason != .stopString {
            let (final, _) = text.append(detokenizer.finish(), flush: true)
            if !final.isEmpty { _ = onToken(-1, final) }
        }
        let end = DispatchTime.now().uptimeNanoseconds
        return GenerationResult(
            tokens: tokens, text: text.text, stopReason: reason,
            timings: GenerationTimings(promptTokens: promptTokens.count,
                                       promptSeconds: Double(promptDone - start) / 1e9,
                                       generatedTokens: tokens.count,
                                       generationSeconds: Double(end - promptDone) / 1e9))
    }

    /// The tokens that would complete an n-gram of `size` already in `tokens` (cleared and refilled, no
    /// allocation once `banned` has its capacity).
    private func bannedNGramEnds(_ tokens: [Int32], size: Int, into banned: inout [Int32]) {
        banned.removeAll(keepingCapacity: true)
        guard size >= 2, tokens.count >= size else { return }
        let prefix = tokens.count - (size - 1)  // the last size-1 tokens start here
        for start in 0...(tokens.count - size) {
            var match = true
            for k in 0..<(size - 1) where tokens[start + k] != tokens[prefix + k] {
                match = false
                break
            }
            if match { banned.append(tokens[start + size - 1]) }
        }
    }
}

/// Accumulates generated text and finds stop strings in it, holding back a tail that could still become one.
struct StopStringScanner {
    let stops: [String]
    /// The text so far, cut before a stop string once one is found.
    private(set) var text = ""
    /// How much of `text` (in UTF-8 bytes) has been handed out.
    private var emitted = 0

    init(stops: [String]) { self.stops = stops.filter { !$0.isEmpty } }

    /// Adds `piece`; returns the text that is now final and whether a stop string was found.
    mutating func append(_ piece: String, flush: Bool = false) -> (String, Bool) {
        text += piece
        if stops.isEmpty {
            return (takeFinal(upTo: text.utf8.count), false)
        }
        // The earliest stop string in the text not yet handed out (a stop may straddle emitted text? no: a held
        // back tail is never emitted, so matches start after `emitted`).
        let bytes = Array(text.utf8)
        var cut: Int?
        for stop in stops {
            let s = Array(stop.utf8)
            guard bytes.count >= s.count else { continue }
            var i = max(0, emitted - s.count + 1)
            while i + s.count <= bytes.count {
                if bytes[i] == s[0], Array(bytes[i..<(i + s.count)]) == s {
                    cut = min(cut ?? i, i)
                    break
                }
                i += 1
            }
        }
        if let cut {
            text = String(decoding: bytes[..<cut], as: UTF8.self)
            return (takeFinal(upTo: cut), true)
        }
        if flush { return (takeFinal(upTo: bytes.count), false) }
        // Hold back the longest tail that is a proper prefix of some stop string.
        var hold = 0
        for stop in stops {
            let s = Array(stop.utf8)
            for length in stride(from: min(s.count - 1, bytes.count - emitted), to: hold, by: -1)
            where Array(bytes[(bytes.count - length)...]) == Array(s[..<length]) {
                hold = length
                break
            }
        }
        var end = bytes.count - hold
        while end > emitted, end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // whole characters
        return (takeFinal(upTo: end), false)
    }

    private mutating func takeFinal(upTo end: Int) -> String {
        guard end > emitted else { return "" }
        let utf8 = Array(text.utf8)
        let out = String(decoding: utf8[emitted..<end], as: UTF8.self)
        emitted = end
        return out
    }
}
