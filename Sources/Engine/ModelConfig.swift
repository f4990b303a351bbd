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

    /// Reads the configuration of `gguf`; throws `missingMetadata` or `unsupportedArchitecture`.
    public init(gguf: GGUFFile) throws(EngineError) {
        let path = gguf.path
        guard let name = gguf.architecture else { throw .missingMetadata(path: path, key: "general.architecture") }
        guard let architecture = Architecture(rawValue: name) else {
            throw .unsupportedArchitecture(path: path, architecture: name)
        }
        func integer(_ key: String) throws(EngineError) -> Int {
            guard let v = gguf["\(name).\(key)"]?.integer, v > 0 else {
                throw .missingMetadata(path: path, key: "\(name).\(key)")
            }
            return v
        }
        func optionalInteger(_ key: String) throws(EngineError) -> Int? {
            guard let value = gguf["\(name).\(key)"] else { return nil }
            guard let v = value.integer, v > 0 else { throw .missingMetadata(path: path, key: "\(name).\(key)") }
            return v
        }
        func optionalNumber(_ key: String) throws(EngineError) -> Double? {
            guard let value = gguf["\(name).\(key)"] else { return nil }
            guard let v = value.number, v.isFinite else { throw .missingMetadata(path: path, key: "\(name).\(key)") }
            return v
        }

        self.architecture = architecture
        layerCount = try integer("block_count")
        embeddingLength = try integer("embedding_length")
        feedForwardLength = try integer("feed_forward_length")
        headCount = try integer("attention.head_count")
        kvHeadCount = try optionalInteger("attention.head_count_kv") ?? headCount
        guard headCount % kvHeadCount == 0 else {
            throw .missingMetadata(path: path, key: "\(name).attention.head_count_kv (\(kvHeadCount) does not divide \(headCount) heads)")
        }
        if let keyLength = try optionalInteger("attention.key_length") {
            headDimension = keyLength
            if let valueLength = try optionalInteger("attention.value_length"), valueLength != keyLength {
                throw .missingMetadata(path: path, key: "\(name).attention.value_length (differs from key_length)")
            }
        } else {
            guard embeddingLength % headCount == 0 else {
                throw .missingMetadata(path: path, key: "\(name).attention.key_length")
            }
            headDimension = embeddingLength / headCount
        }
        ropeDimensions = try optionalInteger("rope.dimension_count") ?? headDimension
        guard ropeDimensions <= headDimension, ropeDimensions % 2 == 0 else {
            throw .missingMetadata(path: path, key: "\(name).rope.dimension_count (\(ropeDimensions) for heads of \(headDimension))")
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
        contextLength = try integer("context_length")
        if let size = try optionalInteger("vocab_size") {
            vocabularySize = size
        } else if let tokens = gguf["tokenizer.ggml.tokens"]?.array {
            vocabularySize = tokens.count
        } else if let embedding = gguf.tensor(named: "token_embd.weight"), embedding.shape.count == 2 {
            vocabularySize = embedding.shape[1]
        } else {
            throw .missingMetadata(path: path, key: "\(name).vocab_size")
        }
        hasQKVBias = architecture == .qwen2
    }
}
