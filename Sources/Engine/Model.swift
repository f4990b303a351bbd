/// A loaded model: configuration and weights bound in place from the memory-mapped GGUF file.
///
/// Read-only after `init`, so one instance is shared by every worker; each worker computes with its own
/// `InferenceContext` (KV cache and scratch).
public final class Model: Sendable {
    public let file: GGUFFile
    public let config: ModelConfig
    public let weights: ModelWeights

    /// Maps the file at `path` and binds its tensors.
    public convenience init(path: String) throws(EngineError) {
        try self.init(gguf: GGUFFile(path: path))
    }

    public init(gguf: GGUFFile) throws(EngineError) {
        file = gguf
        config = try ModelConfig(gguf: gguf)
        weights = try ModelWeights(gguf: gguf, config: config)
    }

    public var path: String { file.path }
}
