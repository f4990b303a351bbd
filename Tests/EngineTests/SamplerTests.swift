import Engine
import Foundation
import Testing
import TestSupport

@Suite struct SamplerTests {
    private func sample(_ logits: [Float], _ p: SamplingParameters, recent: [Int32] = []) -> Int32 {
        let s = Sampler(vocabularySize: logits.count, parameters: p)
        s.reset(p)
        recent.forEach(s.accept)
        return logits.withUnsafeBufferPointer { s.sample($0) }
    }

    @Test func greedyTakesTheLargestFirstOnTies() {
        #expect(sample([0.1, 3, -2, 3, 1], .greedy) == 1)
        #expect(sample([-5, -1, -3], .greedy) == 1)
    }

    @Test func repetitionPenaltyFollowsLlamaCpp() {
        // Positive logits are divided, negative multiplied: token 1 (4 → 2) loses to token 3 (3).
        var p = SamplingParameters.greedy
        p.repetitionPenalty = 2
        #expect(sample([0, 4, 0, 3], p, recent: [1, 1, 1]) == 3)
        // A negative logit is pushed further down, once however often it occurred.
        #expect(sample([-1, -1.5, -3, -4], p, recent: [0, 0, 0]) == 1)
    }

    @Test func topKOfOneIsGreedyAtAnyTemperature() {
        let p = SamplingParameters(temperature: 5, topK: 1, topP: 1, minP: 0, seed: 7)
        for seed in 0..<20 as Range<UInt64> {
            var q = p
            q.seed = seed
            #expect(sample([1, 2, 9, 3], q) == 2)
        }
    }

    @Test func minPAndTopPCutTheTail() {
        // Probabilities ∝ e^logit: 0.831, 0.112, 0.041, 0.015; min-p 0.5 keeps only token 0, so does top-p 0.8.
        let logits: [Float] = [4, 2, 1, 0]
        for seed in 0..<50 as Range<UInt64> {
            #expect(sample(logits, SamplingParameters(temperature: 1, topK: 0, topP: 1, minP: 0.5, seed: seed)) == 0)
            #expect(sample(logits, SamplingParameters(temperature: 1, topK: 0, topP: 0.8, minP: 0, seed: seed)) == 0)
        }
        // Top-p 0.9 keeps tokens 0 and 1 (0.831 + 0.112 ≥ 0.9), never 2 or 3; top-p 0.95 also keeps 2.
        var seen = Set<Int32>()
        for seed in 0..<400 as Range<UInt64> {
            seen.insert(sample(logits, SamplingParameters(temperature: 1, topK: 0, topP: 0.9, minP: 0, seed: seed)))
        }
        #expect(seen == [0, 1])
        seen = []
        for seed in 0..<2000 as Range<UInt64> {
            seen.insert(sample(logits, SamplingParameters(temperature: 1, topK: 0, topP: 0.95, minP: 0, seed: seed)))
        }
        #expect(seen == [0, 1, 2])
    }

    @Test func frequenciesFollowTheTemperature() {
        // Two tokens 1 apart in logit: at temperature 1 the second comes e^-1 / (1 + e^-1) ≈ 27% of the time.
        let s = Sampler(vocabularySize: 2)
        s.reset(SamplingParameters(temperature: 1, topK: 0, topP: 1, minP: 0, seed: 3))
        let logits: [Float] = [1, 0]
        var second = 0
        let n = 20000
        for _ in 0..<n where logits.withUnsafeBufferPointer({ s.sample($0) }) == 1 { second += 1 }
        let share = Double(second) / Double(n)
        #expect(abs(share - 0.2689) < 0.015)
    }

    @Test func sameSeedSameSequenceOtherSeedOtherSequence() {
        let logits: [Float] = (0..<100).map { Float($0 % 7) * 0.3 }
        func run(_ seed: UInt64) -> [Int32] {
            let s = Sampler(vocabularySize: logits.count)
            s.reset(SamplingParameters(temperature: 1.0, topK: 50, topP: 0.95, minP: 0, seed: seed))
            return (0..<32).map { _ in logits.withUnsafeBufferPointer { s.sample($0) } }
        }
        #expect(run(42) == run(42))
        #expect(run(42) != run(43))
    }
}
