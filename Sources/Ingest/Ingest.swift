import Foundation

/// Reads PDF, XML, plain text and Markdown files into `Document`s.
public enum Ingest {
    /// Limits that keep hostile input from exhausting time or memory.
    public struct Limits: Sendable, Equatable {
        /// Deepest element nesting accepted in XML.
        public var maxDepth = 200
        /// Most bytes of text expanded from entity references in one document.
        public var maxEntityExpansion = 1 << 20
        /// Most bytes of text in one document (all paragraphs together).
        public var maxTextBytes = 512 << 20
        /// Largest file read, in bytes (job.toml `max_input_mb`), checked before a byte is read: text and Markdown
        /// are read whole. 512 MB, as `maxTextBytes`: far more than a night's summarizing, and what a worker can
        /// hold twice over (the bytes and their `Document`) on a small machine.
        public var maxInputBytes = 512 << 20
        /// Most pages in a PDF (job.toml `max_pages`), checked when it opens, before any page is read. 2000: more
        /// than the longest real books and manuals, and at the 200–500 pages/s poppler reads here about 10 s.
        public var maxPages = 2000
        public init() {}
    }

    /// Reads the file at `path`, choosing the reader from its content (the extension must agree).
    /// - Parameter password: for encrypted PDFs.
    public static func read(path: String, password: String? = nil, limits: Limits = Limits()) throws -> Document {
        let head = try readHead(path: path, limits: limits)
        guard !head.isEmpty else { throw IngestError.empty(path: path) }
        let ext = (path as NSString).pathExtension.lowercased()
        let format = try Sniffer.format(path: path, fileExtension: ext, content: Sniffer.sniff(head))
        switch format {
        case .pdf:
            return try PDFReader(path: path, password: password, maxPages: limits.maxPages).read()
        case .xml:
            return try XMLReader(path: path, limits: limits).read()
        case .text, .markdown:
            let data = try readAll(path: path, limits: limits)
            return TextReader(path: path, markdown: format == .markdown).read(data)
        }
    }

    /// The lines of a PDF dropped as running headers, footers and page numbers (1-based page, text): what
    /// `read` leaves out on purpose, for fidelity checks.
    package static func removedPDFLines(path: String, password: String? = nil) throws -> [(page: Int, text: String)] {
        try PDFReader(path: path, password: password).removedLines()
    }

    /// Counts of what a file holds, for `extract --stats` and benchmarks.
    public struct Statistics: Sendable {
        public var format: Document.Format
        public var paragraphs: Int
        public var words: Int
        public var textBytes: Int
        public var pages: Int?
    }

    /// Reads the file like `read` but keeps only counts; XML is streamed without keeping its text, so memory stays
    /// flat whatever the file size.
    public static func statistics(path: String, password: String? = nil, limits: Limits = Limits()) throws -> Statistics {
        let head = try readHead(path: path, limits: limits)
        guard !head.isEmpty else { throw IngestError.empty(path: path) }
        let ext = (path as NSString).pathExtension.lowercased()
        let format = try Sniffer.format(path: path, fileExtension: ext, content: Sniffer.sniff(head))
        if format == .xml {
            let reader = XMLReader(path: path, limits: limits, keepText: false)
            _ = try reader.read()
            return Statistics(format: .xml, paragraphs: reader.paragraphCount, words: reader.wordCount,
                              textBytes: reader.textBytes, pages: nil)
        }
        let document = try read(path: path, password: password, limits: limits)
        let paragraphs = document.paragraphs
        var words = 0, bytes = 0
        for p in paragraphs {
            bytes += p.text.utf8.count
            words += p.text.split(separator: " ").count
        }
        return Statistics(format: format, paragraphs: paragraphs.count, words: words, textBytes: bytes,
                          pages: document.pageCount)
    }

    /// The first bytes of a file, for sniffing, once the file is known to be a regular file (a FIFO or a device
    /// would block or never end) within `limits.maxInputBytes`.
    private static func readHead(path: String, limits: Limits) throws -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw IngestError.unreadable(path: path, reason: "no such file") }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw IngestError.unreadable(path: path, reason: "is a directory")
        default: throw IngestError.unreadable(path: path, reason: "not a regular file")
        }
        if info.st_size > limits.maxInputBytes {
            throw IngestError.inputTooLarge(path: path, bytes: Int(info.st_size), limit: limits.maxInputBytes)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw IngestError.unreadable(path: path, reason: "cannot open (permission denied?)")
        }
        defer { try? handle.close() }
        do {
            return [UInt8](try handle.read(upToCount: Sniffer.prefixLength) ?? Data())
        } catch {
            throw IngestError.unreadable(path: path, reason: "read failed: \(error.localizedDescription)")
        }
    }

    /// The whole file (mapped), within `limits.maxInputBytes` also when it grew since `readHead` looked.
    static func readAll(path: String, limits: Limits) throws -> Data {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw IngestError.unreadable(path: path, reason: "read failed: \(error.localizedDescription)")
        }
        guard data.count <= limits.maxInputBytes else {
            throw IngestError.inputTooLarge(path: path, bytes: data.count, limit: limits.maxInputBytes)
        }
        return data
    }
}
