/// The hyperparameters of a model, read from its GGUF metadata only (`{arch}.*` keys).
public struct ModelConfig: Sendable, Equatable {
    /// The architecture families the engine implements.
    public enum Architecture: String, Sendable {
        /// Llama, SmolLM2, Llama 3.x (optional RoPE frequency factors), Mistral-style files.
        case llama
        /// Qwen2 / Qwen2.5: llama with biases on Q, K and V and NeoX RoPE.
        case qwen2
    }

    /// How RoPE pairs the dimensions of a head.
    public enum RopeStyle: Sendable {
        /// Adjacent pairs (x[2i], x[2i+1]), as llama.cpp uses for `llama`.
        case normal
        /// Halves (x[i], x[i + n/2]), as llama.cpp uses for `qwen2`.
        case neox
    }

    public var architecture: Architecture
    public var layerCount: Int
    /// Width of the residual stream.
    public var embeddingLength: Int
    public var feedForwardLength: Int
    public var headCount: Int
    public var kvHeadCount: Int
    /// Dimensions of one attention head (`attention.key_length`, else embedding / heads).
    public var headDimension: Int
    /// Dimensions of a head that RoPE rotates.
    public var ropeDimensions: Int
    public var ropeBase: Float
    /// Linear RoPE scaling: positions are multiplied by this (1 / `rope.scaling.factor`).
    public var ropeFrequencyScale: Float
    public var ropeStyle: RopeStyle
    public var normEpsilon: Float
    /// The context length the model was trained for.
    public var contextLength: Int
    public var vocabularySize: Int
    /// Biases on the Q, K and V projections (qwen2).
    public var hasQKVBias: Bool

    /// Width of all query heads together.
    public var queryWidth: Int { headCount * headDimension }
    /// Width of all key (or value) heads together.
    public var kvWidth: Int { kvHeadCount * headDimension }

    /// Upper bounds on what the metadata may claim: far above any released model (Llama 3.1 405B has 126 blocks,
    /// 16384 wide, 128 heads of 128, a context of 131072; vocabularies reach 262144), far below where a product
    /// of them overflows or sizes an allocation no machine has. A file past one throws `invalidMetadata`.
    public enum Limits {
        public static let layers = 4096
        public static let embeddingLength = 1 << 17
        public static let feedForwardLength = 1 << 20
        public static let heads = 4096
        public static let headDimension = 4096
        /// All query (or key) heads together.
        public static let attentionWidth = 1 << 20
        public static let contextLength = 1 << 24
        public static let vocabularySize = 1 << 24
    }

