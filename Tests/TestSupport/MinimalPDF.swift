import Foundation

/// PDFs written by hand, byte by byte, for tests that need no cairo (JobsTests) or a PDF cairo will not write.
public enum MinimalPDF {
    /// One page per string, set in 9-point Helvetica a line per line of the string (about 100 characters fit),
    /// and optionally `junkOperators` unknown operators in each page's content stream, which poppler reports
    /// ("Syntax error at position …: Unknown operator 'junk1'") and skips.
    public static func data(pages: [String], junkOperators: Int = 0) -> Data {
        // 1 catalog, 2 page tree, 3 font, then a page and its content for each page.
        var objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [\(pages.indices.map { "\(4 + 2 * $0) 0 R" }.joined(separator: " "))] /Count \(pages.count) >>",
            font,
        ]
        for (i, text) in pages.enumerated() {
            objects.append(page(contents: 5 + 2 * i))
            var content = textOperators(text)
            for k in 0..<junkOperators { content += "junk\(k + 1)\n" }
            objects.append(stream(content))
        }
        return file(objects)
    }

    /// A hostile PDF, found while testing the PDF child: one page of text that draws a form XObject which draws
    /// the next form twice, `levels` deep, so drawing the page means 2^levels drawings of the last form. poppler
    /// 22.12 catches a form that draws itself, not this; `pdftotext` on it runs until it is killed.
    public static func formBomb(levels: Int = 40) -> Data {
        // 1 catalog, 2 page tree, 3 font, 4 page, 5 its content, 6… the forms.
        var objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            font,
            page(contents: 5, resources: "/XObject << /X0 6 0 R >>"),
            stream(textOperators("A page that draws a form which draws the next form twice, and so on.") + "/X0 Do\n"),
        ]
        for level in 0..<levels {
            let last = level == levels - 1
            let resources = last ? "<< /Font << /F1 3 0 R >> >>" : "<< /XObject << /Xn \(7 + level) 0 R >> >>"
            let content = last ? "BT /F1 9 Tf 0 0 Td (x) Tj ET\n" : "/Xn Do /Xn Do\n"
            objects.append(stream(content, dictionary: "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources \(resources)"))
        }
        return file(objects)
    }

    /// Writes `data(pages:junkOperators:)` to `url`.
    public static func write(to url: URL, pages: [String], junkOperators: Int = 0) throws {
        try data(pages: pages, junkOperators: junkOperators).write(to: url)
    }

    private static let font = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"

    private static func page(contents: Int, resources: String = "") -> String {
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> \(resources) >> /Contents \(contents) 0 R >>"
    }

    /// `text`'s lines shown one under the other from the top left of the page.
    private static func textOperators(_ text: String) -> String {
        let lines = text.split(separator: "\n").map {
            "(" + $0.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)") + ") Tj"
        }
        return "BT /F1 9 Tf 11 TL 50 760 Td " + lines.joined(separator: " T* ") + " ET\n"
    }

    private static func stream(_ content: String, dictionary: String = "") -> String {
        "<< \(dictionary) /Length \(content.utf8.count) >>\nstream\n\(content)endstream"
    }

    /// The objects numbered from 1, with their cross-reference table and trailer.
    private static func file(_ objects: [String]) -> Data {
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(i + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { out += String(format: "%010d 00000 n \n", offset) }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(out.utf8)
    }
}
