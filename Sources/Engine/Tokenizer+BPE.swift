import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level BPE: words from the pre-tokenizer, merged pair by pair in rank order.
///
/// Work happens on raw bytes, not on the byte alphabet's code points: each byte is one starting symbol either way,
/// so the two are the same computation. A symbol is an id: the token id when its bytes are a vocabulary token, else
/// a synthetic id past the vocabulary (a merge result the vocabulary lacks). A merge is then one lookup of an id
/// pair, and a word costs O(n log n) with a heap over the adjacent pairs, never a rescan of the whole word.
struct BPEMerges: Sendable {
    let vocabularySize: Int
    /// Symbol id of each single byte.
    let symbolOfByte: [Int32]
    /// Bytes of the synthetic symbols, by `id - vocabularySize`.
    let syntheticBytes: [[UInt8]]
    /// (left, right) → rank << 32 | merged symbol.
    let pairs: PairTable
    /// llama.cpp's fallback for a final symbol that is no token: the one-character token of each byte, where the
    /// byte's character is one UTF-8 byte (printable ASCII); other bytes are dropped, as there.
    let fallbackOfByte: [Int32]

    init(merges: [GGUFValue], vocab: ByteTable, vocabularySize n: Int, path: String) throws(EngineError) {
        vocabularySize = n
        var symbols = vocab
        var synthetic: [[UInt8]] = []
        func symbol(_ bytes: [UInt8]) -> Int32 {
            if let v = symbols.value(for: bytes) { return Int32(v) }
            let id = Int32(n + synthetic.count)
            synthetic.append(bytes)
            symbols.set(bytes, Int64(id))
            return id
        }
        symbolOfByte = (0..<256).map { symbol([UInt8($0)]) }
        var pairs = PairTable(capacity: merges.count)
        for (rank, value) in merges.enumerated() {
            guard let text = value.string else {
                throw .invalidTokenizer(path: path, reason: "merge \(rank) is not a string")
            }
            // "left right", split at the first space after the first byte (a merge part may start with a space).
            let utf8 = Array(text.utf8)
            guard utf8.count > 2, let space = utf8[1...].firstIndex(of: 0x20) else { continue }
            guard let left = ByteLevel.decode(String(decoding: utf8[..<space], as: UTF8.self)),
                  let right = ByteLevel.decode(String(decoding: utf8[(space + 1)...], as: UTF8.self)),
                  !left.isEmpty, !right.isEmpty else { continue }
            let l = symbol(left), r = symbol(right), merged = symbol(left + right)
            pairs.insertIfAbsent(PairTable.key(l, r), UInt64(rank) << 32 | UInt64(UInt32(merged)))
        }
        self.pairs = pairs
        syntheticBytes = synthetic
        fallbackOfByte = (0..<256).map { b in
            (0x21...0x7E).contains(b) ? vocab.value(for: [UInt8(b)]).map { Int32($0) } ?? -1 : -1
        }
    }
}

/// An open-addressing table from a pair of symbol ids to a merge (rank and result).
struct PairTable: Sendable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private let shift: UInt64

    init(capacity: Int) {
        var size = 16
        var bits: UInt64 = 4
        while size < capacity * 2 { size <<= 1; bits += 1 }
        keys = Array(repeating: Self.empty, count: size)
        values = Array(repeating: 0, count: size)
        mask = size - 1
        shift = 64 - bits
    }

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    mutating func insertIfAbsent(_ key: UInt64, _ value: UInt64) {
        var i = slot(key)
        while keys[i] != Self.empty {
            if keys[i] == key { return }  // the first merge of a pair keeps its rank
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = value
    }

    @inline(__always)
    func value(_ key: UInt64) -> UInt64? {
        keys.withUnsafeBufferPointer { keys in
            var i = slot(key)
            while true {
                let k = keys[i]
                if k == key { return values[i] }
                if k == Self.empty { return nil }
                i = (i + 1) & mask
            }
        }
    }
}

/// Merged words: text repeats its words, so most words are merged once.
struct WordCache: Sendable {
    static let maxWordBytes = 128
    var table = ByteTable(capacity: 1 << 12)
    var tokens: [Int32] = []

    mutating func resetIfFull() {
        if tokens.count > 1 << 20 || table.arenaBytes > 1 << 22 {
            table.removeAll()
            tokens.removeAll(keepingCapacity: true)
        }
    }
}

/// One shard of the word cache. A thread picks its shard from its id, so concurrent encoders rarely share a lock.
final class WordCacheShard: Sendable {
    static let count = 8
    let state = Mutex(WordCache())

    static func forCurrentThread(_ shards: [WordCacheShard]) -> WordCacheShard {
        let id = UInt64(UInt(bitPattern: Int(bitPattern: pthread_self())))
        return shards[Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 61)]
    }
}

/// Buffers reused across the words of one `encode` call.
struct BPEScratch {
    var text = ScalarText()
    var ends: [Int32] = []
    var ids: [Int32] = []
    var prev: [Int32] = []
    var next: [Int32] = []
    var heap = BinaryHeap<BPEPair>()
    var word: [Int32] = []
}

/// A candidate merge of two adjacent symbols; lower rank first, then leftmost.
struct BPEPair: HeapOrdered {
    var order: UInt64   // rank << 32 | left position
    var right: Int32
    var leftID: Int32
    var rightID: Int32
    var merged: Int32
    @inline(__always) static func before(_ a: Self, _ b: Self) -> Bool { a.order < b.order }
}