    /// Reads the configuration of `gguf`; throws `missingMetadata`, `invalidMetadata` (a count out of bounds or
    /// inconsistent) or `unsupportedArchitecture`. Every count is bounded here, so the products the engine forms
    /// from them (`queryWidth`, buffer sizes) cannot overflow.
    public init(gguf: GGUFFile) throws(EngineError) {
        let path = gguf.path
        guard let name = gguf.architecture else { throw .missingMetadata(path: path, key: "general.architecture") }
        guard let architecture = Architecture(rawValue: name) else {
            throw .unsupportedArchitecture(path: path, architecture: name)
        }
        func invalid(_ key: String, _ reason: String) -> EngineError {
            .invalidMetadata(path: path, key: "\(name).\(key)", reason: reason)
        }
        func bounded(_ key: String, _ v: Int, limit: Int) throws(EngineError) -> Int {
            guard v <= limit else { throw invalid(key, "is \(v), more than the \(limit) this engine accepts") }
            return v
        }
        func integer(_ key: String, limit: Int) throws(EngineError) -> Int {
            guard let v = gguf["\(name).\(key)"]?.integer, v > 0 else {
                throw .missingMetadata(path: path, key: "\(name).\(key)")
            }
            return try bounded(key, v, limit: limit)
        }
        func optionalInteger(_ key: String, limit: Int) throws(EngineError) -> Int? {
            guard let value = gguf["\(name).\(key)"] else { return nil }
            guard let v = value.integer, v > 0 else { throw .missingMetadata(path: path, key: "\(name).\(key)") }
            return try bounded(key, v, limit: limit)
        }
        func optionalNumber(_ key: String) throws(EngineError) -> Double? {
            guard let value = gguf["\(name).\(key)"] else { return nil }
            guard let v = value.number, v.isFinite else { throw .missingMetadata(path: path, key: "\(name).\(key)") }
            return v
        }

        self.architecture = architecture
        layerCount = try integer("block_count", limit: Limits.layers)
        // Each block has its own tensors: a count the tensor table cannot hold is a lie, found before anything is
        // sized by it (a table short of a tensor or two is left to name the missing one).
        guard layerCount <= gguf.tensors.count else {
            throw invalid("block_count", "is \(layerCount), more than the file's \(gguf.tensors.count) tensors")
        }
        embeddingLength = try integer("embedding_length", limit: Limits.embeddingLength)
        feedForwardLength = try integer("feed_forward_length", limit: Limits.feedForwardLength)
        headCount = try integer("attention.head_count", limit: Limits.heads)
        kvHeadCount = try optionalInteger("attention.head_count_kv", limit: Limits.heads) ?? headCount
        guard headCount % kvHeadCount == 0 else {
            throw invalid("attention.head_count_kv", "is \(kvHeadCount), which does not divide \(headCount) heads")
        }
        if let keyLength = try optionalInteger("attention.key_length", limit: Limits.headDimension) {
            headDimension = keyLength
            if let valueLength = try optionalInteger("attention.value_length", limit: Limits.headDimension),
               valueLength != keyLength {
                throw invalid("attention.value_length", "is \(valueLength), not key_length \(keyLength)")
            }
        } else {
            guard embeddingLength % headCount == 0 else {
                throw .missingMetadata(path: path, key: "\(name).attention.key_length")
            }
            headDimension = embeddingLength / headCount
        }
        // Bounded above, so neither product overflows; checked anyway, as the widths size every attention buffer.
        let (queryWidth, overflow) = headCount.multipliedReportingOverflow(by: headDimension)
        guard !overflow, queryWidth <= Limits.attentionWidth else {
            throw invalid("attention.head_count", "is \(headCount) heads of \(headDimension): wider than "
                          + "\(Limits.attentionWidth) in all")
        }
        ropeDimensions = try optionalInteger("rope.dimension_count", limit: Limits.headDimension) ?? headDimension
        guard ropeDimensions <= headDimension, ropeDimensions % 2 == 0 else {
            throw invalid("rope.dimension_count", "is \(ropeDimensions), for heads of \(headDimension)")
        }
        ropeBase = Float(try optionalNumber("rope.freq_base") ?? 10_000)
        switch gguf["\(name).rope.scaling.type"]?.string ?? "none" {
        case "none":
            ropeFrequencyScale = 1
        case "linear":
            guard let factor = try optionalNumber("rope.scaling.factor"), factor > 0 else {
                throw .missingMetadata(path: path, key: "\(name).rope.scaling.factor")
            }
            ropeFrequencyScale = Float(1 / factor)
        case let other:
            throw .unsupportedArchitecture(path: path, architecture: "\(name) with rope scaling '\(other)'")
        }
        ropeStyle = architecture == .qwen2 ? .neox : .normal
        guard let epsilon = try optionalNumber("attention.layer_norm_rms_epsilon"), epsilon > 0 else {
            throw .missingMetadata(path: path, key: "\(name).attention.layer_norm_rms_epsilon")
        }
        normEpsilon = Float(epsilon)
        contextLength = try integer("context_length", limit: Limits.contextLength)
        if let size = try optionalInteger("vocab_size", limit: Limits.vocabularySize) {
            vocabularySize = size
        } else if let tokens = gguf["tokenizer.ggml.tokens"]?.array {
            guard !tokens.isEmpty else { throw .missingMetadata(path: path, key: "\(name).vocab_size") }
            vocabularySize = try bounded("vocab_size", tokens.count, limit: Limits.vocabularySize)
        } else if let embedding = gguf.tensor(named: "token_embd.weight"), embedding.shape.count == 2 {
            vocabularySize = try bounded("vocab_size", embedding.shape[1], limit: Limits.vocabularySize)
        } else {
            throw .missingMetadata(path: path, key: "\(name).vocab_size")
        }
        hasQKVBias = architecture == .qwen2
    }
}
