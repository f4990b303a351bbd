/// Counts tokens the way the model will: the chunker and planner measure every budget with the model's own
/// tokenizer, never in characters. Engine's `Tokenizer` conforms; tests of pure planning logic may use a simple
/// counter.
public protocol TokenCounting: Sendable {
    /// The number of tokens `text` encodes to, without BOS/EOS.
    func count(_ text: String) -> Int
}
