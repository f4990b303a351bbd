import Chunking
import Common
import Foundation

/// A source's sentences with their tf-idf vectors and LexRank centrality: what extraction selects from and what
/// grounded summaries are checked against.
///
/// The source is a list of parts (a document's chunks, or the summaries a corpus node merges); sentences keep
/// their order, so the sentences of consecutive parts are a contiguous range. Centrality is computed over the
/// candidate sentences only (`SourceSentence.isCandidate`). Over `rankingCap` candidates, each part is ranked on
/// its own first and only its best go into the global graph (the others keep a small local score), so a
/// thousand-page document costs linear time.
public struct SourceIndex: Sendable {
    public let sentences: [SourceSentence]
    /// Centrality of every sentence (0 for those that are not candidates).
    public let centrality: [Double]
    let vectors: [SparseVector]
    let stemSets: [Set<String>]
    let vocabulary: [String: Int32]
    let idf: [Float]
    /// partStart[p] is the first sentence of part p; partStart[parts] == sentences.count.
    let partStart: [Int]

    public static var defaultRankingCap: Int { 1500 }

    public init(parts: [String], excluded: Set<Int> = [], lexRank: LexRank = LexRank(),
                rankingCap: Int = SourceIndex.defaultRankingCap) {
        let sentences = SourceSentence.split(parts, excluded: excluded)
        self.sentences = sentences
        var starts = [Int](repeating: sentences.count, count: parts.count + 1)
        for s in sentences.reversed() { starts[s.part] = s.position }
        for p in stride(from: parts.count - 1, through: 0, by: -1) where starts[p] > starts[p + 1] { starts[p] = starts[p + 1] }
        partStart = starts
        stemSets = sentences.map { Set($0.stems) }

        var df: [String: Int] = [:]
        for set in stemSets { for s in set { df[s, default: 0] += 1 } }
        var vocabulary: [String: Int32] = [:]
        var idf: [Float] = []
        for (term, count) in df.sorted(by: { $0.key < $1.key }) {
            vocabulary[term] = Int32(idf.count)
            idf.append(Float(log(Double(max(1, sentences.count)) / Double(count))))
        }
        self.vocabulary = vocabulary
        self.idf = idf
        let vectors = sentences.map { Self.vector($0.stems, vocabulary: vocabulary, idf: idf) }
        self.vectors = vectors

        var centrality = [Double](repeating: 0, count: sentences.count)
        let candidates = sentences.indices.filter { sentences[$0].isCandidate }
        if candidates.count <= rankingCap {
            for (k, score) in lexRank.scores(candidates.map { vectors[$0] }).enumerated() { centrality[candidates[k]] = score }
        } else {
            // Rank each part alone; its best go on to the global ranking, the rest keep a tiny local score.
            let byPart = Dictionary(grouping: candidates, by: { sentences[$0].part })
            let keep = max(2, rankingCap / max(1, byPart.count))
            var pool: [Int] = []
            for (_, members) in byPart {
                let local = lexRank.scores(members.map { vectors[$0] })
                let order = members.indices.sorted { local[$0] > local[$1] }
                for (rank, k) in order.enumerated() {
                    if rank < keep { pool.append(members[k]) } else { centrality[members[k]] = local[k] * 1e-6 }
                }
            }
            pool.sort()
            for (k, score) in lexRank.scores(pool.map { vectors[$0] }).enumerated() { centrality[pool[k]] = score }
        }
        self.centrality = centrality
    }

    static func vector(_ stems: [String], vocabulary: [String: Int32], idf: [Float]) -> SparseVector {
        var counts: [Int32: Int] = [:]
        for s in stems { if let id = vocabulary[s] { counts[id, default: 0] += 1 } }
        return SparseVector(counts.compactMap { id, tf in
            let w = Float(tf) * idf[Int(id)]
            return w > 0 ? (id, w) : nil
        })
    }

    /// The tf-idf vector of any text, in this source's terms (words the source lacks weigh nothing).
    public func vector(of text: String) -> SparseVector {
        Self.vector(ContentWords.stems(text), vocabulary: vocabulary, idf: idf)
    }

