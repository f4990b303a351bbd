import Common
import Foundation

/// Why a file could not be ingested. Each case carries the path; `description` is the one line a user sees.
public enum IngestError: Error, Sendable, Equatable, Codable, CustomStringConvertible {
    /// The file could not be opened or read (missing, a directory, no permission).
    case unreadable(path: String, reason: String)
    /// The file has no bytes.
    case empty(path: String)
    /// The content is not a format we read (`detail` says what it looks like).
    case unknownType(path: String, detail: String)
    /// The extension promises one format, the content is another.
    case contentMismatch(path: String, fileExtension: String, content: String)
    /// poppler could not open or read the PDF.
    case damagedPDF(path: String, reason: String)
    /// The PDF is encrypted and no password, or a wrong one, was given.
    case encrypted(path: String, passwordGiven: Bool)
    /// No text at all: for a PDF (`pages` given), no page has a text layer.
    case noText(path: String, pages: Int?)
    /// The XML is not well-formed (1-based line and column of the first error).
    case malformedXML(path: String, line: Int, column: Int, message: String)
    /// Entity expansion went over its limit (an entity bomb such as "billion laughs").
    case entityExpansion(path: String, line: Int)
    /// Elements nested deeper than the limit.
    case tooDeep(path: String, line: Int, limit: Int)
    /// A text node or the whole extracted text went over its limit.
    case tooLarge(path: String, what: String, limit: Int)
    /// The file is larger than the input limit (`Ingest.Limits.maxInputBytes`, job.toml `max_input_mb`).
    case inputTooLarge(path: String, bytes: Int, limit: Int)
    /// The PDF has more pages than the limit (`Ingest.Limits.maxPages`, job.toml `max_pages`).
    case tooManyPages(path: String, pages: Int, limit: Int)
    /// The child process reading the PDF did not come back with it (`PDFChild`).
    case pdfProcess(path: String, failure: PDFProcessFailure)

    public var path: String {
        switch self {
        case let .unreadable(path, _), let .empty(path), let .unknownType(path, _),
             let .contentMismatch(path, _, _), let .damagedPDF(path, _), let .encrypted(path, _),
             let .noText(path, _), let .malformedXML(path, _, _, _), let .entityExpansion(path, _),
             let .tooDeep(path, _, _), let .tooLarge(path, _, _), let .inputTooLarge(path, _, _),
             let .tooManyPages(path, _, _), let .pdfProcess(path, _):
            return path
        }
    }

    /// The reason, without the path.
    public var reason: String {
        switch self {
        case let .unreadable(_, reason): return reason
        case .empty: return "empty file"
        case let .unknownType(_, detail): return "unknown file type (\(detail))"
        case let .contentMismatch(_, ext, content):
            return "content does not match the .\(ext) extension (looks like \(content))"
        case let .damagedPDF(_, reason): return "damaged PDF: \(reason)"
        case let .encrypted(_, given):
            return given ? "encrypted PDF: wrong password" : "encrypted PDF: give the password with --password"
        case let .noText(_, pages?):
            return "no text in \(pages) page\(pages == 1 ? "" : "s") (scanned? no text layer)"
        case .noText(_, nil): return "no text found"
        case let .malformedXML(_, line, column, message): return "malformed XML at line \(line), column \(column): \(message)"
        case let .entityExpansion(_, line):
            return "XML entity expansion over the limit at line \(line) (entity bomb?)"
        case let .tooDeep(_, line, limit): return "XML nested deeper than \(limit) elements at line \(line)"
        case let .tooLarge(_, what, limit): return "\(what) larger than the limit of \(limit) bytes"
        case let .inputTooLarge(_, bytes, limit):
            return "\(Self.megabytes(bytes)), larger than the input limit of \(Self.megabytes(limit)) (max_input_mb)"
        case let .tooManyPages(_, pages, limit): return "\(pages) pages, more than the limit of \(limit) (max_pages)"
        case let .pdfProcess(_, failure): return failure.description
        }
    }

    public var description: String { "\(path): \(reason)" }

    /// `bytes` in MB (2^20 bytes): "512 MB", "1.5 MB".
    static func megabytes(_ bytes: Int) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20) MB" : String(format: "%.1f MB", Double(bytes) / Double(1 << 20))
    }
}

/// How the child process reading a PDF (`PDFChild`) ended without a document or an `IngestError`.
public enum PDFProcessFailure: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Ended by a signal of its own making (11: segmentation fault, 6: abort, …).
    case crashed(signal: Int32)
    /// Still running after `Ingest.Limits.secondsPerDocument` (job.toml `seconds_per_document`): killed.
    case timedOut(seconds: Int)
    /// Ran out of its address space (`Ingest.Limits.addressSpaceBytes`, RLIMIT_AS).
    case overMemory(megabytes: Int)
    /// Used up its CPU time (RLIMIT_CPU).
    case overCPUTime(seconds: Int)
    /// Ended by a signal from outside (SIGINT, SIGTERM, SIGKILL: a stop, the system's out-of-memory killer).
    case killed(signal: Int32)
    /// Anything else: it could not start, exited with an unexpected status, or wrote what we cannot read.
    case failed(String)

    public var description: String {
        switch self {
        case let .crashed(signal): "poppler crashed (signal \(signal))"
        case let .timedOut(seconds): "timed out after \(seconds) s (seconds_per_document)"
        case let .overMemory(megabytes): "over the memory limit of \(megabytes) MB"
        case let .overCPUTime(seconds): "over the CPU time limit of \(seconds) s"
        case let .killed(signal): "the PDF reader was killed (signal \(signal))"
        case let .failed(reason): "the PDF reader failed: \(reason)"
        }
    }
}

extension IngestError: ClassifiedError {
    /// A document that cannot be read fails that document.
    public var failureClass: FailureClass { .documents }
}
