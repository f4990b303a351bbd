import Chunking

/// A stand-in token counter for planner-logic tests only (the real tests use the model's tokenizer): one token
/// per started 4 bytes of each word, one per line break.
public struct WordCounter: TokenCounting {
    public init() {}
    public func count(_ text: String) -> Int {
        var tokens = 0
        var wordBytes = 0
        for byte in text.utf8 {
            if byte == 0x20 || byte == 0x0A || byte == 0x09 {
                tokens += (wordBytes + 3) / 4
                wordBytes = 0
                if byte == 0x0A { tokens += 1 }
            } else {
                wordBytes += 1
            }
        }
        return tokens + (wordBytes + 3) / 4
    }
}

/// A seeded generator (SplitMix64) so property tests are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
