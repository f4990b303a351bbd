internal import CPoppler
import Foundation

/// One line of text on a PDF page as poppler's text layer gives it, in PDF points from the top-left corner.
struct PDFLine: Sendable, Equatable {
    var text: String
    var x1: Double, y1: Double, x2: Double, y2: Double
    /// The font size covering most of the line's characters, and whether that font is bold.
    var fontSize: Double
    var bold: Bool
    var height: Double { y2 - y1 }
}

/// The text of one page: its lines in poppler's order, and the page size.
struct PDFPageText: Sendable {
    var lines: [PDFLine]
    var width: Double
    var height: Double
}

/// An open PDF (poppler-glib `PopplerDocument`), unreferenced in `deinit`. Not thread-safe: one per thread.
final class PopplerDocumentHandle {
    private let document: OpaquePointer

    /// Why poppler refused a file.
    enum OpenError: Error {
        case encrypted
        case other(String)
    }

    /// Opens `path` (`poppler_document_new_from_file`), turning a GError into `OpenError`.
    init(path: String, password: String?) throws(OpenError) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var error: UnsafeMutablePointer<GError>?
        guard let uri = g_filename_to_uri(absolute, nil, &error) else {
            throw .other(Self.take(error) ?? "cannot form a URI for the path")
        }
        defer { g_free(uri) }
        guard let document = poppler_document_new_from_file(uri, password, &error) else {
            let isEncrypted = error.map { $0.pointee.domain == poppler_error_quark() && $0.pointee.code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue) } ?? false
            let message = Self.take(error)
            if isEncrypted { throw .encrypted }
            throw .other(message ?? "poppler could not open it")
        }
        self.document = document
    }

    deinit { precis_gobject_unref(UnsafeMutableRawPointer(document)) }

    /// Copies a GError's message and frees the error.
    private static func take(_ error: UnsafeMutablePointer<GError>?) -> String? {
        guard let error else { return nil }
        defer { precis_gerror_free(error) }
        return error.pointee.message.map { String(cString: $0) }
    }

    /// Copies a g_malloc'ed string and frees it.
    private static func take(_ string: UnsafeMutablePointer<gchar>?) -> String? {
        guard let string else { return nil }
        defer { g_free(string) }
        let value = String(cString: string).trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    var pageCount: Int { Int(poppler_document_get_n_pages(document)) }
    var title: String? { Self.take(poppler_document_get_title(document)) }
    var author: String? { Self.take(poppler_document_get_author(document)) }
    /// The creation date (`poppler_document_get_creation_date`), nil when the file has none.
    var creationDate: Date? {
        let t = poppler_document_get_creation_date(document)
        return t <= 0 ? nil : Date(timeIntervalSince1970: TimeInterval(t))
    }

    /// The text lines of page `index` (0-based): `poppler_page_get_text` for the characters, its
    /// `get_text_layout` for one rectangle per character, and `get_text_attributes` for fonts and sizes.
    func page(_ index: Int) -> PDFPageText? {
        guard let page = poppler_document_get_page(document, Int32(index)) else { return nil }
        defer { precis_gobject_unref(UnsafeMutableRawPointer(page)) }
        var width = 0.0, height = 0.0
        poppler_page_get_size(page, &width, &height)
        guard let text = poppler_page_get_text(page) else { return PDFPageText(lines: [], width: width, height: height) }
        defer { g_free(text) }
        var rects: UnsafeMutablePointer<PopplerRectangle>?
        var rectCount: guint = 0
        _ = poppler_page_get_text_layout(page, &rects, &rectCount)
        defer { g_free(rects) }
        let attributes = poppler_page_get_text_attributes(page)
        defer { poppler_page_free_text_attributes(attributes) }

        // Attribute runs as (first char, last char, size, bold), in order.
        var runs: [(start: Int, end: Int, size: Double, bold: Bool)] = []
        var node = attributes
        while let n = node {
            if let a = n.pointee.data?.assumingMemoryBound(to: PopplerTextAttributes.self).pointee {
                let name = a.font_name.map { String(cString: $0) } ?? ""
                let bold = name.range(of: "bold", options: .caseInsensitive) != nil
                    || name.range(of: "black", options: .caseInsensitive) != nil
                    || name.range(of: "heavy", options: .caseInsensitive) != nil
                runs.append((Int(a.start_index), Int(a.end_index), a.font_size, bold))
            }
            node = n.pointee.next
        }

        let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(text).assumingMemoryBound(to: UInt8.self), count: strlen(text))
        let rectBuffer = UnsafeBufferPointer(start: rects, count: Int(rectCount))
        return PDFPageText(lines: Self.lines(bytes: bytes, rects: rectBuffer, runs: runs), width: width, height: height)
    }

    /// Splits the page text at newlines; each line gets the box of its characters and its dominant font.
    private static func lines(bytes: UnsafeBufferPointer<UInt8>, rects: UnsafeBufferPointer<PopplerRectangle>,
                              runs: [(start: Int, end: Int, size: Double, bold: Bool)]) -> [PDFLine] {
        var lines: [PDFLine] = []
        var lineStartByte = 0
        var lineStartChar = 0
        var charIndex = 0
        var runIndex = 0
        var i = 0
        let n = bytes.count
        func emit(endByte: Int, endChar: Int) {
            defer {
                lineStartByte = endByte + 1
                lineStartChar = endChar + 1
            }
            guard endByte > lineStartByte else { return }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStartByte..<endByte]), as: UTF8.self)
            var x1 = Double.greatestFiniteMagnitude, y1 = x1, x2 = -x1, y2 = -x1
            if endChar <= rects.count {
                for c in lineStartChar..<endChar {
                    let r = rects[c]
                    // Spaces poppler inserts may carry empty boxes; skip degenerate ones.
                    if r.x2 <= r.x1 && r.y2 <= r.y1 { continue }
                    x1 = min(x1, r.x1); y1 = min(y1, r.y1); x2 = max(x2, r.x2); y2 = max(y2, r.y2)
                }
            }
            if x1 > x2 { x1 = 0; y1 = 0; x2 = 0; y2 = 0 }
            // The dominant run: the one covering most characters of [lineStartChar, endChar).
            var best = (count: 0, size: 0.0, bold: false)
            while runIndex < runs.count, runs[runIndex].end < lineStartChar { runIndex += 1 }
            var k = runIndex
            while k < runs.count, runs[k].start < endChar {
                let covered = min(runs[k].end + 1, endChar) - max(runs[k].start, lineStartChar)
                if covered > best.count { best = (covered, runs[k].size, runs[k].bold) }
                k += 1
            }
            lines.append(PDFLine(text: text, x1: x1, y1: y1, x2: x2, y2: y2, fontSize: best.size, bold: best.bold))
        }
        while i < n {
            let b = bytes[i]
            if b == 0x0A {
                emit(endByte: i, endChar: charIndex)
            }
            // Count characters: every byte that does not continue a UTF-8 sequence starts one.
            if b & 0xC0 != 0x80 { charIndex += 1 }
            i += 1
        }
        emit(endByte: n, endChar: charIndex)
        return lines
    }
}

