/// Turns generated token ids into text as they come, holding back the bytes of a character not yet complete.
///
/// A token may end in the middle of a UTF-8 character (byte tokens, or BPE pieces of emoji and CJK); `append`
/// returns only whole characters, and `finish` flushes what is left (an unfinished character becomes U+FFFD).
/// Every piece keeps its bytes, SentencePiece's leading space included, as llama.cpp prints generated tokens.
public struct StreamingDetokenizer: Sendable {
    public let tokenizer: Tokenizer
    /// Show control tokens (`<|im_end|>`) as their text.
    public var renderSpecial: Bool
    private var pending: [UInt8] = []

    public init(tokenizer: Tokenizer, renderSpecial: Bool = false) {
        self.tokenizer = tokenizer
        self.renderSpecial = renderSpecial
    }

    /// Adds one token; returns the text that is now complete (possibly empty).
    public mutating func append(_ id: Int32) -> String {
        tokenizer.appendPiece(id, renderSpecial: renderSpecial, stripLeadingSpace: false, to: &pending)
        let complete = Self.completeLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// The rest of the text, once generation is over.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of the longest prefix that does not end inside a UTF-8 character that may still be completed.
    static func completeLength(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        // Look back at most three bytes for the lead byte of the last character.
        var i = n - 1
        var continuation = 0
        while i >= 0, continuation < 3, bytes[i] & 0xC0 == 0x80 {
            continuation += 1
            i -= 1
        }
        guard i >= 0 else { return n }  // only continuation bytes: invalid, let them through
        let lead = bytes[i]
        let width = lead < 0x80 ? 1 : lead & 0xE0 == 0xC0 ? 2 : lead & 0xF0 == 0xE0 ? 3 : lead & 0xF8 == 0xF0 ? 4 : 1
        return continuation + 1 < width ? i : n
    }
}
