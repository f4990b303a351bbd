import Chunking
import Testing

@Suite struct SentenceSplitterTests {
    @Test func splitsAtSentenceEnds() {
        #expect(SentenceSplitter.sentences("The cat sat. The dog ran! Did it? Yes.")
            == ["The cat sat.", "The dog ran!", "Did it?", "Yes."])
    }

    @Test func keepsAbbreviationsInitialsAndDecimals() {
        let text = "Dr. Smith et al. reported 3.14 units, e.g. in Fig. 2 of J. Doe's paper. It was 2024."
        #expect(SentenceSplitter.sentences(text)
            == ["Dr. Smith et al. reported 3.14 units, e.g. in Fig. 2 of J. Doe's paper.", "It was 2024."])
    }

    @Test func quotesAndBrackets() {
        #expect(SentenceSplitter.sentences("He said \"stop.\" Then (later) he left.")
            == ["He said \"stop.\"", "Then (later) he left."])
    }

    @Test func lowercaseAfterPeriodIsNoBreak() {
        #expect(SentenceSplitter.sentences("Values in mg. per dose rose.") == ["Values in mg. per dose rose."])
    }

    @Test func noTerminatorAndWhitespace() {
        #expect(SentenceSplitter.sentences("  a fragment without end  ") == ["a fragment without end"])
        #expect(SentenceSplitter.sentences("   ").isEmpty)
    }
}
