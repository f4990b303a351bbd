import Chunking
import Common
import Foundation
import Grounding
import Testing
import TestSupport

/// Ranking, extraction and support checks on real text: Debian's copies of the GNU and other licences.
@Suite struct GroundingTests {
    static let licences = ["GPL-3", "GPL-2", "Apache-2.0", "LGPL-2.1", "GFDL-1.3", "Artistic", "MPL-2.0"]

    /// Paragraphs (blank-line separated) of a licence text on disk.
    private func licenceParts(_ name: String) throws -> [String] {
        let path = "/usr/share/common-licenses/\(name)"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }

    private func fourGramRepeats(_ text: String) -> Bool {
        let words = Words.tokens(text)
        guard words.count >= 4 else { return false }
        var seen = Set<String>()
        for k in 0...(words.count - 4) where !seen.insert(words[k..<(k + 4)].joined(separator: " ")).inserted { return true }
        return false
    }

    @Test func lexRankPrefersTheSentenceThatSharesMost() {
        let sentences = [
            ["river", "flood", "bank"], ["river", "flood", "town", "bank"], ["river", "town"],
            ["flood", "town", "bank"], ["piano", "concert"],
        ]
        var df: [String: Int] = [:]
        for s in sentences { for t in Set(s) { df[t, default: 0] += 1 } }
        var ids: [String: Int32] = [:]
        let vectors = sentences.map { s in
            SparseVector(s.map { t in
                let id = ids[t] ?? { let n = Int32(ids.count); ids[t] = n; return n }()
                return (id, Float(log(5.0 / Double(df[t]!))))
            })
        }
        let scores = LexRank().scores(vectors)
        #expect(abs(scores.reduce(0, +) - 1) < 1e-6)
        #expect(scores.indices.max { scores[$0] < scores[$1] } == 1)
        #expect(scores.indices.min { scores[$0] < scores[$1] } == 4)
    }

    @Test func boilerplateIsNotACandidate() {
        func prose(_ s: String) -> Bool { Boilerplate.isProse(s, contentWords: ContentWords.stems(s).count) }
        #expect(prose("The survey team counted two hundred reindeer near the fjord in early March."))
        #expect(!prose("Figure 3. Accuracy of the three models on the held-out test set."))
        #expect(!prose("Smith, J., Jones, K., Brown, L. Deep nets for cats. Journal of Pets, 12(3), 2019, 2020."))
        #expect(!prose("x = (a + b) / 2 + 3 * y - 4 = 17 + 22 / 7 - 1."))
        #expect(!prose("and then the model was trained for two more days."))
        #expect(!prose("Results of the first experiment without a sentence end"))
        #expect(Boilerplate.isBackMatter(["7 References"]) && !Boilerplate.isBackMatter(["2 Methods"]))
    }

    @Test func extractionQuotesCentralSentencesInOrderWithinTheBudget() throws {
        let parts = try licenceParts("GPL-3")
        let index = SourceIndex(parts: parts)
        let counter = WordCounter()
        let source = index.sentences.map(\.text)
        for budget in [60, 160, 400] {
            let summary = Extractor.summary(of: index, parts: nil, budget: budget, counter: counter)
            let chosen = index.sentences.indices.filter { summary.contains(index.sentences[$0].text) && index.sentences[$0].isCandidate }
            // The summary is exactly the chosen source sentences, verbatim, in source order.
            #expect(!chosen.isEmpty)
            #expect(chosen.map { source[$0] }.joined(separator: " ") == summary)
            #expect(chosen.reduce(0) { $0 + counter.count(source[$1]) } <= budget)
            #expect(budget < 160 || chosen.count >= 3)
            #expect(!fourGramRepeats(summary))
            #expect(SummaryEnd.endsSentence(summary))
        }
        // A span gets sentences from its own parts only.
        let span = index.sentenceRange(parts: 10...20)
        let partial = Extractor.summary(of: index, parts: 10...20, budget: 120, counter: counter)
        for sentence in Grounder.sentences(of: partial) {
            #expect(span.contains { index.sentences[$0].text.hasPrefix(sentence.dropLast()) }, "\(sentence)")
        }
    }

    @Test func aLargeSourceIsRankedPartByPartThenGlobally() throws {
        let parts = try Self.licences.flatMap { try licenceParts($0) }
        let full = SourceIndex(parts: parts)
        let capped = SourceIndex(parts: parts, rankingCap: 200)
        let candidates = full.sentences.filter(\.isCandidate).count
        #expect(candidates > 400)
        // What keeps a large source fast: the global graph holds only each part's best, about the cap (each part
        // keeps at least 2), not every candidate; the others keep a local score scaled below 1e-5.
        let global = capped.centrality.filter { $0 > 1e-5 }.count
        #expect(global <= 200 + 2 * parts.count && global < candidates, "\(global) of \(candidates) ranked globally")
        // Every candidate has a score; the capped ranking still puts its pooled sentences first.
        #expect(capped.sentences.indices.filter { capped.sentences[$0].isCandidate }.allSatisfy { capped.centrality[$0] > 0 })
        let top = capped.ranked(0..<capped.sentences.count).prefix(10)
        #expect(top.allSatisfy { capped.centrality[$0] > 1e-5 })
        let summary = Extractor.summary(of: capped, parts: nil, budget: 200, counter: WordCounter())
        #expect(!summary.isEmpty && SummaryEnd.endsSentence(summary))
    }

