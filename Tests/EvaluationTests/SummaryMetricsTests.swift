import Evaluation
import Testing

@Suite struct SummaryMetricsTests {
    @Test func unsupportedNumbersAreThoseTheSourceNeverWrites() {
        let m = SummaryMetrics(summary: "Survival rose to 62% in 2021, from 1,024 plots and 7 sites.",
                               reference: "Survival was 62 percent.",
                               source: "We sampled 1024 plots in 2021; survival was 62 percent.",
                               tokens: 20, targetTokens: 40, seconds: 1.5)
        #expect(m.numbers == 4)
        #expect(m.unsupportedNumbers == ["7"])
        #expect(m.endsOnSentence)
        #expect(!m.repeated4Gram)
        #expect(m.tokens == 20 && m.targetTokens == 40 && m.seconds == 1.5)
    }

    @Test func repeatedFourGramIsALoop() {
        #expect(SummaryMetrics.hasRepeatedNGram(["the", "model", "is", "good", "and", "the", "model", "is", "good"], n: 4))
        #expect(!SummaryMetrics.hasRepeatedNGram(["the", "model", "is", "good", "and", "the", "model", "is", "bad"], n: 4))
        let m = SummaryMetrics(summary: "The results show that. The results show that again.", reference: "x",
                               source: "", tokens: 10, targetTokens: 10, seconds: 0)
        #expect(m.repeated4Gram)
    }

    @Test(arguments: [
        ("It works.", true), ("It works!", true), ("Does it?", true), ("He said \"it works.\"", true),
        ("(It works.)", true), ("It works", false), ("It works (see 2)", false), ("", false), ("Ends with a colon:", false),
        ("Done.\n\n", true),
    ])
    func endsOnSentence(text: String, expected: Bool) {
        #expect(SummaryMetrics.endsOnSentence(text) == expected)
    }
}
