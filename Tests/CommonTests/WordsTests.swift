import Common
import Foundation
import Testing
import TestSupport

/// `Words` and `PorterStemmer` against rouge-score 0.1.2 and nltk 3.10.4 (scripts/fixtures/make_rouge_fixtures.py).
@Suite struct WordsTests {
    struct StemFixture: Decodable {
        struct TokenCase: Decodable {
            let text: String
            let tokens: [String]
        }
        let words: [String]
        let stems: [String]
        let tokens: [TokenCase]
    }

    static func fixture() throws -> StemFixture {
        let url = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/rouge/stems.json")
        return try JSONDecoder().decode(StemFixture.self, from: Data(contentsOf: url))
    }

    @Test func stemsEveryWordAsNLTK() throws {
        let fixture = try Self.fixture()
        #expect(fixture.words.count > 5000)
        var mismatches: [String] = []
        for (word, stem) in zip(fixture.words, fixture.stems) where PorterStemmer.stem(word) != stem {
            mismatches.append("\(word): \(PorterStemmer.stem(word)) != \(stem)")
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches: \(mismatches.prefix(20))")
    }

    @Test(arguments: [
        ("caresses", "caress"), ("ponies", "poni"), ("ties", "tie"), ("relational", "relat"),
        ("generalization", "gener"), ("skies", "sky"), ("dying", "die"), ("hopping", "hop"), ("falling", "fall"),
        ("Running", "run"), ("is", "is"),
    ])
    func knownStems(word: String, stem: String) {
        #expect(PorterStemmer.stem(word) == stem)
    }

    @Test func tokenizesAsRougeScore() throws {
        for case_ in try Self.fixture().tokens {
            #expect(Words.tokens(case_.text) == case_.tokens, "\(case_.text)")
        }
    }

    @Test func stemsOnlyTokensLongerThanThree() {
        // "his" and "was" would become "hi" and "wa" if stemmed (rouge-score keeps them).
        #expect(Words.stems("The dogs were running; cats ran, his was.")
                == ["the", "dog", "were", "run", "cat", "ran", "his", "was"])
    }

    @Test(arguments: [
        ("Revenue grew 12% to $1,024 million in 1999.", ["12", "1024", "1999"]),
        ("From 3.5 to 3.50 and 2.0, then .5 points", ["3.5", "3.5", "2", "0.5"]),
        ("Values 1,2,3 and 1,000,000 and 1,0000", ["1", "2", "3", "1000000", "1", "0000"]),
        ("H2O, x86 and GPT4 are names; COVID-19 and 135M are not; version 1.2.3.", ["19", "135", "1.2.3"]),
        ("no numbers here.", []),
        ("45% of 1990s cases (n = 1,024.5)", ["45", "1990", "1024.5"]),
    ])
    func numbers(text: String, expected: [String]) {
        #expect(Words.numbers(in: text) == expected)
    }

    @Test func sameNumberWrittenTwoWaysCompareEqual() {
        #expect(Set(Words.numbers(in: "1,024 items")) == Set(Words.numbers(in: "1024 items")))
    }
}