    @Test func groundingKeepsSupportedSentencesAndReplacesOrDropsTheRest() throws {
        let parts = try licenceParts("GPL-3")
        let index = SourceIndex(parts: parts)
        let modelText = """
        Here is what it says:
        - The GNU General Public License is a free, copyleft license for software and other kinds of works.
        - The licenses for most software are designed to take away your freedom to share and change the works, 1998 edition.
        - The authors ride bicycles across the mountains every summer.
        The license was signed by 4711 people.
        """
        let outcome = Grounder().ground(modelText, in: index, parts: nil, budget: 200, counter: WordCounter())
        #expect(outcome.kept >= 1)
        #expect(outcome.dropped >= 2)
        #expect(outcome.replaced >= 1)
        #expect(outcome.text.contains("The GNU General Public License is a free, copyleft license"))
        #expect(!outcome.text.contains("bicycle") && !outcome.text.contains("4711") && !outcome.text.contains("1998"))
        let all = 0..<index.sentences.count
        for sentence in Grounder.sentences(of: outcome.text) {
            let support = index.support(of: sentence, in: all)
            let verbatim = index.sentences.contains { $0.text == sentence }
            #expect(verbatim || Grounder().supports(support), "\(sentence)")
            #expect(support.missingNumbers.isEmpty, "\(sentence)")
        }
        // The same words in another relation are not support.
        let scrambled = index.support(of: "Your freedom to change most software licenses is designed for practical works and other shares.", in: all)
        #expect(scrambled.overlap >= 0.6 && !Grounder().supports(scrambled))
        #expect(!fourGramRepeats(outcome.text))
        #expect(WordCounter().count(outcome.text) <= 200 + 20)
    }

    @Test func biasedLexRankMovesCentralityTowardsTheBias() {
        let sentences = [["river", "flood", "bank"], ["river", "flood", "town", "bank"], ["river", "town"],
                         ["flood", "town", "bank"], ["town", "concert"]]
        var ids: [String: Int32] = [:]
        let vectors = sentences.map { s in
            SparseVector(s.map { t in (ids[t] ?? { let n = Int32(ids.count); ids[t] = n; return n }(), 1) })
        }
        let plain = LexRank().scores(vectors)
        #expect(LexRank().scores(vectors, bias: nil) == plain)
        let uniform = LexRank().scores(vectors, bias: [Double](repeating: 2, count: 5))
        #expect(zip(uniform, plain).allSatisfy { abs($0 - $1) < 1e-12 })
        let biased = LexRank().scores(vectors, bias: [0, 0, 0, 0, 1])
        #expect(abs(biased.reduce(0, +) - 1) < 1e-6)
        #expect(biased[4] > plain[4] * 1.5, "restarts at the biased sentence raise its score: \(biased[4]) vs \(plain[4])")
        // Its only neighbours (through "town") gain too; the sentence that shares nothing with it loses.
        #expect(biased[0] < plain[0])
        // An all-zero or wrong-length bias is no bias.
        #expect(LexRank().scores(vectors, bias: [0, 0, 0, 0, 0]) == plain)
        #expect(LexRank().scores(vectors, bias: [1]) == plain)
    }

    @Test func steeredRankingFavoursSentencesAboutTheText() throws {
        let index = SourceIndex(parts: try licenceParts("GPL-3"))
        let all = 0..<index.sentences.count
        let plain = index.ranked(all)
        #expect(index.ranked(all, towards: "object code", weight: 0) == plain)
        #expect(index.ranked(all, towards: "zebra giraffe", weight: 0.5) == plain, "a text the source lacks steers nothing")
        let steered = index.ranked(all, towards: "Conveying object code with the Corresponding Source.", weight: 0.5)
        #expect(Set(steered) == Set(plain) && steered.count == plain.count)
        let query = index.vector(of: "Conveying object code with the Corresponding Source.")
        func closeness(_ order: [Int]) -> Float { order.prefix(5).map { index.vector(of: index.sentences[$0].text).cosine(query) }.reduce(0, +) }
        #expect(closeness(steered) > closeness(plain) + 0.2, "\(closeness(steered)) vs \(closeness(plain))")
    }

    @Test func verbatimGroundingQuotesTheSourceOnly() throws {
        let index = SourceIndex(parts: try licenceParts("GPL-3"))
        let modelText = """
        The GNU General Public License is a free, copyleft license for software and other kinds of works.
        The authors ride bicycles across the mountains every summer.
        """
        var grounder = Grounder()
        grounder.verbatim = true
        grounder.steering = 0.5
        let outcome = grounder.ground(modelText, in: index, parts: nil, budget: 120, counter: WordCounter())
        #expect(outcome.kept == 1 && outcome.dropped >= 1 && outcome.filled >= 1)
        #expect(outcome.text.contains("copyleft license for software and other kinds of works"))
        #expect(!outcome.text.contains("bicycle"))
        for sentence in Grounder.sentences(of: outcome.text) {
            #expect(index.sentences.contains { $0.text == sentence }, "not a source sentence: \(sentence)")
        }
    }
}
