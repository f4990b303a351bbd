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
