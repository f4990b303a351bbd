import Evaluation
import Foundation
import Testing
import TestSupport

/// The Swift ROUGE against Google's rouge-score 0.1.2 (scripts/fixtures/make_rouge_fixtures.py).
@Suite struct RougeTests {
    struct Pair: Decodable {
        let reference: String
        let candidate: String
        let rouge1: Double
        let rouge2: Double
        let rougeL: Double
    }

    static let pairs: [Pair] = {
        let url = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/rouge/rouge_pairs.json")
        return (try? JSONDecoder().decode([Pair].self, from: Data(contentsOf: url))) ?? []
    }()

    @Test func fixtureIsThere() {
        #expect(Self.pairs.count >= 20)
    }

    @Test func matchesRougeScoreWithinATenthOfAPoint() {
        var worst = 0.0
        for pair in Self.pairs {
            let ours = Rouge.scores(reference: pair.reference, candidate: pair.candidate)
            for (name, mine, theirs) in [("R-1", ours.rouge1, pair.rouge1), ("R-2", ours.rouge2, pair.rouge2),
                                         ("R-L", ours.rougeL, pair.rougeL)] {
                worst = max(worst, abs(mine - theirs))
                #expect(abs(mine - theirs) <= 0.1, "\(name) \(mine) vs \(theirs): \(pair.candidate.prefix(40))")
            }
        }
        // Same formulas on the same tokens: the only difference left is the fixture's rounding to 4 decimals.
        #expect(worst < 0.0001)
    }

    @Test func identicalEmptyAndDisjoint() {
        #expect(Rouge.scores(reference: "The cat sat.", candidate: "the CAT sat!") == RougeScores(rouge1: 100, rouge2: 100, rougeL: 100))
        #expect(Rouge.scores(reference: "The cat sat.", candidate: "") == .zero)
        #expect(Rouge.scores(reference: "The cat sat.", candidate: "dogs bark loudly") == .zero)
    }

    @Test func orderMattersOnlyForBigramsAndLCS() {
        let s = Rouge.scores(reference: "police killed the gunman", candidate: "the gunman killed police")
        #expect(s.rouge1 == 100)
        #expect(abs(s.rouge2 - 100.0 / 3) < 1e-9)   // "the gunman" only, of 3 bigrams each
        #expect(s.rougeL == 50)                      // "the gunman" (or "killed police"): 2 of 4 tokens in order
    }
}
