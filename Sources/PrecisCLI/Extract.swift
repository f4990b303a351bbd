import ArgumentParser
import Foundation
import Ingest

/// `precis extract FILE [--json]`: what ingestion sees.
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what ingestion sees: the document's outline and text, or its structure as JSON.",
        discussion: "Reads PDF (poppler), XML (JATS, TEI, DocBook, XHTML, any other), plain text and Markdown; the content decides, the extension must agree. Exit status 3 when the file cannot be read.")

    @Argument(help: "The document (PDF, XML, .txt, .md).")
    var file: String

    @Flag(help: "Print the structure as JSON (path, format, dialect, title, abstract, pages, warnings, sections).")
    var json = false

    @Option(help: "Password of an encrypted PDF.")
    var password: String?

    @Flag(help: "Print only counts (paragraphs, words, bytes) and the time taken; XML is then streamed without keeping its text.")
    var stats = false

    /// PDFs are read in a child process under the default limits, as every run reads them: what this shows,
    /// warnings and failures included, is what a job gets.
    func run() throws {
        let start = Date()
        if stats {
            let s = try Ingest.statistics(path: file, password: password, child: .thisExecutable)
            let seconds = Date().timeIntervalSince(start)
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            var line = "\(s.format.rawValue): \(s.paragraphs) paragraphs, \(s.words) words, \(s.textBytes) bytes of text"
            if let pages = s.pages { line += ", \(pages) pages (\(String(format: "%.1f", Double(pages) / seconds)) pages/s)" }
            line += String(format: ", %.3f s, %.1f MB/s of input", seconds, Double(size) / 1e6 / seconds)
            print(line)
            return
        }
        let document = try Ingest.read(path: file, password: password, child: .thisExecutable)
        if json {
            print(document.json(pretty: true))
        } else {
            print(document.outlineText(), terminator: "")
        }
    }
}
