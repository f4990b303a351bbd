import Common
import Foundation

/// Reads a PDF through poppler-glib: text lines per page, then `PDFLayout` for structure.
struct PDFReader {
    let path: String
    let password: String?
    /// More pages than this is an error, found when the file opens.
    var maxPages = Int.max
    /// Pages are extracted by this many threads, each with its own poppler document (poppler objects are not
    /// shared between threads).
    var workers = Self.defaultWorkers
    static let defaultWorkers = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))

    func read() throws -> Document {
        let document = try open()
        let count = document.pageCount
        guard count > 0 else { throw IngestError.damagedPDF(path: path, reason: "no pages") }
        guard count <= maxPages else { throw IngestError.tooManyPages(path: path, pages: count, limit: maxPages) }
        let pages = try extractPages(first: document, count: count)
        let layout = PDFLayout(pages: pages).run(metadataTitle: document.title)
        if layout.emptyPages.count == count { throw IngestError.noText(path: path, pages: count) }
        var warnings: [String] = []
        if !layout.emptyPages.isEmpty {
            let list = layout.emptyPages.prefix(20).map(String.init).joined(separator: ", ")
            let more = layout.emptyPages.count > 20 ? " and \(layout.emptyPages.count - 20) more" : ""
            warnings.append("page\(layout.emptyPages.count == 1 ? "" : "s") \(list)\(more): scanned? no text layer")
        }
        let date = document.creationDate.map { ISO8601DateFormatter().string(from: $0) }
        return Document(path: path, format: .pdf, title: layout.title, abstract: layout.abstract,
                        metadata: Document.Metadata(author: document.author, date: date), pageCount: count,
                        sections: layout.sections, warnings: warnings)
    }

    /// The lines dropped as running headers, footers and page numbers (for tests and diagnostics).
    func removedLines() throws -> [(page: Int, text: String)] {
        let document = try open()
        let pages = try extractPages(first: document, count: document.pageCount)
        return PDFLayout(pages: pages).run(metadataTitle: nil).removed
    }

    private func open() throws -> PopplerDocumentHandle {
        do {
            return try PopplerDocumentHandle(path: path, password: password)
        } catch .encrypted {
            throw IngestError.encrypted(path: path, passwordGiven: password != nil)
        } catch let .other(message) {
            throw IngestError.damagedPDF(path: path, reason: message)
        }
    }

    /// Every page's lines, in page order. Worker 0 uses the document already open; the others open their own.
    private func extractPages(first: PopplerDocumentHandle, count: Int) throws -> [PDFPageText] {
        let n = min(workers, max(1, count / 8))
        if n <= 1 { return (0..<count).map { first.page($0) ?? PDFPageText(lines: [], width: 0, height: 0) } }
        let results = Slots<PDFPageText>(count: count)
        let path = self.path, password = self.password
        nonisolated(unsafe) let shared = first
        DispatchQueue.concurrentPerform(iterations: n) { w in
            let document: PopplerDocumentHandle
            if w == 0 {
                document = shared
            } else {
                guard let own = try? PopplerDocumentHandle(path: path, password: password) else { return }
                document = own
            }
            // Interleaved pages keep the workers' loads even.
            var i = w
            while i < count {
                results[i] = document.page(i)
                i += n
            }
        }
        return try (0..<count).map { i in
            guard let page = results[i] else {
                throw IngestError.damagedPDF(path: path, reason: "page \(i + 1) could not be read")
            }
            return page
        }
    }
}
