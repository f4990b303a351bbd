/// `precis extract` output: the readable outline and the JSON shape of DESIGN.md ("Machine-readable output").
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

    /// The document as text: its metadata, the abstract, then each heading (marked by level) and paragraph.
    public func outlineText() -> String {
        var out = ""
        if let title { out += "Title: \(title)\n" }
        if let author = metadata.author { out += "Author: \(author)\n" }
        if let date = metadata.date { out += "Date: \(date)\n" }
        out += "Format: \(format.rawValue)\(dialect.map { " (\($0))" } ?? "")\(pageCount.map { ", \($0) page\($0 == 1 ? "" : "s")" } ?? "")\n"
        for warning in warnings { out += "Warning: \(warning)\n" }
        if let abstract { out += "\nAbstract\n\n\(abstract)\n" }
        func walk(_ section: Section) {
            if let heading = section.heading {
                out += "\n" + String(repeating: "#", count: max(1, section.level)) + " " + heading + "\n"
            }
            for p in section.paragraphs {
                out += "\n" + (p.page.map { "[p. \($0)] " } ?? "") + p.text + "\n"
            }
            section.subsections.forEach(walk)
        }
        sections.forEach(walk)
        return out
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
