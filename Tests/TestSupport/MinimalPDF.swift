import Foundation

/// PDFs written by hand, byte by byte, for tests that need no cairo (JobsTests) or a PDF cairo will not write: one
/// page per string, set in 9-point Helvetica a line per line of the string (about 100 characters fit), and
/// optionally `junkOperators` unknown operators in each page's content stream, which poppler reports ("Syntax
/// error at position …: Unknown operator 'junk1'") and skips.
public enum MinimalPDF {
    public static func data(pages: [String], junkOperators: Int = 0) -> Data {
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        func object(_ body: String) {
            offsets.append(out.utf8.count)
            out += "\(offsets.count) 0 obj\n\(body)\nendobj\n"
        }
        // 1 catalog, 2 page tree, 3 font, then a page and its content for each page.
        let kids = pages.indices.map { "\(4 + 2 * $0) 0 R" }.joined(separator: " ")
        object("<< /Type /Catalog /Pages 2 0 R >>")
        object("<< /Type /Pages /Kids [\(kids)] /Count \(pages.count) >>")
        object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        for (i, text) in pages.enumerated() {
            object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents \(5 + 2 * i) 0 R >>")
            let lines = text.split(separator: "\n").map {
                "(" + $0.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)") + ") Tj"
            }
            var content = "BT /F1 9 Tf 11 TL 50 760 Td " + lines.joined(separator: " T* ") + " ET\n"
            for k in 0..<junkOperators { content += "junk\(k + 1)\n" }
            object("<< /Length \(content.utf8.count) >>\nstream\n\(content)endstream")
        }
        let xref = out.utf8.count
        out += "xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { out += String(format: "%010d 00000 n \n", offset) }
        out += "trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }

    /// Writes `data(pages:junkOperators:)` to `url`.
    public static func write(to url: URL, pages: [String], junkOperators: Int = 0) throws {
        try data(pages: pages, junkOperators: junkOperators).write(to: url)
    }
}
