/// `precis extract` output: the readable outline (the JSON shape is in Document+JSON.swift).
extension Document {
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