/// poppler-glib's messages and glib's allocator, for the child process that reads a PDF (`PDFChild`).
enum PopplerProcess {
    /// Sends poppler's own messages to standard error, one line each: "poppler: Syntax error at position 50:
    /// Illegal character <86> in hex string" (`g_log_set_handler` on poppler-glib's "Poppler" log domain).
    /// poppler-glib logs syntax errors and warnings at INFO level, which glib drops unless G_MESSAGES_DEBUG is set,
    /// and then prints on standard output, where the child writes its JSON. Each line is one write(2) of at most
    /// 1 KiB, so lines from the page workers' threads do not interleave.
    static func messagesToStandardError() {
        // Every level and flag: G_LOG_LEVEL_MASK is a macro Swift does not import.
        _ = g_log_set_handler("Poppler", GLogLevelFlags(rawValue: 0xFF), { _, _, message, _ in
            guard let message else { return }
            var text = String(cString: message).replacingOccurrences(of: "\n", with: " ")
            if text.utf8.count > 1000 { text = String(decoding: text.utf8.prefix(1000), as: UTF8.self) }
            var line = "poppler: " + text + "\n"
            line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
        }, nil)
    }

    /// Test hook: allocates through glib (`g_malloc`, as poppler-glib does) without end, until the address-space
    /// limit makes glib abort ("failed to allocate …").
    static func allocateWithoutEnd() -> Never {
        while true { _ = g_malloc(256 << 20) }
    }
}
