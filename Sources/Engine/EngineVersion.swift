/// The version of what the engine computes: bump it with any change that can change a generated token for the
/// same model file and prompt (a kernel's arithmetic, the tokenizer, chat template rendering, the sampler), so
/// result caches made before are not served as if this engine had made them. Pure speed-ups that keep every bit
/// (GoldenTests) do not bump it.
public enum EngineVersion {
    public static let current = 1
}
