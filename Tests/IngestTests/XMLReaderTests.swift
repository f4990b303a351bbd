import Foundation
import Ingest
import Testing
import TestSupport

/// The XML dialects and the hostile inputs, on the samples in Tests/Fixtures/ingest.
@Suite struct XMLReaderTests {
    static func fixture(_ name: String) -> String {
        Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/ingest/\(name)").path
    }

    /// Every piece of text the document holds (title, abstract, headings, paragraphs).
    static func allText(_ d: Document) -> String {
        ([d.title, d.abstract].compactMap { $0 } + d.outline.map(\.heading) + d.paragraphs.map(\.text)).joined(separator: "\n")
    }

    @Test func jatsArticle() throws {
        let d = try Ingest.read(path: Self.fixture("jats-article.xml"))
        #expect(d.format == .xml)
        #expect(d.dialect == "jats")
        #expect(d.title == "Soil moisture and Quercus seedling survival")
        #expect(d.metadata.author == "Ada Okafor, Per Lindqvist")
        #expect(d.metadata.date == "2021-03-07")
        #expect(d.abstract == "We measured soil moisture under 40 oak seedlings for two summers.\n\nSurvival doubled where moisture stayed above 12 percent.")
        // The abstract is kept apart from the body.
        #expect(!d.paragraphs.contains { $0.text.contains("40 oak seedlings") })
        #expect(d.outline.map(\.heading) == ["Introduction", "Methods", "Site", "Results", "Acknowledgements"])
        #expect(d.outline.map(\.level) == [1, 1, 2, 1, 1])
        #expect(d.paragraphs.map(\.text) == [
            "Oak regeneration fails in dry years [1].",
            "We ask how much water a seedling needs.",
            "The site lies on a south slope at 400 m.",
            "Measurements were taken weekly.",
            "Survival was 62 percent with irrigation.",
            "We thank the foresters.",
        ])
        #expect(d.paragraphs[2].headingPath == ["Methods", "Site"])
        #expect(d.paragraphs[3].headingPath == ["Methods"])
        let text = Self.allText(d)
        for left in ["REFERENCETEXT", "TABLECELLTEXT", "MATHTEXT", "Journal of Synthetic Tests", "drought", "Editor"] {
            #expect(!text.contains(left), "\(left) should be left out")
        }
        #expect(d.warnings.isEmpty)
    }

    @Test func tei() throws {
        let d = try Ingest.read(path: Self.fixture("tei.xml"))
        #expect(d.dialect == "tei")
        #expect(d.title == "Letters from the Northern Coast")
        #expect(d.metadata.author == "Marta Ilves")
        #expect(d.metadata.date == "1888-06-01")
        #expect(d.abstract == "Three letters about the fishing season.")
        #expect(d.outline.map(\.heading) == ["First Letter", "Postscript", "Second Letter"])
        #expect(d.outline.map(\.level) == [1, 2, 1])
        #expect(d.paragraphs.map(\.text) == ["The boats went out before dawn.", "Send more salt.",
                                             "The letter closes with greetings.", "The herring came late this year."])
        #expect(d.paragraphs[1].headingPath == ["First Letter", "Postscript"])
        #expect(!Self.allText(d).contains("HEADERTEXT"))
        #expect(!Self.allText(d).contains("FORMWORK"))
    }

    @Test func docbookWithEntities() throws {
        let d = try Ingest.read(path: Self.fixture("docbook.xml"))
        #expect(d.dialect == "docbook")
        #expect(d.title == "The Precis Handbook")
        #expect(d.metadata.author == "Lena Park")
        #expect(d.metadata.date == "2024")
        #expect(d.abstract == "How to summarize long documents with Precis.")
        #expect(d.outline.map(\.heading) == ["Getting Started", "Requirements", "Jobs"])
        #expect(d.outline.map(\.level) == [1, 2, 1])
        // A declared entity is expanded; undeclared ones (from a DTD never loaded) become their character when
        // they are common character entities, otherwise their names, with a warning.
        #expect(d.paragraphs[0].text == "Install Precis with two commands — nothing else.")
        #expect(d.paragraphs[1].text == "A Linux machine with undefinedthing and Swift 6.")
        #expect(d.warnings == ["undefined entity &undefinedthing; kept as its name"])
        #expect(d.paragraphs.map(\.text).contains("Two cores."))
        #expect(!Self.allText(d).contains("TABLECELLTEXT"))
    }

    @Test func docbook5() throws {
        let d = try Ingest.read(path: Self.fixture("docbook5.xml"))
        #expect(d.dialect == "docbook")
        #expect(d.title == "Release Notes")
        #expect(d.abstract == "What changed in version 2.")
        #expect(d.outline.map(\.heading) == ["New", "Details", "Fixed"])
        #expect(d.outline.map(\.level) == [1, 2, 1])
    }

    @Test func xhtml() throws {
        let d = try Ingest.read(path: Self.fixture("xhtml.xhtml"))
        #expect(d.dialect == "xhtml")
        #expect(d.title == "Field Notes")
        #expect(d.metadata.author == "Sam Rivera")
        #expect(d.outline.map(\.heading) == ["Field Notes", "Birds", "Rare ones", "Plants"])
        #expect(d.outline.map(\.level) == [1, 2, 3, 2])
        #expect(d.paragraphs.map(\.text) == ["Notes from the spring survey.", "Twelve species were seen.", "Robin", "Wren",
                                             "One hoopoe.", "Mostly grasses."])
        #expect(!Self.allText(d).contains("STYLETEXT"))
        #expect(!Self.allText(d).contains("SCRIPTTEXT"))
    }

    @Test func lineBreaksSeparateWords() throws {
        let x = try Ingest.read(path: Self.fixture("linebreaks.xhtml"))
        #expect(x.paragraphs.map(\.text) == ["first line second line and more"])
        let t = try Ingest.read(path: Self.fixture("tei-linebreaks.xml"))
        #expect(t.paragraphs.map(\.text) == ["the ships came in with herring in the hold"])
    }

    @Test func genericFallback() throws {
        let d = try Ingest.read(path: Self.fixture("generic.xml"))
        #expect(d.dialect == "generic")
        #expect(d.title == "Quarterly Report")
        #expect(d.outline.map(\.heading) == ["Sales", "Costs"])
        #expect(d.paragraphs.map(\.text) == ["Sales rose by 4 percent in the quarter.", "Figures are unaudited.",
                                             "Costs fell slightly."])
    }

    @Test func isoLatin1() throws {
        let d = try Ingest.read(path: Self.fixture("latin1.xml"))
        #expect(d.title == "Café notes")
        #expect(d.paragraphs.map(\.text) == ["Crème brûlée for £5."])
    }

    @Test(arguments: [true, false]) func utf16(bigEndian: Bool) throws {
        let dir = try Fixtures.temporaryDirectory("ingest-utf16")
        defer { try? FileManager.default.removeItem(at: dir) }
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<doc><title>Ελληνικά</title><p>Ünïcödé text 日本語.</p></doc>\n"
        var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in xml.utf16 {
            bytes += bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
        let path = dir.appendingPathComponent("utf16.xml").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let d = try Ingest.read(path: path)
        #expect(d.title == "Ελληνικά")
        #expect(d.paragraphs.map(\.text) == ["Ünïcödé text 日本語."])
    }

    // MARK: hostile input

    @Test func malformed() throws {
        let path = Self.fixture("malformed.xml")
        #expect(throws: IngestError.malformedXML(path: path, line: 5, column: 7,
                                                 message: "Opening and ending tag mismatch: p line 3 and doc")) {
            try Ingest.read(path: path)
        }
    }

    @Test func externalEntityFileIsNotRead() throws {
        let d = try Ingest.read(path: Self.fixture("xxe-file.xml"))
        #expect(d.paragraphs.map(\.text) == ["Before after."])
        #expect(!Self.allText(d).contains("root:"))
        #expect(d.warnings == ["external entity &secret; (file:///etc/passwd) not loaded"])
    }

    @Test func externalEntityURLIsNotFetched() throws {
        let d = try Ingest.read(path: Self.fixture("xxe-url.xml"))
        #expect(d.paragraphs.map(\.text) == ["Before after."])
        #expect(d.warnings.contains("external entity &remote; (http://127.0.0.1:9/evil.xml) not loaded"))
    }

    /// Billion laughs, and the same with empty entities (references that multiply without producing text): the
    /// expansion limit stops both at the line of the first reference that goes over it.
    @Test(arguments: [("billion-laughs.xml", 14), ("empty-entity-bomb.xml", 11)])
    func entityBombsFailFast(file: String, line: Int) throws {
        let path = Self.fixture(file)
        #expect(throws: IngestError.entityExpansion(path: path, line: line)) { try Ingest.read(path: path) }
    }

    @Test func deepNestingIsRefused() throws {
        let dir = try Fixtures.temporaryDirectory("ingest-deep")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("deep.xml").path
        let depth = 10_000
        let xml = "<?xml version=\"1.0\"?>\n" + String(repeating: "<d>", count: depth) + "x" + String(repeating: "</d>", count: depth)
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: IngestError.tooDeep(path: path, line: 2, limit: 200)) { try Ingest.read(path: path) }
    }

    @Test func emptyDocumentHasNoText() throws {
        let dir = try Fixtures.temporaryDirectory("ingest-notext")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("empty.xml").path
        try "<?xml version=\"1.0\"?><doc><p>  </p></doc>".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: IngestError.noText(path: path, pages: nil)) { try Ingest.read(path: path) }
    }

    @Test func statisticsStreamWithoutKeepingText() throws {
        let s = try Ingest.statistics(path: Self.fixture("jats-article.xml"))
        #expect(s.format == .xml)
        #expect(s.paragraphs == 6)
        #expect(s.words == 39)
    }
}
