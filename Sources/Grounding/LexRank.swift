import Foundation

/// LexRank (Erkan & Radev 2004, continuous variant): sentence centrality by power iteration over the graph of
/// tf-idf cosine similarities.
///
/// Vectors are sparse tf-idf over content stems, idf from the sentences themselves; edges join sentences whose
/// cosine reaches `threshold`, weighted by it; the stationary distribution of the row-normalized graph with
/// damping `damping` is the score. Similarities are accumulated through an inverted index (cost Σ df², not n²
/// dot products), so a few thousand sentences take well under a second.
public struct LexRank: Sendable {
    public var threshold: Float = 0.1
    public var damping: Double = 0.85
    public var iterations = 100

    public init() {}

    /// Centrality of each vector (sums to 1). With `bias` (one non-negative weight per vector, not all zero), the
    /// random surfer restarts in proportion to it instead of uniformly: topic-sensitive LexRank (Otterbacher,
    /// Erkan & Radev 2005), centrality pulled towards the sentences the bias favours.
    public func scores(_ vectors: [SparseVector], bias: [Double]? = nil) -> [Double] {
        let n = vectors.count
        guard n > 1 else { return Array(repeating: 1, count: n) }
        var restart: [Double]? = nil
        if let bias, bias.count == n {
            let total = bias.reduce(0) { $0 + max(0, $1) }
            if total > 0 { restart = bias.map { max(0, $0) / total } }
        }
        // Inverted index: term → (sentence, weight).
        var postings: [Int32: [(Int32, Float)]] = [:]
        for (i, v) in vectors.enumerated() {
            for (t, w) in zip(v.terms, v.weights) { postings[t, default: []].append((Int32(i), w)) }
        }
        // Edges i → j with weight cos(i, j) ≥ threshold (symmetric), no self loops.
        var edges = [[(Int32, Float)]](repeating: [], count: n)
        var accumulator = [Float](repeating: 0, count: n)
        var touched: [Int32] = []
        for i in 0..<n {
            let v = vectors[i]
            for (t, w) in zip(v.terms, v.weights) {
                for (j, wj) in postings[t]! where Int(j) > i {
                    if accumulator[Int(j)] == 0 { touched.append(j) }
                    accumulator[Int(j)] += w * wj
                }
            }
            for j in touched {
                let s = accumulator[Int(j)]
                if s >= threshold {
                    edges[i].append((j, s))
                    edges[Int(j)].append((Int32(i), s))
                }
                accumulator[Int(j)] = 0
            }
            touched.removeAll(keepingCapacity: true)
        }
        let outWeight = edges.map { $0.reduce(Float(0)) { $0 + $1.1 } }
        var p = [Double](repeating: 1 / Double(n), count: n)
        var next = [Double](repeating: 0, count: n)
        for _ in 0..<iterations {
            var dangling = 0.0
            for i in 0..<n where outWeight[i] == 0 { dangling += p[i] }
            if let restart {
                let mass = (1 - damping) + damping * dangling
                for i in 0..<n { next[i] = mass * restart[i] }
            } else {
                let base = (1 - damping) / Double(n) + damping * dangling / Double(n)
                for i in 0..<n { next[i] = base }
            }
            for i in 0..<n where outWeight[i] > 0 {
                let share = damping * p[i] / Double(outWeight[i])
                for (j, w) in edges[i] { next[Int(j)] += share * Double(w) }
            }
            var change = 0.0
            for i in 0..<n { change += abs(next[i] - p[i]) }
            swap(&p, &next)
            if change < 1e-9 { break }
        }
        return p
    }
}

/// A sparse vector: sorted term ids and their weights, L2-normalized.
public struct SparseVector: Sendable, Equatable {
    public var terms: [Int32]
    public var weights: [Float]

    public init(_ entries: [(Int32, Float)]) {
        let sorted = entries.sorted { $0.0 < $1.0 }
        let norm = sorted.reduce(Float(0)) { $0 + $1.1 * $1.1 }.squareRoot()
        terms = sorted.map(\.0)
        weights = sorted.map { norm > 0 ? $0.1 / norm : 0 }
    }

    /// Cosine similarity (both are normalized).
    public func cosine(_ other: SparseVector) -> Float {
        var i = 0
        var j = 0
        var sum: Float = 0
        while i < terms.count, j < other.terms.count {
            if terms[i] == other.terms[j] {
                sum += weights[i] * other.weights[j]
                i += 1
                j += 1
            } else if terms[i] < other.terms[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return sum
    }
}
