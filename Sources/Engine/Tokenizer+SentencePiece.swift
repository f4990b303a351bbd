/// SentencePiece-style encoding (`tokenizer.ggml.model = llama`), for older Llama and Mistral files.
///
/// Spaces become `▁` (U+2581), a `▁` goes before the text when the file asks (`add_space_prefix`, on by default) and
/// the fragment follows the start or a special token; then, starting from single characters, the adjacent pair whose
/// joined text is the vocabulary token with the highest score is merged, leftmost first, until none is left. A final
/// piece that is no token is written as `<0xXX>` byte tokens.
struct SPMScratch {
    var text: [UInt8] = []
    var start: [Int32] = []
    var length: [Int32] = []
    var prev: [Int32] = []
    var next: [Int32] = []
    var heap = BinaryHeap<SPMPair>()
}

/// A candidate merge; higher score first, then leftmost.
struct SPMPair: HeapOrdered {
    var score: Float
    var left: Int32
    var right: Int32
    var size: Int32
    @inline(__always) static func before(_ a: Self, _ b: Self) -> Bool {
        a.score > b.score || (a.score == b.score && a.left < b.left)
    }
}

extension Tokenizer {
    func encodeSentencePiece(_ bytes: UnsafeBufferPointer<UInt8>, spacePrefix: Bool, _ s: inout SPMScratch,
                             _ output: inout [Int32]) {
        // The text with spaces escaped.
        s.text.removeAll(keepingCapacity: true)
        let mark: [UInt8] = [0xE2, 0x96, 0x81]
        if spacePrefix { s.text.append(contentsOf: mark) }
        for b in bytes {
            if b == 0x20 { s.text.append(contentsOf: mark) } else { s.text.append(b) }
        }
        guard !s.text.isEmpty else { return }

        // One symbol per UTF-8 character.
        s.start.removeAll(keepingCapacity: true)
        s.length.removeAll(keepingCapacity: true)
        s.prev.removeAll(keepingCapacity: true)
        s.next.removeAll(keepingCapacity: true)
        s.heap.removeAll()
        var offset = 0
        let total = s.text.count
        while offset < total {
            let lead = s.text[offset]
            let width = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            let length = min(width, total - offset)
            let index = s.start.count
            s.start.append(Int32(offset))
            s.length.append(Int32(length))
            s.prev.append(Int32(index - 1))
            offset += length
            s.next.append(offset == total ? -1 : Int32(index + 1))
        }

        func consider(_ left: Int32, _ right: Int32, _ s: inout SPMScratch) {
            guard left >= 0, right >= 0 else { return }
            let from = Int(s.start[Int(left)])
            let size = Int(s.length[Int(left)] + s.length[Int(right)])
            let id = s.text.withUnsafeBytes { vocab.value(for: UnsafeRawBufferPointer(rebasing: $0[from..<(from + size)])) }
            guard let id else { return }
            s.heap.push(SPMPair(score: scores[Int(id)], left: left, right: right, size: Int32(size)))
        }
        for i in 1..<s.start.count { consider(Int32(i - 1), Int32(i), &s) }
        while let pair = s.heap.pop() {
            let l = Int(pair.left), r = Int(pair.right)
            // Stale: a side was merged since (symbols only grow, so the sizes tell).
            guard s.length[l] > 0, s.length[r] > 0, s.length[l] + s.length[r] == pair.size else { continue }
            s.length[l] += s.length[r]
            s.length[r] = 0
            let after = s.next[r]
            s.next[l] = after
            if after >= 0 { s.prev[Int(after)] = Int32(l) }
            consider(s.prev[l], Int32(l), &s)
            consider(Int32(l), after, &s)
        }

        var i: Int32 = 0
        while i >= 0 {
            let from = Int(s.start[Int(i)]), size = Int(s.length[Int(i)])
            s.text.withUnsafeBytes { text in
                let piece = UnsafeRawBufferPointer(rebasing: text[from..<(from + size)])
                if let id = vocab.value(for: piece) {
                    output.append(Int32(id))
                } else {
                    for b in piece {
                        if byteTokens[Int(b)] >= 0 {
                            output.append(byteTokens[Int(b)])
                        } else if let id = vocab.value(for: [b]) {
                            output.append(Int32(id))
                        } else if let unknown {
                            output.append(unknown)
                        }
                    }
                }
            }
            i = s.next[Int(i)]
        }
    }
}
