import Foundation
import Ingest
import Testing
import TestSupport

/// PDFs written by cairo, read back through poppler: layout, structure, fidelity against pdftotext, bad files.
@Suite struct PDFReaderTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("ingest-pdf") }

    static let lorem = "the quiet river carried small boats past the old mill while farmers counted sheep and children walked to school along the muddy path near the church"

    /// A four-page article: title and abstract on page 1, two columns with numbered sections, a running header and
    /// a page-number footer on every page, a word hyphenated at a line end.
    func article(_ name: String = "article.pdf") -> String {
        let path = dir.appendingPathComponent(name).path
        let pdf = PDFWriter(path: path)
        let colWidth = 225.0, left = 60.0, right = 310.0
        for page in 1...4 {
            pdf.text("Journal of Synthetic Tests · Volume 3 · 2024", x: left, y: 40, size: 8)
            var yl = 90.0, yr = 90.0
            if page == 1 {
                pdf.text("Rivers and Mills of the Lowlands", x: left, y: 80, size: 20, bold: true)
                pdf.text("Abstract", x: left, y: 110, size: 12, bold: true)
                pdf.paragraph("We describe rivers mills and sheep in a synthetic lowland used only for testing purposes.",
                              x: left, y: 126, width: 475)
                yl = 170; yr = 170
                pdf.text("1 Introduction", x: left, y: yl, size: 14, bold: true)
                yl += 20
            }
            yl = pdf.paragraph("Left\(page) alpha paragraph begins the page and then \(Self.lorem) until it stops.",
                               x: left, y: yl, width: colWidth) + 8
            if page == 2 {
                pdf.text("2 Methods", x: left, y: yl + 6, size: 14, bold: true)
                yl += 26
                pdf.text("2.1 Sampling sites", x: left, y: yl, size: 12, bold: true)
                yl += 18
            }
            yl = pdf.paragraph("Left\(page) beta paragraph explains an extraordinary hyphenation example where \(Self.lorem) and the text runs on to the",
                               x: left, y: yl, width: colWidth, hyphenate: ["hyphen|ation"])
            _ = yl
            yr = pdf.paragraph("bottom of the left column so page \(["one", "two", "three", "four"][page - 1]) carries the same sentence to its end.",
                               x: right, y: yr, width: colWidth) + 8
            pdf.paragraph("Right\(page) gamma paragraph closes the page after \(Self.lorem) with a full stop.",
                          x: right, y: yr, width: colWidth)
            pdf.text("\(page)", x: 295, y: 800, size: 9)
            if page < 4 { pdf.newPage() }
        }
        pdf.finish()
        return path
    }

    @Test func twoColumnReadingOrderAndParagraphs() throws {
        let d = try Ingest.read(path: article())
        #expect(d.format == .pdf)
        #expect(d.pageCount == 4)
        let texts = d.paragraphs.map(\.text)
        let starts = texts.map { String($0.prefix(12)) }
        #expect(starts == [
            "Left1 alpha ", "Left1 beta p", "Right1 gamma",
            "Left2 alpha ", "Left2 beta p", "Right2 gamma",
            "Left3 alpha ", "Left3 beta p", "Right3 gamma",
            "Left4 alpha ", "Left4 beta p", "Right4 gamma",
        ])
        // The sentence that runs from the bottom of the left column into the right column is one paragraph.
        for (k, page) in ["one", "two", "three", "four"].enumerated() {
            #expect(texts[3 * k + 1].hasSuffix("and the text runs on to the bottom of the left column so page \(page) carries the same sentence to its end."))
        }
        #expect(texts[0] == "Left1 alpha paragraph begins the page and then \(Self.lorem) until it stops.")
    }

    @Test func hyphenationUndone() throws {
        let path = article()
        // The PDF really breaks the word: pdftotext -layout keeps line ends as they are.
        let layout = try runCommand(URL(fileURLWithPath: "/usr/bin/pdftotext"), ["-layout", path, "-"])
        #expect(layout.stdout.components(separatedBy: "hyphen-").count - 1 == 4)
        let d = try Ingest.read(path: path)
        let beta = d.paragraphs.filter { $0.text.hasPrefix("Left") && $0.text.contains("beta") }
        #expect(beta.count == 4)
        for p in beta {
            #expect(p.text.contains("an extraordinary hyphenation example"))
            #expect(!p.text.contains("hyphen-"))
        }
    }

    @Test func runningHeaderAndPageNumbersRemoved() throws {
        let path = article()
        let d = try Ingest.read(path: path)
        let all = XMLReaderTests.allText(d)
        #expect(!all.contains("Journal of Synthetic Tests"))
        #expect(!d.paragraphs.contains { ["1", "2", "3", "4"].contains($0.text) })
        let removed = try Ingest.removedPDFLines(path: path)
        #expect(removed.filter { $0.text.hasPrefix("Journal of Synthetic Tests") }.map(\.page) == [1, 2, 3, 4])
        #expect(removed.filter { $0.text.count == 1 }.map(\.text) == ["1", "2", "3", "4"])
    }

    @Test func pageNumbersOfParagraphs() throws {
        let d = try Ingest.read(path: article())
        for p in d.paragraphs {
            let digit = p.text.first(where: \.isNumber).flatMap { Int(String($0)) }
            #expect(p.page == digit, "\(p.text.prefix(20)) on page \(p.page ?? 0)")
        }
    }

    @Test func headingsTitleAndAbstract() throws {
        let d = try Ingest.read(path: article())
        #expect(d.title == "Rivers and Mills of the Lowlands")
        #expect(d.abstract == "We describe rivers mills and sheep in a synthetic lowland used only for testing purposes.")
        #expect(d.outline.map(\.heading) == ["1 Introduction", "2 Methods", "2.1 Sampling sites"])
        #expect(d.outline.map(\.level) == [1, 1, 2])
        let left3 = try #require(d.paragraphs.first { $0.text.hasPrefix("Left3 alpha") })
        #expect(left3.headingPath == ["2 Methods", "2.1 Sampling sites"])
        #expect(d.paragraphs.first?.headingPath == ["1 Introduction"])
    }

    /// The Journal of Statistical Software layout: "Abstract" centred in body type (not a heading), the abstract,
    /// then a "Keywords:" line that belongs to neither the abstract nor (as a heading) the outline.
    @Test func abstractUnderPlainLabelEndsAtKeywords() throws {
        let path = dir.appendingPathComponent("jss.pdf").path
        let pdf = PDFWriter(path: path)
        pdf.text("Mills: Counting Sheep in R", x: 60, y: 80, size: 17, bold: true)
        pdf.text("Abstract", x: 270, y: 130, size: 10)
        pdf.paragraph("We describe rivers mills and sheep in a synthetic lowland used only for testing purposes.",
                      x: 80, y: 146, width: 435)
        pdf.paragraph("Keywords: rivers, mills, sheep.", x: 60, y: 190, width: 475)
        pdf.text("1. Introduction", x: 240, y: 230, size: 12, bold: true)
        pdf.paragraph("Body \(Self.lorem) and so on.", x: 60, y: 250, width: 475)
        pdf.finish()
        let d = try Ingest.read(path: path)
        #expect(d.abstract == "We describe rivers mills and sheep in a synthetic lowland used only for testing purposes.")
        #expect(d.paragraphs.map(\.text) == ["Keywords: rivers, mills, sheep.", "Body \(Self.lorem) and so on."])
        #expect(d.outline.map(\.heading) == ["1. Introduction"])
    }

    @Test func metadataTitleWins() throws {
        let path = dir.appendingPathComponent("meta.pdf").path
        let pdf = PDFWriter(path: path, title: "Official Title", author: "Ines Brandt")
        pdf.text("Some Big Words", x: 60, y: 80, size: 20)
        pdf.paragraph("Body text of a single page document that is long enough to wrap onto a second line here.", x: 60, y: 120, width: 300)
        pdf.finish()
        let d = try Ingest.read(path: path)
        #expect(d.title == "Official Title")
        #expect(d.metadata.author == "Ines Brandt")
        #expect(d.metadata.date == "2023-04-05T06:07:08Z")
    }

    @Test func ligaturesAreNormalized() throws {
        let path = dir.appendingPathComponent("ligatures.pdf").path
        let pdf = PDFWriter(path: path)
        pdf.text("The \u{FB01}nal o\u{FB03}ce \u{FB02}oor.", x: 60, y: 100)
        pdf.finish()
        let d = try Ingest.read(path: path)
        #expect(d.paragraphs.map(\.text) == ["The final office floor."])
    }

    /// Words of `text`, lowercased, punctuation trimmed.
    static func words(_ text: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for w in text.precomposedStringWithCompatibilityMapping.split(whereSeparator: { $0.isWhitespace }) {
            let t = w.lowercased().trimmingCharacters(in: .punctuationCharacters.union(.symbols))
            if !t.isEmpty { counts[t, default: 0] += 1 }
        }
        return counts
    }

    /// Word-multiset overlap with `pdftotext` (poppler-utils), after taking out the header and footer lines that
    /// were removed on purpose. pdftotext joins hyphenated line ends too.
    @Test func fidelityAgainstPdftotext() throws {
        let path = article()
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext") else {
            Issue.record("pdftotext (poppler-utils) is not installed: run scripts/setup-system.sh")
            return
        }
        let r = try runCommand(URL(fileURLWithPath: "/usr/bin/pdftotext"), ["-enc", "UTF-8", path, "-"])
        #expect(r.status == 0)
        var reference = Self.words(r.stdout)
        for line in try Ingest.removedPDFLines(path: path) {
            for (w, n) in Self.words(line.text) { reference[w, default: 0] -= n }
        }
        let ours = Self.words(XMLReaderTests.allText(try Ingest.read(path: path)))
        var common = 0
        for (w, n) in ours { common += min(n, max(0, reference[w] ?? 0)) }
        let total = max(ours.values.reduce(0, +), reference.values.reduce(0) { $0 + max(0, $1) })
        let overlap = Double(common) / Double(total)
        #expect(overlap >= 0.98, "overlap \(overlap)")
    }

    // MARK: bad files

    @Test func imageOnlyPDFIsAnError() throws {
        let path = dir.appendingPathComponent("scan.pdf").path
        let pdf = PDFWriter(path: path)
        pdf.image()
        pdf.newPage()
        pdf.image()
        pdf.finish()
        #expect(throws: IngestError.noText(path: path, pages: 2)) { try Ingest.read(path: path) }
    }

    @Test func scannedPagesAreNamed() throws {
        let path = dir.appendingPathComponent("mixed.pdf").path
        let pdf = PDFWriter(path: path)
        pdf.paragraph("A page with a text layer.", x: 60, y: 100, width: 400)
        pdf.newPage()
        pdf.image()
        pdf.newPage()
        pdf.paragraph("Another page with text.", x: 60, y: 100, width: 400)
        pdf.newPage()
        pdf.image()
        pdf.finish()
        let d = try Ingest.read(path: path)
        #expect(d.warnings == ["pages 2, 4: scanned? no text layer"])
        #expect(d.paragraphs.map(\.page) == [1, 3])
    }

    /// More pages than `maxPages` fails when the file opens; at the limit it is read.
    @Test func tooManyPages() throws {
        let path = dir.appendingPathComponent("five-pages.pdf").path
        let pdf = PDFWriter(path: path)
        for page in 1...5 {
            pdf.paragraph("Page \(page) says \(Self.lorem).", x: 60, y: 100, width: 400)
            if page < 5 { pdf.newPage() }
        }
        pdf.finish()
        var limits = Ingest.Limits()
        limits.maxPages = 4
        #expect(throws: IngestError.tooManyPages(path: path, pages: 5, limit: 4)) { try Ingest.read(path: path, limits: limits) }
        #expect(IngestError.tooManyPages(path: path, pages: 5, limit: 4).reason == "5 pages, more than the limit of 4 (max_pages)")
        limits.maxPages = 5
        #expect(try Ingest.read(path: path, limits: limits).pageCount == 5)
    }

    @Test func truncatedPDF() throws {
        let full = try Data(contentsOf: URL(fileURLWithPath: article("full.pdf")))
        let path = dir.appendingPathComponent("truncated.pdf").path
        try full.prefix(full.count / 3).write(to: URL(fileURLWithPath: path))
        do {
            let d = try Ingest.read(path: path)
            // poppler may rebuild what is left: then whatever it gives is fewer pages or a warning, never a crash.
            #expect(d.paragraphs.count < 12)
        } catch let error as IngestError {
            #expect(error.path == path)
            #expect(error.description.hasPrefix(path + ": "))
        }
    }

    @Test func garbageAfterPDFHeader() throws {
        let path = dir.appendingPathComponent("garbage.pdf").path
        var rng = SplitMix64(seed: 1)
        try Data(Array("%PDF-1.7\n".utf8) + (0..<4000).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: URL(fileURLWithPath: path))
        #expect {
            try Ingest.read(path: path)
        } throws: { error in
            guard case IngestError.damagedPDF(let p, _) = error else { return false }
            return p == path
        }
    }

    @Test func encryptedPDF() throws {
        let qpdf = "/usr/bin/qpdf"
        guard FileManager.default.isExecutableFile(atPath: qpdf) else {
            Issue.record("qpdf is not installed: run scripts/setup-system.sh")
            return
        }
        let plain = article("plain.pdf")
        let path = dir.appendingPathComponent("locked.pdf").path
        let r = try runCommand(URL(fileURLWithPath: qpdf), ["--encrypt", "sesame", "owner", "256", "--", plain, path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(throws: IngestError.encrypted(path: path, passwordGiven: false)) { try Ingest.read(path: path) }
        #expect(throws: IngestError.encrypted(path: path, passwordGiven: true)) { try Ingest.read(path: path, password: "wrong") }
        let d = try Ingest.read(path: path, password: "sesame")
        #expect(d.paragraphs.count == 12)
    }
}
