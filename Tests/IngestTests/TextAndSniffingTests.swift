import Foundation
import Ingest
import Testing
import TestSupport

/// Plain text, Markdown, and content sniffing: the content decides, the extension must agree.
@Suite struct TextAndSniffingTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("ingest-text") }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
    private func write(_ name: String, _ text: String) throws -> String { try write(name, Array(text.utf8)) }

    @Test func plainTextParagraphs() throws {
        let path = try write("notes.txt", "First line\nof the first paragraph.\n\n\nSecond paragraph.\r\n\r\n# not a heading in text\n")
        let d = try Ingest.read(path: path)
        #expect(d.format == .text)
        #expect(d.paragraphs.map(\.text) == ["First line of the first paragraph.", "Second paragraph.", "# not a heading in text"])
        #expect(d.outline.isEmpty)
    }

    @Test func markdownHeadings() throws {
        let md = """
        ---
        layout: post
        ---
        # The Title

        Intro with **bold**, `code` and a [link](https://example.org).

        ## Part A
        Text of A
        continues here.

        Part B
        ------

        ```
        let x = 1
        ```

        ### Deep ###
        Last.

        - one item
          continued
        - two
        3. three
        """
        let d = try Ingest.read(path: try write("doc.md", md))
        #expect(d.format == .markdown)
        #expect(d.title == "The Title")
        #expect(d.outline.map(\.heading) == ["The Title", "Part A", "Part B", "Deep"])
        #expect(d.outline.map(\.level) == [1, 2, 2, 3])
        #expect(d.paragraphs.map(\.text) == ["Intro with bold, code and a link.", "Text of A continues here.", "let x = 1", "Last.",
                                             "- one item continued", "- two", "3. three"])
        #expect(d.paragraphs[3].headingPath == ["The Title", "Part B", "Deep"])
    }

    @Test func invalidUTF8IsReplacedWithAWarning() throws {
        let path = try write("bad.txt", Array("caf".utf8) + [0xE9] + Array(" ok\n\nmore ".utf8) + [0xFF, 0xFE] + Array("\n".utf8))
        let d = try Ingest.read(path: path)
        #expect(d.paragraphs.map(\.text) == ["caf\u{FFFD} ok", "more \u{FFFD}\u{FFFD}"])
        #expect(d.warnings == ["invalid UTF-8 at byte 3 and 2 more places; replaced with U+FFFD"])
    }

    @Test func emptyFile() throws {
        let path = try write("empty.pdf", [])
        #expect(throws: IngestError.empty(path: path)) { try Ingest.read(path: path) }
    }

    @Test func missingFile() throws {
        let path = dir.appendingPathComponent("nope.txt").path
        #expect(throws: IngestError.unreadable(path: path, reason: "no such file")) { try Ingest.read(path: path) }
    }

    /// A file over `maxInputBytes` fails before it is read (text and Markdown would be read whole, XML streamed
    /// to its end); one at the limit is read.
    @Test(arguments: ["notes.txt", "notes.md", "notes.xml"])
    func inputOverTheByteLimit(name: String) throws {
        let body = name.hasSuffix(".xml") ? "<doc><p>" + String(repeating: "word ", count: 400) + "</p></doc>"
                                          : String(repeating: "word ", count: 400) + "\n"
        let path = try write(name, body)
        var limits = Ingest.Limits()
        limits.maxInputBytes = body.utf8.count - 1
        #expect(throws: IngestError.inputTooLarge(path: path, bytes: body.utf8.count, limit: body.utf8.count - 1)) {
            try Ingest.read(path: path, limits: limits)
        }
        limits.maxInputBytes = body.utf8.count
        #expect(try Ingest.read(path: path, limits: limits).paragraphs.count == 1)
    }

    @Test func inputLimitMessage() {
        #expect(IngestError.inputTooLarge(path: "big.txt", bytes: 3 << 19, limit: 1 << 20).description
            == "big.txt: 1.5 MB, larger than the input limit of 1 MB (max_input_mb)")
        #expect(Ingest.Limits().maxInputBytes == 512 << 20)
    }

    /// A named pipe would block the reader (or never end): refused without opening it.
    @Test func fifoIsNotRead() throws {
        let path = dir.appendingPathComponent("pipe.txt").path
        #expect(mkfifo(path, 0o600) == 0)
        #expect(throws: IngestError.unreadable(path: path, reason: "not a regular file")) { try Ingest.read(path: path) }
    }

    @Test func randomBytesNamedPDF() throws {
        var rng = SplitMix64(seed: 2)
        let path = try write("random.pdf", (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) })
        #expect(throws: IngestError.contentMismatch(path: path, fileExtension: "pdf", content: "binary data")) {
            try Ingest.read(path: path)
        }
    }

    @Test func unknownTypes() throws {
        let zip = try write("report.docx", [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 60))
        #expect(throws: IngestError.unknownType(path: zip, detail: "a ZIP archive (DOCX, EPUB, ODT…)")) { try Ingest.read(path: zip) }
        let png = try write("image.txt", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0])
        #expect(throws: IngestError.contentMismatch(path: png, fileExtension: "txt", content: "a PNG image")) { try Ingest.read(path: png) }
    }

    @Test func contentNotMatchingExtension() throws {
        let xmlNamedPDF = try write("paper.pdf", "<?xml version=\"1.0\"?><doc><p>x</p></doc>")
        #expect(throws: IngestError.contentMismatch(path: xmlNamedPDF, fileExtension: "pdf", content: "XML")) {
            try Ingest.read(path: xmlNamedPDF)
        }
        let pdfNamedXML = try write("paper.xml", "%PDF-1.5\n%garbage")
        #expect(throws: IngestError.contentMismatch(path: pdfNamedXML, fileExtension: "xml", content: "a PDF")) {
            try Ingest.read(path: pdfNamedXML)
        }
        let textNamedXML = try write("notes.xml", "Just some notes.\n")
        #expect(throws: IngestError.contentMismatch(path: textNamedXML, fileExtension: "xml", content: "plain text")) {
            try Ingest.read(path: textNamedXML)
        }
    }

    @Test func noExtensionContentDecides() throws {
        let d = try Ingest.read(path: try write("README", "Hello there.\n"))
        #expect(d.format == .text)
        let x = try Ingest.read(path: try write("data", "<doc><p>Hi.</p></doc>"))
        #expect(x.format == .xml)
    }

    @Test func jsonShape() throws {
        let d = try Ingest.read(path: try write("j.md", "# T\n\nSay \"hi\"\tnow.\n"))
        let object = try JSONSerialization.jsonObject(with: Data(d.json().utf8)) as? [String: Any]
        #expect(object?["format"] as? String == "markdown")
        #expect(object?["title"] as? String == "T")
        #expect((object?["warnings"] as? [Any])?.isEmpty == true)
        let sections = object?["sections"] as? [[String: Any]]
        #expect(sections?.first?["heading"] as? String == "T")
        #expect(sections?.first?["level"] as? Int == 1)
        let paragraphs = sections?.first?["paragraphs"] as? [[String: Any]]
        #expect(paragraphs?.first?["text"] as? String == "Say \"hi\" now.")
        #expect(paragraphs?.first?["page"] == nil)
        #expect((sections?.first?["sections"] as? [Any])?.isEmpty == true)
    }
}
