import Common

/// ROUGE-1, ROUGE-2 and ROUGE-L F1, in points (0–100), as Google's `rouge-score` computes them with
/// `use_stemmer=True`: both texts tokenized and stemmed by `Words.stems`; ROUGE-N from clipped n-gram counts,
/// ROUGE-L from the longest common subsequence of the whole token lists (not the summary-level `rougeLsum`).
/// Checked against the package on the pairs of `Tests/Fixtures/rouge/rouge_pairs.json`.
public struct RougeScores: Sendable, Equatable, Codable {
    public var rouge1: Double
    public var rouge2: Double
    public var rougeL: Double

    public init(rouge1: Double, rouge2: Double, rougeL: Double) {
        self.rouge1 = rouge1
        self.rouge2 = rouge2
        self.rougeL = rougeL
    }

    public static let zero = RougeScores(rouge1: 0, rouge2: 0, rougeL: 0)
}

public enum Rouge {
    /// The scores of `candidate` against `reference`.
    public static func scores(reference: String, candidate: String) -> RougeScores {
        let r = Words.stems(reference)
        let c = Words.stems(candidate)
        return RougeScores(rouge1: 100 * ngramF1(reference: r, candidate: c, n: 1),
                           rouge2: 100 * ngramF1(reference: r, candidate: c, n: 2),
                           rougeL: 100 * lcsF1(reference: r, candidate: c))
    }

    /// F1 of n-gram overlap, each n-gram counted at most as often as it occurs in the other text.
    public static func ngramF1(reference: [String], candidate: [String], n: Int) -> Double {
        let r = ngrams(reference, n)
        let c = ngrams(candidate, n)
        var overlap = 0
        for (gram, count) in c { overlap += min(count, r[gram] ?? 0) }
        let precision = Double(overlap) / Double(max(candidate.count - n + 1, 1))
        let recall = Double(overlap) / Double(max(reference.count - n + 1, 1))
        return f1(precision, recall)
    }

    /// F1 of the longest common subsequence; 0 when either text has no token.
    public static func lcsF1(reference: [String], candidate: [String]) -> Double {
        guard !reference.isEmpty, !candidate.isEmpty else { return 0 }
        let lcs = Double(lcsLength(reference, candidate))
        return f1(lcs / Double(candidate.count), lcs / Double(reference.count))
    }

    static func f1(_ precision: Double, _ recall: Double) -> Double {
        precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
    }

    static func ngrams(_ tokens: [String], _ n: Int) -> [ArraySlice<String>: Int] {
        var counts: [ArraySlice<String>: Int] = [:]
        guard tokens.count >= n else { return counts }
        for i in 0...(tokens.count - n) { counts[tokens[i..<(i + n)], default: 0] += 1 }
        return counts
    }

    /// Length of the longest common subsequence, one row of the table at a time.
    static func lcsLength(_ a: [String], _ b: [String]) -> Int {
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        for x in a {
            for (j, y) in b.enumerated() {
                current[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], current[j])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
