import Foundation

/// The JSON shape of `precis extract --json` (docs/usage.md, "Machine-readable output"): written by `json()`, read
/// back by `init(json:)`, which is how a PDF read in a child process (`PDFChild`) comes back to its parent.
extension Document {
    /// `{"path", "format", "dialect"?, "title"?, "abstract"?, "author"?, "date"?, "pages"?, "warnings": [..],
    /// "sections": [{"heading"?, "level", "paragraphs": [{"text", "page"?}], "sections": [..]}]}`
    public func json(pretty: Bool = false) -> String {
        let w = JSONWriter(pretty: pretty)
        w.object {
            w.key("path"); w.string(path)
            w.key("format"); w.string(format.rawValue)
            if let dialect { w.key("dialect"); w.string(dialect) }
            if let title { w.key("title"); w.string(title) }
            if let abstract { w.key("abstract"); w.string(abstract) }
            if let author = metadata.author { w.key("author"); w.string(author) }
            if let date = metadata.date { w.key("date"); w.string(date) }
            if let pageCount { w.key("pages"); w.number(pageCount) }
            w.key("warnings"); w.array { for warning in warnings { w.element(); w.string(warning) } }
            w.key("sections"); w.sections(sections)
        }
        return w.out
    }

    /// Reads back what `json()` wrote: `Document(json: Data(d.json().utf8)) == d` for every document.
    public init(json: Data) throws {
        let decoded = try JSONDecoder().decode(DocumentJSON.self, from: json)
        guard let format = Format(rawValue: decoded.format) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown format \(decoded.format)"))
        }
        self.init(path: decoded.path, format: format, dialect: decoded.dialect, title: decoded.title,
                  abstract: decoded.abstract, metadata: Metadata(author: decoded.author, date: decoded.date),
                  pageCount: decoded.pages, sections: decoded.sections.map(\.section), warnings: decoded.warnings)
    }
}

/// `json()`'s shape with its keys, for decoding; absent keys are nil.
private struct DocumentJSON: Decodable {
    var path: String
    var format: String
    var dialect: String?
    var title: String?
    var abstract: String?
    var author: String?
    var date: String?
    var pages: Int?
    var warnings: [String]
    var sections: [SectionJSON]

    struct SectionJSON: Decodable {
        var heading: String?
        var level: Int
        var paragraphs: [ParagraphJSON]
        var sections: [SectionJSON]

        var section: Document.Section {
            Document.Section(heading: heading, level: level,
                             paragraphs: paragraphs.map { Document.Paragraph(text: $0.text, page: $0.page) },
                             subsections: sections.map(\.section))
        }
    }

    struct ParagraphJSON: Decodable {
        var text: String
        var page: Int?
    }
}

/// A small JSON writer that keeps key order (scripts diff this output).
private final class JSONWriter {
    let pretty: Bool
    var out = ""
    private var indent = 0
    private var first = true

    init(pretty: Bool) { self.pretty = pretty }

    private func newline() {
        guard pretty else { return }
        out += "\n" + String(repeating: "  ", count: indent)
    }

    func object(_ body: () -> Void) {
        out += "{"
        indent += 1
        first = true
        body()
        indent -= 1
        if !first { newline() }
        out += "}"
        first = false
    }

    func array(_ body: () -> Void) {
        out += "["
        indent += 1
        first = true
        body()
        indent -= 1
        if !first { newline() }
        out += "]"
        first = false
    }

    /// Starts an array element.
    func element() {
        if !first { out += "," }
        first = false
        newline()
    }

    func key(_ k: String) {
        element()
        string(k)
        out += pretty ? ": " : ":"
    }

    func number(_ n: Int) { out += String(n) }

    func string(_ s: String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    func sections(_ sections: [Document.Section]) {
        array {
            for section in sections {
                element()
                object {
                    if let heading = section.heading { key("heading"); string(heading) }
                    key("level"); number(section.level)
                    key("paragraphs")
                    array {
                        for p in section.paragraphs {
                            element()
                            object {
                                key("text"); string(p.text)
                                if let page = p.page { key("page"); number(page) }
                            }
                        }
                    }
                    key("sections"); self.sections(section.subsections)
                }
            }
        }
    }
}
