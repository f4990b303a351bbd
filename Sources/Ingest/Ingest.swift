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
        /// Wall-clock seconds a PDF may take in its child process (job.toml `seconds_per_document`), after which
        /// the child is killed. 120: ten times what the longest allowed PDF (2000 pages) takes here, for a slow
        /// or busy machine, and short enough that a PDF that hangs poppler costs a night two minutes.
        public var secondsPerDocument = 120
        /// CPU seconds for the child (RLIMIT_CPU); nil: `secondsPerDocument` × its page workers (up to 4), so it
        /// ends only a child the wall clock did not (the parent stopped, or gone).
        public var cpuSeconds: Int?
        /// The child's address space (RLIMIT_AS); nil: 4 GB, or 4 × `maxInputBytes` when that is more. Reading
        /// valgrind's 397-page manual needs 256 MB of it; 4 GB lets a PDF use 16 times that before it fails
        /// alone, and two such children still fit in the memory of a small machine.
        public var addressSpaceBytes: Int?
        public init() {}

        /// The CPU seconds the child is given.
        var childCPUSeconds: Int { cpuSeconds ?? secondsPerDocument * PDFReader.defaultWorkers }
        /// The address space the child is given, in bytes.
        var childAddressSpaceBytes: Int { addressSpaceBytes ?? max(4 << 30, 4 * maxInputBytes) }
    }

    /// A command that reads one PDF in a child process: `executable` run with `arguments` and then the child's own
    /// (limits, the file); it answers as `runChild` does. Normally precis itself (`thisExecutable`).
    public struct ChildCommand: Sendable, Equatable {
        public var executable: String
        public var arguments: [String]
        /// Added to the child's environment (this process's own).
        public var environment: [String: String]

        public init(executable: String, arguments: [String], environment: [String: String] = [:]) {
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
        }

        /// This executable as its own child, `ingest-child` (`childSubcommand`): for precis, whose command line
        /// has that subcommand. On Linux it is `/proc/self/exe`, the very file this process runs even after it was
        /// replaced or deleted (a rebuild during a night's run), so parent and child always agree on their JSON.
        public static var thisExecutable: ChildCommand {
            #if os(Linux)
            let executable = "/proc/self/exe"
            #else
            let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
            #endif
            return ChildCommand(executable: executable, arguments: [Ingest.childSubcommand])
        }
    }

    /// Reads the file at `path`, choosing the reader from its content (the extension must agree).
    /// - Parameters:
    ///   - password: for encrypted PDFs.
    ///   - child: reads a PDF in a child process under `limits` (`PDFChild`); nil reads it in this process, where
    ///     only `maxPages` holds and a crash of poppler is this process's.
    public static func read(path: String, password: String? = nil, limits: Limits = Limits(),
                            child: ChildCommand? = nil) throws -> Document {
        let head = try readHead(path: path, limits: limits)
        guard !head.isEmpty else { throw IngestError.empty(path: path) }
        let ext = (path as NSString).pathExtension.lowercased()
        let format = try Sniffer.format(path: path, fileExtension: ext, content: Sniffer.sniff(head))
        switch format {
        case .pdf:
            if let child { return try PDFChild(command: child, limits: limits).read(path: path, password: password) }
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
    public static func statistics(path: String, password: String? = nil, limits: Limits = Limits(),
                                  child: ChildCommand? = nil) throws -> Statistics {
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
        let document = try read(path: path, password: password, limits: limits, child: child)
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
