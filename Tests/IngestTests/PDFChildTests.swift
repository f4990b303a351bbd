import Foundation
import Ingest
import Testing
import TestSupport

/// PDFs read in a real child process, the built `precis ingest-child`: the same documents and errors as in this
/// process, poppler's messages as warnings, and a crash, hang, CPU burn or memory blow-up failing one document
/// with one line (the child's test hook, `PRECIS_INGEST_CHILD_TEST`, makes each happen).
@Suite struct PDFChildTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("ingest-child") }

    static func child(_ environment: [String: String] = [:]) -> Ingest.ChildCommand {
        Ingest.ChildCommand(executable: Fixtures.precisExecutable.path, arguments: [Ingest.childSubcommand],
                            environment: environment)
    }

    /// The test PDFs and the PDFs Debian ships in /usr/share/doc (uncompressed into `dir`).
    func corpus() throws -> [String] {
        let pdfs = try PDFReaderTests()
        var paths = [pdfs.article()]
        let mixed = pdfs.dir.appendingPathComponent("mixed.pdf").path
        let writer = PDFWriter(path: mixed, title: "Mixed", author: "Ines Brandt")
        writer.paragraph("A page with a text layer and \(PDFReaderTests.lorem).", x: 60, y: 100, width: 400)
        writer.newPage()
        writer.image()
        writer.finish()
        paths.append(mixed)
        let docs = ["/usr/share/doc/zlib1g-dev/crc-doc.1.0.pdf.gz", "/usr/share/doc/libtasn1-doc/libtasn1.pdf",
                    "/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf"]
        for doc in docs where FileManager.default.fileExists(atPath: doc) {
            if doc.hasSuffix(".gz") {
                let out = dir.appendingPathComponent(((doc as NSString).lastPathComponent as NSString).deletingPathExtension)
                let r = try runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -dc '\(doc)' > '\(out.path)'"])
                #expect(r.status == 0, "\(r.stderr)")
                paths.append(out.path)
            } else {
                paths.append(doc)
            }
        }
        return paths
    }

    /// The child's document, decoded from its JSON, is the one read in this process, to the byte.
    @Test func sameDocumentAsInProcess() throws {
        for path in try corpus() {
            let inProcess = try Ingest.read(path: path)
            let fromChild = try Ingest.read(path: path, child: Self.child())
            #expect(fromChild == inProcess, "\(path)")
            #expect(fromChild.json(pretty: true) == inProcess.json(pretty: true), "\(path)")
        }
    }

    /// Errors come back as the same `IngestError`; the password reaches the child.
    @Test func sameErrorsAsInProcess() throws {
        let pdfs = try PDFReaderTests()
        let scan = dir.appendingPathComponent("scan.pdf").path
        let writer = PDFWriter(path: scan)
        writer.image()
        writer.finish()
        #expect(throws: IngestError.noText(path: scan, pages: 1)) { try Ingest.read(path: scan, child: Self.child()) }

        let garbage = dir.appendingPathComponent("garbage.pdf").path
        var rng = SplitMix64(seed: 1)
        try Data(Array("%PDF-1.7\n".utf8) + (0..<4000).map { _ in UInt8.random(in: 0...255, using: &rng) })
            .write(to: URL(fileURLWithPath: garbage))
        var expected: IngestError?
        do { _ = try Ingest.read(path: garbage) } catch let error as IngestError { expected = error }
        #expect(expected != nil)
        #expect(throws: expected!) { try Ingest.read(path: garbage, child: Self.child()) }

        let qpdf = "/usr/bin/qpdf"
        guard FileManager.default.isExecutableFile(atPath: qpdf) else {
            Issue.record("qpdf is not installed: run scripts/setup-system.sh")
            return
        }
        let locked = dir.appendingPathComponent("locked.pdf").path
        let r = try runCommand(URL(fileURLWithPath: qpdf), ["--encrypt", "sesame", "owner", "256", "--", pdfs.article(), locked])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(throws: IngestError.encrypted(path: locked, passwordGiven: false)) {
            try Ingest.read(path: locked, child: Self.child())
        }
        #expect(throws: IngestError.encrypted(path: locked, passwordGiven: true)) {
            try Ingest.read(path: locked, password: "wrong", child: Self.child())
        }
        #expect(try Ingest.read(path: locked, password: "sesame", child: Self.child()) == Ingest.read(path: locked, password: "sesame"))
    }

    /// A PDF over `maxPages` fails in the child as in this process.
    @Test func tooManyPagesInTheChild() throws {
        let path = dir.appendingPathComponent("three.pdf")
        try MinimalPDF.write(to: path, pages: ["First page text.", "Second page text.", "Third page text."])
        var limits = Ingest.Limits()
        limits.maxPages = 2
        #expect(throws: IngestError.tooManyPages(path: path.path, pages: 3, limit: 2)) {
            try Ingest.read(path: path.path, limits: limits, child: Self.child())
        }
        limits.maxPages = 3
        #expect(try Ingest.read(path: path.path, limits: limits, child: Self.child()).pageCount == 3)
    }

    /// poppler's messages become the document's warnings: the first five different ones, then how many more.
    @Test func popplerMessagesAreWarnings() throws {
        let path = dir.appendingPathComponent("junk.pdf")
        try MinimalPDF.write(to: path, pages: ["A page whose content stream has unknown operators after its text."],
                             junkOperators: 12)
        let d = try Ingest.read(path: path.path, child: Self.child())
        #expect(d.paragraphs.map(\.text) == ["A page whose content stream has unknown operators after its text."])
        #expect(d.warnings.count == 6, "\(d.warnings)")
        #expect(d.warnings.prefix(5).allSatisfy { $0.hasPrefix("poppler: ") && $0.contains("Unknown operator") }, "\(d.warnings)")
        #expect(d.warnings.first?.hasSuffix("'junk1'") == true, "\(d.warnings)")
        let last = try #require(d.warnings.last)
        #expect(last.wholeMatch(of: /poppler: \d+ more messages \(\d+ in all\)/) != nil, "\(last)")
        // In this process poppler's messages go nowhere (glib drops them): the same text, no warnings.
        let inProcess = try Ingest.read(path: path.path)
        #expect(inProcess.warnings.isEmpty)
        #expect(inProcess.sections == d.sections)
    }

    // MARK: the child fails, the document fails

    func victim() throws -> String {
        let path = dir.appendingPathComponent("victim.pdf")
        try MinimalPDF.write(to: path, pages: ["Text that the child never gets to read."])
        return path.path
    }

    @Test func crashIsOneDocumentsFailure() throws {
        let path = try victim()
        #expect(throws: IngestError.pdfProcess(path: path, failure: .crashed(signal: SIGSEGV))) {
            try Ingest.read(path: path, child: Self.child(["PRECIS_INGEST_CHILD_TEST": "crash"]))
        }
        #expect(IngestError.pdfProcess(path: path, failure: .crashed(signal: 11)).reason == "poppler crashed (signal 11)")
        // The hook names its file: another file is read.
        #expect(try Ingest.read(path: path, child: Self.child(["PRECIS_INGEST_CHILD_TEST": "crash:other.pdf"])).pageCount == 1)
    }

    @Test func hangIsKilledAtTheDeadline() throws {
        let path = try victim()
        var limits = Ingest.Limits()
        limits.secondsPerDocument = 1
        #expect(throws: IngestError.pdfProcess(path: path, failure: .timedOut(seconds: 1))) {
            try Ingest.read(path: path, limits: limits, child: Self.child(["PRECIS_INGEST_CHILD_TEST": "hang"]))
        }
        #expect(IngestError.pdfProcess(path: path, failure: .timedOut(seconds: 120)).reason
            == "timed out after 120 s (seconds_per_document)")
    }

    /// A real hostile file (`MinimalPDF.formBomb`: 2^40 form drawings, 8 KB) keeps poppler busy until the deadline.
    @Test func formBombTimesOut() throws {
        let path = dir.appendingPathComponent("bomb.pdf")
        try MinimalPDF.formBomb().write(to: path)
        var limits = Ingest.Limits()
        limits.secondsPerDocument = 2
        #expect(throws: IngestError.pdfProcess(path: path.path, failure: .timedOut(seconds: 2))) {
            try Ingest.read(path: path.path, limits: limits, child: Self.child())
        }
    }

    @Test func cpuBurnStopsAtTheCPULimit() throws {
        let path = try victim()
        var limits = Ingest.Limits()
        limits.cpuSeconds = 1
        limits.secondsPerDocument = 60
        #expect(throws: IngestError.pdfProcess(path: path, failure: .overCPUTime(seconds: 1))) {
            try Ingest.read(path: path, limits: limits, child: Self.child(["PRECIS_INGEST_CHILD_TEST": "spin"]))
        }
    }

    @Test func memoryBlowUpStopsAtTheAddressSpaceLimit() throws {
        let path = try victim()
        var limits = Ingest.Limits()
        limits.addressSpaceBytes = 1 << 30
        #expect(throws: IngestError.pdfProcess(path: path, failure: .overMemory(megabytes: 1024))) {
            try Ingest.read(path: path, limits: limits, child: Self.child(["PRECIS_INGEST_CHILD_TEST": "allocate"]))
        }
        // The default: 4 GB, more when the input may be larger.
        #expect(IngestError.pdfProcess(path: path, failure: .overMemory(megabytes: 4096)).reason == "over the memory limit of 4096 MB")
    }

    @Test func childThatCannotStart() throws {
        let path = try victim()
        let missing = Ingest.ChildCommand(executable: dir.appendingPathComponent("no-such-precis").path, arguments: [])
        #expect {
            try Ingest.read(path: path, child: missing)
        } throws: { error in
            guard case let IngestError.pdfProcess(p, .failed(reason)) = error else { return false }
            return p == path && reason.hasPrefix("cannot start")
        }
    }

    /// A parent killed with SIGKILL leaves no child: the child sees its standard input end and exits.
    @Test func childEndsWithItsParent() throws {
        let path = dir.appendingPathComponent("orphan-\(UUID().uuidString.prefix(8)).pdf")
        try MinimalPDF.write(to: path, pages: ["Text."])
        let parent = Process()
        parent.executableURL = Fixtures.precisExecutable
        parent.arguments = ["extract", path.path]
        parent.environment = Fixtures.environment(["PRECIS_INGEST_CHILD_TEST": "hang"])
        parent.standardOutput = FileHandle.nullDevice
        parent.standardError = FileHandle.nullDevice
        try parent.run()
        func children() -> [String] {
            let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return pids.filter { pid in
                guard Int(pid) != nil, let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
                let text = String(decoding: cmdline, as: UTF8.self)
                return text.contains(Ingest.childSubcommand) && text.contains(path.lastPathComponent)
            }
        }
        var waited = 0
        while children().isEmpty && waited < 100 { usleep(50_000); waited += 1 }
        #expect(!children().isEmpty, "no child started")
        kill(parent.processIdentifier, SIGKILL)
        parent.waitUntilExit()
        waited = 0
        while !children().isEmpty && waited < 60 { usleep(50_000); waited += 1 }
        #expect(children().isEmpty, "the child outlived its parent")
    }
}
