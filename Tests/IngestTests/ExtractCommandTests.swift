import Foundation
import Ingest
import Testing
import TestSupport

/// `precis extract` run as a user runs it: the real binary.
@Suite struct ExtractCommandTests {
    @Test func readableOutline() throws {
        let r = try runCommand(Fixtures.precisExecutable, ["extract", XMLReaderTests.fixture("tei.xml")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Title: Letters from the Northern Coast"))
        #expect(r.stdout.contains("\n# First Letter\n"))
        #expect(r.stdout.contains("\n## Postscript\n"))
    }

    @Test func json() throws {
        let r = try runCommand(Fixtures.precisExecutable, ["extract", "--json", XMLReaderTests.fixture("jats-article.xml")])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        #expect(object?["format"] as? String == "xml")
        #expect(object?["dialect"] as? String == "jats")
        #expect((object?["abstract"] as? String)?.hasPrefix("We measured soil moisture") == true)
        #expect((object?["sections"] as? [Any])?.count == 4)
    }

    @Test func badFileIsOneLineAndExitThree() throws {
        let path = XMLReaderTests.fixture("billion-laughs.xml")
        let r = try runCommand(Fixtures.precisExecutable, ["extract", path])
        #expect(r.status == 3)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr == "precis: \(path): XML entity expansion over the limit at line 14 (entity bomb?)\n")
    }

    @Test func listedInHelp() throws {
        let r = try runCommand(Fixtures.precisExecutable, ["--help"])
        #expect(r.stdout.contains("extract"))
        #expect(!r.stdout.contains(Ingest.childSubcommand))
    }

    /// extract reads a PDF in the child, as a run does: poppler's messages are warnings in the output, not lines on
    /// the terminal, and a crash of the child is one line and exit status 3.
    @Test func pdfThroughTheChild() throws {
        let dir = try Fixtures.temporaryDirectory("extract-child")
        let path = dir.appendingPathComponent("junk.pdf")
        try MinimalPDF.write(to: path, pages: ["Some text on a page with junk."], junkOperators: 2)
        let r = try runCommand(Fixtures.precisExecutable, ["extract", path.path], environment: ["G_MESSAGES_DEBUG": "all"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        #expect(r.stdout.contains("Warning: poppler: Syntax error at position"), "\(r.stdout)")
        #expect(r.stdout.contains("Some text on a page with junk."))

        let crash = try runCommand(Fixtures.precisExecutable, ["extract", "--json", path.path],
                                   environment: ["PRECIS_INGEST_CHILD_TEST": "crash"])
        #expect(crash.status == 3)
        #expect(crash.stdout.isEmpty)
        #expect(crash.stderr == "precis: \(path.path): poppler crashed (signal 11)\n")
    }
}
