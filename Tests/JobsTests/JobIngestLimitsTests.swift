import Foundation
import Testing
import TestSupport

/// A job's inputs under its limits (`max_pages`, `max_input_mb`, `seconds_per_document`), through the real binary:
/// a PDF that crashes its reader (the child's test hook), a PDF that hangs poppler (a real one, the form bomb), a
/// PDF with too many pages and a file too large each fail alone, with one line in errors.json and on standard
/// error; the other documents are summarized, and poppler's messages about a damaged PDF are that document's
/// warnings.
@Suite struct JobIngestLimitsTests {
    @Test func eachBadInputFailsAloneTheJobGoesOn() throws {
        try #require(FileManager.default.fileExists(atPath: Fixtures.modelPath), "run `make model` first")
        let toml = JobCorpus.fastTOML + "\nmethod = \"extractive\"\nmax_pages = 2\nmax_input_mb = 1\nseconds_per_document = 2\n"
        let job = try JobCorpus.makeJob("limits", files: ["good.md": JobCorpus.markdown(0, paragraphs: 2)], toml: toml)
        defer { try? FileManager.default.removeItem(at: job) }
        let inputs = job.appendingPathComponent("inputs")
        let library = JobCorpus.topics[1].sentences
        try MinimalPDF.write(to: inputs.appendingPathComponent("paper.pdf"),
                             pages: [library[0..<3].joined(separator: "\n"), library[3...].joined(separator: "\n")],
                             junkOperators: 3)
        try MinimalPDF.write(to: inputs.appendingPathComponent("crash.pdf"), pages: ["Never read."])
        try MinimalPDF.formBomb().write(to: inputs.appendingPathComponent("hang.pdf"))
        try MinimalPDF.write(to: inputs.appendingPathComponent("long.pdf"), pages: ["One.", "Two.", "Three."])
        try Data(repeating: UInt8(ascii: "a"), count: (1 << 20) + 1).write(to: inputs.appendingPathComponent("big.txt"))

        let r = try runCommand(Fixtures.precisExecutable, ["run", job.path],
                               environment: ["PRECIS_MODEL": Fixtures.modelPath,
                                             "PRECIS_INGEST_CHILD_TEST": "crash:crash.pdf"])
        #expect(r.status == 3, "\(r.stderr)")

        let errors = try JobCorpus.json(job.appendingPathComponent("out/errors.json")) as! [[String: String]]
        let reasons = Dictionary(uniqueKeysWithValues: errors.map { ($0["path"]!, $0["reason"]!) })
        #expect(reasons.keys.sorted() == ["inputs/big.txt", "inputs/crash.pdf", "inputs/hang.pdf", "inputs/long.pdf"])
        #expect(reasons["inputs/crash.pdf"] == "poppler crashed (signal 11)", "\(reasons)")
        #expect(reasons["inputs/hang.pdf"] == "timed out after 2 s (seconds_per_document)", "\(reasons)")
        #expect(reasons["inputs/long.pdf"] == "3 pages, more than the limit of 2 (max_pages)", "\(reasons)")
        #expect(reasons["inputs/big.txt"] == "1.0 MB, larger than the input limit of 1 MB (max_input_mb)", "\(reasons)")

        // One line for each on standard error; poppler's messages only as paper.pdf's warnings.
        let lines = r.stderr.split(separator: "\n")
        for name in ["crash.pdf", "hang.pdf", "long.pdf", "big.txt"] {
            #expect(lines.filter { $0.contains(name) }.count == 1, "\(name): \(r.stderr)")
        }
        let poppler = lines.filter { $0.contains("Unknown operator") }
        #expect(!poppler.isEmpty && poppler.allSatisfy { $0.contains("paper.pdf: poppler: Syntax error") }, "\(r.stderr)")

        let documents = try FileManager.default.contentsOfDirectory(atPath: job.appendingPathComponent("out/documents").path)
        #expect(documents.sorted() == ["good.md", "paper.md"])
        let summary = try String(contentsOf: job.appendingPathComponent("out/summary.md"), encoding: .utf8)
        #expect(summary.contains("Harbour") && summary.contains("library"), "\(summary)")
    }
}