    /// The sentences of parts `parts` (all when nil).
    public func sentenceRange(parts: ClosedRange<Int>?) -> Range<Int> {
        guard let parts else { return 0..<sentences.count }
        let lower = partStart[max(0, min(parts.lowerBound, partStart.count - 1))]
        let upper = partStart[max(0, min(parts.upperBound + 1, partStart.count - 1))]
        return lower..<max(lower, upper)
    }

    /// Candidate sentences of `range`, most central first (ties: earlier first).
    public func ranked(_ range: Range<Int>) -> [Int] {
        range.filter { sentences[$0].isCandidate }.sorted {
            centrality[$0] != centrality[$1] ? centrality[$0] > centrality[$1] : $0 < $1
        }
    }

    /// Candidate sentences of `range`, most central first, centrality pulled towards `text` (topic-sensitive
    /// LexRank over the range's candidates): each sentence's restart weight is `1 - weight` shared evenly plus
    /// `weight` shared in proportion to its cosine with `text`. A text sharing no term with the range, or a
    /// weight of 0, gives `ranked(range)`. Over `rankingCap` candidates, only the most central `rankingCap` are
    /// re-ranked (the rest follow in their order).
    public func ranked(_ range: Range<Int>, towards text: String, weight: Double) -> [Int] {
        let plain = ranked(range)
        guard weight > 0, plain.count > 1 else { return plain }
        let pool = Array(plain.prefix(Self.defaultRankingCap))
        let query = vector(of: text)
        let cosines = pool.map { Double(max(0, vectors[$0].cosine(query))) }
        let total = cosines.reduce(0, +)
        guard total > 0 else { return plain }
        let n = Double(pool.count)
        let bias = cosines.map { (1 - weight) / n + weight * $0 / total }
        let scores = LexRank().scores(pool.map { vectors[$0] }, bias: bias)
        let order = pool.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : pool[$0] < pool[$1] }
        return order.map { pool[$0] } + plain.dropFirst(pool.count)
    }

    static func bigrams(_ words: [String]) -> [String] {
        words.count < 2 ? [] : (1..<words.count).map { words[$0 - 1] + " " + words[$0] }
    }

    /// How well the source in `range` supports `sentence`.
    public func support(of sentence: String, in range: Range<Int>) -> Support {
        let stems = Set(ContentWords.stems(sentence))
        var best: (index: Int?, overlap: Double) = (nil, 0)
        var bestCandidate: (index: Int?, overlap: Double) = (nil, 0)
        var numbers: Set<String> = []
        for i in range {
            numbers.formUnion(sentences[i].numbers)
            guard !stems.isEmpty else { continue }
            let overlap = Double(stems.intersection(stemSets[i]).count) / Double(stems.count)
            if overlap > best.overlap { best = (i, overlap) }
            if sentences[i].isCandidate, overlap > bestCandidate.overlap { bestCandidate = (i, overlap) }
        }
        let missing = Words.numbers(in: sentence).filter { !numbers.contains($0) }
        var bigrams = 0.0
        if let b = best.index {
            let own = Self.bigrams(Words.stems(sentence))
            let theirs = Set(Self.bigrams(Words.stems(sentences[b].text)))
            bigrams = own.isEmpty ? 0 : Double(own.filter(theirs.contains).count) / Double(own.count)
        }
        return Support(source: best.index, overlap: best.overlap, bigramOverlap: bigrams, candidate: bestCandidate.index,
                       candidateOverlap: bestCandidate.overlap, contentWords: stems.count, missingNumbers: missing)
    }
}

/// How a sentence is supported by a source.
public struct Support: Sendable, Equatable {
    /// The source sentence sharing the largest share of its content words, and that share.
    public var source: Int?
    public var overlap: Double
    /// The share of the sentence's word bigrams (stemmed, function words included) that this source sentence has.
    public var bigramOverlap: Double
    /// The same among candidate sentences (what may replace it).
    public var candidate: Int?
    public var candidateOverlap: Double
    /// Distinct content words of the sentence.
    public var contentWords: Int
    /// Numbers of the sentence that the source never writes.
    public var missingNumbers: [String]
}
