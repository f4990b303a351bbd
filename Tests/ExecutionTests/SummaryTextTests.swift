import Execution
import Testing

@Suite struct SummaryTextTests {
    @Test func cutsBackToTheLastSentence() {
        #expect(SummaryText.clean("The plant opened in 1998. It employs 420 people and") == "The plant opened in 1998.")
        #expect(SummaryText.clean("  Values rose 3.5 percent.  ") == "Values rose 3.5 percent.")
        #expect(SummaryText.clean("He said \"stop.\" Then") == "He said \"stop.\"")
    }

    @Test func dropsACutList() {
        #expect(SummaryText.clean("Findings:\n1. Sales rose 4%.\n2.") == "Findings:\n1. Sales rose 4%.")
    }

    @Test func closesTextWithoutAnySentenceEnd() {
        #expect(SummaryText.clean("a fragment with no end") == "a fragment with no end.")
        #expect(SummaryText.clean("left Tromsø on 3 March with") == "left Tromsø on 3 March with.")
        #expect(SummaryText.clean("a list:") == "a list.")
        #expect(SummaryText.clean("   ") == "")
    }

    @Test func dropsVerbatimRepeatsAndStockOpenings() {
        let looped = "Summary: The report covers the budget. The report covers the budget. It ends in May."
        #expect(SummaryText.clean(looped) == "The report covers the budget. It ends in May.")
    }

    @Test func endsSentence() {
        #expect(SummaryText.endsSentence("Done."))
        #expect(!SummaryText.endsSentence("Not done"))
    }
}