extension Tokenizer {
    func encodeBPE(_ bytes: UnsafeBufferPointer<UInt8>, _ cache: WordCacheShard, _ scratch: inout BPEScratch,
                   _ output: inout [Int32]) {
        guard let bpe, let preTokenizer, !bytes.isEmpty else { return }
        scratch.text.load(bytes)
        scratch.ends.removeAll(keepingCapacity: true)
        preTokenizer.split(scratch.text, into: &scratch.ends)
        var startScalar = 0
        for end in scratch.ends {
            let from = Int(scratch.text.offsets[startScalar])
            let to = Int(scratch.text.offsets[Int(end)])
            startScalar = Int(end)
            let word = UnsafeBufferPointer(rebasing: bytes[from..<to])
            encodeWord(word, bpe, preTokenizer.ignoresMerges, cache, &scratch, &output)
        }
    }

    @inline(__always)
    private func encodeWord(_ word: UnsafeBufferPointer<UInt8>, _ bpe: BPEMerges, _ ignoreMerges: Bool,
                            _ cache: WordCacheShard, _ scratch: inout BPEScratch, _ output: inout [Int32]) {
        if word.count == 1 {
            emit(bpe.symbolOfByte[Int(word[0])], bpe, &output)
            return
        }
        if ignoreMerges, let id = vocab.value(for: UnsafeRawBufferPointer(word)) {
            output.append(Int32(id))
            return
        }
        let cacheable = word.count <= WordCache.maxWordBytes
        if cacheable {
            let hit = cache.state.withLock { cache -> Bool in
                guard let v = cache.table.value(for: UnsafeRawBufferPointer(word)) else { return false }
                let start = Int(v >> 16), count = Int(v & 0xFFFF)
                output.append(contentsOf: cache.tokens[start..<(start + count)])
                return true
            }
            if hit { return }
        }
        scratch.word.removeAll(keepingCapacity: true)
        merge(word, bpe, &scratch)
        output.append(contentsOf: scratch.word)
        if cacheable {
            let tokens = scratch.word
            cache.state.withLock { cache in
                cache.resetIfFull()
                let start = cache.tokens.count
                cache.tokens.append(contentsOf: tokens)
                cache.table.set(UnsafeRawBufferPointer(word), Int64(start) << 16 | Int64(tokens.count))
            }
        }
    }

    /// Merges one word's bytes; the tokens go to `scratch.word`.
    private func merge(_ word: UnsafeBufferPointer<UInt8>, _ bpe: BPEMerges, _ s: inout BPEScratch) {
        let n = word.count
        s.ids.removeAll(keepingCapacity: true)
        s.prev.removeAll(keepingCapacity: true)
        s.next.removeAll(keepingCapacity: true)
        s.heap.removeAll()
        for i in 0..<n {
            s.ids.append(bpe.symbolOfByte[Int(word[i])])
            s.prev.append(Int32(i - 1))
            s.next.append(i + 1 < n ? Int32(i + 1) : -1)
        }
        func consider(_ left: Int32, _ right: Int32, _ s: inout BPEScratch) {
            guard left >= 0, right >= 0 else { return }
            let l = s.ids[Int(left)], r = s.ids[Int(right)]
            guard let m = bpe.pairs.value(PairTable.key(l, r)) else { return }
            s.heap.push(BPEPair(order: (m >> 32) << 32 | UInt64(UInt32(left)), right: right,
                                leftID: l, rightID: r, merged: Int32(truncatingIfNeeded: m)))
        }
        for i in 1..<n { consider(Int32(i - 1), Int32(i), &s) }
        while let pair = s.heap.pop() {
            let left = Int(UInt32(truncatingIfNeeded: pair.order))
            let right = Int(pair.right)
            // Stale: a side was merged away or changed since this pair was queued.
            guard s.ids[left] == pair.leftID, s.ids[right] == pair.rightID else { continue }
            s.ids[left] = pair.merged
            s.ids[right] = -1
            let after = s.next[right]
            s.next[left] = after
            if after >= 0 { s.prev[Int(after)] = Int32(left) }
            consider(s.prev[left], Int32(left), &s)
            consider(Int32(left), after, &s)
        }
        var i: Int32 = 0
        while i >= 0 {
            emit(s.ids[Int(i)], bpe, &s.word)
            i = s.next[Int(i)]
        }
    }

    @inline(__always)
    private func emit(_ symbol: Int32, _ bpe: BPEMerges, _ output: inout [Int32]) {
        if Int(symbol) < bpe.vocabularySize {
            output.append(symbol)
            return
        }
        for b in bpe.syntheticBytes[Int(symbol) - bpe.vocabularySize] {
            let t = bpe.fallbackOfByte[Int(b)]
            if t >= 0 { output.append(t) }
        }
    }
}

/// Ordering for `BinaryHeap`.
protocol HeapOrdered {
    static func before(_ a: Self, _ b: Self) -> Bool
}

/// A binary heap; `pop` returns the element that comes first by `before`.
struct BinaryHeap<Element: HeapOrdered> {
    private(set) var items: [Element] = []

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Element.before(items[i], items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Element? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            let n = items.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var best = i
                if l < n && Element.before(items[l], items[best]) { best = l }
                if r < n && Element.before(items[r], items[best]) { best = r }
                if best == i { break }
                items.swapAt(i, best)
                i = best
            }
        }
        return top
    }
}
