#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Common

/// How the next token is chosen. llama.cpp's semantics and order: repetition penalty, top-k, top-p, min-p on the
/// unscaled logits, then temperature and a draw; `temperature <= 0` takes the most likely token (greedy).
public struct SamplingParameters: Sendable, Hashable, Codable {
    public var temperature: Float
    /// Keep the k most likely tokens (0: all).
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probabilities add up to at least this (1: all).
    public var topP: Float
    /// Keep tokens at least this fraction as likely as the most likely one (0: all).
    public var minP: Float
    /// Divides positive logits and multiplies negative ones of tokens seen in the last `penaltyWindow` (1: off).
    public var repetitionPenalty: Float
    public var penaltyWindow: Int
    /// The same seed gives the same text.
    public var seed: UInt64
    /// Never repeat an n-gram of generated tokens of this length (0: off). Unlike the repetition penalty it
    /// leaves the prompt's words free to be copied, which summaries need, and stops loops before they start.
    public var noRepeatNGram: Int = 0

    public init(temperature: Float = 0.8, topK: Int = 40, topP: Float = 0.95, minP: Float = 0.05,
                repetitionPenalty: Float = 1.0, penaltyWindow: Int = 64, seed: UInt64 = 0) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.penaltyWindow = penaltyWindow
        self.seed = seed
    }

    /// Greedy decoding: always the most likely token.
    public static let greedy = SamplingParameters(temperature: 0)
}

/// Picks tokens from logits. One per worker: its buffers are allocated once for the vocabulary, so sampling
/// allocates nothing.
public final class Sampler {
    public private(set) var parameters: SamplingParameters
    private var random: SeededGenerator
    private let vocabularySize: Int
    /// Candidates: token ids and their logits (later probabilities), the first `count` valid.
    private let ids: UnsafeMutablePointer<Int32>
    private let values: UnsafeMutablePointer<Float>
    /// Recent tokens for the repetition penalty, a ring of `penaltyWindow`.
    private let recent: UnsafeMutablePointer<Int32>
    private var recentCount = 0
    private var recentNext = 0
    private let recentCapacity: Int
    /// Per-token stamp so a repeated token is penalized once per step (llama.cpp counts, then applies once).
    private let stamp: UnsafeMutablePointer<UInt32>
    private var step: UInt32 = 0

    public init(vocabularySize: Int, parameters: SamplingParameters = .greedy) {
        precondition(vocabularySize > 0)
        self.vocabularySize = vocabularySize
        self.parameters = parameters
        random = SeededGenerator(seed: parameters.seed)
        ids = .allocate(capacity: vocabularySize)
        values = .allocate(capacity: vocabularySize)
        recentCapacity = max(1, parameters.penaltyWindow)
        recent = .allocate(capacity: max(recentCapacity, 4096))
        stamp = .allocate(capacity: vocabularySize)
        stamp.initialize(repeating: 0, count: vocabularySize)
    }

    deinit {
        ids.deallocate()
        values.deallocate()
        recent.deallocate()
        stamp.deallocate()
    }

    /// Starts over with `parameters`: reseeds the generator and forgets recent tokens.
    public func reset(_ parameters: SamplingParameters) {
        precondition(parameters.penaltyWindow <= 4096, "penalty window above 4096")
        self.parameters = parameters
        random = SeededGenerator(seed: parameters.seed)
        recentCount = 0
        recentNext = 0
    }

    /// Remembers a token for the repetition penalty (prompt tokens too, as llama.cpp does when it accepts them).
    public func accept(_ token: Int32) {
        let window = max(1, parameters.penaltyWindow)
        recent[recentNext] = token
        recentNext = (recentNext + 1) % window
        recentCount = min(recentCount + 1, window)
    }

    /// The next token from `logits` ([vocab]), never one of `banned`.
    public func sample(_ logits: UnsafeBufferPointer<Float>, banned: UnsafeBufferPointer<Int32> = .init(start: nil, count: 0)) -> Int32 {
        precondition(logits.count == vocabularySize)
        let p = parameters
        var n = vocabularySize
        for i in 0..<n {
            ids[i] = Int32(i)
            values[i] = logits[i]
        }
        for token in banned where token >= 0 && Int(token) < vocabularySize { values[Int(token)] = -.infinity }
        if p.repetitionPenalty != 1, recentCount > 0, p.penaltyWindow > 0 { penalize(p.repetitionPenalty) }

        if p.temperature <= 0 {
            var best = 0
            for i in 1..<n where values[i] > values[best] { best = i }
            return ids[best]
        }

        // Top-k (k = 0: all), leaving the candidates sorted by logit, descending.
        let k = p.topK > 0 ? min(p.topK, n) : n
        selectTop(k, of: n)
        n = k

        // Top-p and min-p on the probabilities at temperature 1.
        let maxLogit = values[0]
        var sum: Float = 0
        for i in 0..<n { sum += (values[i] - maxLogit).exp }
        if p.topP < 1 {
            var cumulative: Float = 0
            for i in 0..<n {
                cumulative += (values[i] - maxLogit).exp / sum
                if cumulative >= p.topP { n = i + 1; break }
            }
        }
        if p.minP > 0 {
            let threshold = maxLogit + p.minP.logarithm
            var kept = 1
            while kept < n, values[kept] >= threshold { kept += 1 }
            n = kept
        }

        // Temperature, then a draw.
        var total: Float = 0
        for i in 0..<n {
            let e = ((values[i] - maxLogit) / p.temperature).exp
            values[i] = e
            total += e
        }
        var r = random.unit() * total
        for i in 0..<n {
            r -= values[i]
            if r < 0 { return ids[i] }
        }
        return ids[n - 1]
    }

    private func penalize(_ penalty: Float) {
        step &+= 1
        if step == 0 {  // the stamps wrapped around: clear them
            stamp.update(repeating: 0, count: vocabularySize)
            step = 1
        }
        for j in 0..<recentCount {
            let t = Int(recent[j])
            guard t >= 0, t < vocabularySize, stamp[t] != step else { continue }
            stamp[t] = step
            values[t] = values[t] > 0 ? values[t] / penalty : values[t] * penalty
        }
    }

    /// Moves the `k` largest of the first `n` candidates to the front, sorted descending (ties: lower id first),
    /// with a heap, in place.
    private func selectTop(_ k: Int, of n: Int) {
        // A min-heap of the best k seen so far in [0, k).
        @inline(__always) func less(_ a: Int, _ b: Int) -> Bool {
            values[a] < values[b] || (values[a] == values[b] && ids[a] > ids[b])
        }
        @inline(__always) func swapAt(_ a: Int, _ b: Int) {
            swap(&ids[a], &ids[b])
            swap(&values[a], &values[b])
        }
        func siftDown(_ start: Int, _ size: Int) {
            var i = start
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < size, less(l, m) { m = l }
                if r < size, less(r, m) { m = r }
                if m == i { return }
                swapAt(i, m)
                i = m
            }
        }
        for i in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(i, k) }
        for i in k..<n where less(0, i) {
            swapAt(0, i)
            siftDown(0, k)
        }
        // Heap sort the k: repeatedly move the smallest to the end → descending order.
        var size = k
        while size > 1 {
            swapAt(0, size - 1)
            size -= 1
            siftDown(0, size)
        }
    }
}

private extension Float {
    var exp: Float { expf(self) }
    var logarithm: Float { logf(self) }
}
