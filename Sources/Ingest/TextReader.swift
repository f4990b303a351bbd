import Foundation

/// Plain text and Markdown: paragraphs are separated by blank lines; Markdown adds `#` (ATX) and underlined
/// (setext) headings, fenced code kept as text, and inline markup (links, emphasis, code spans) stripped.
struct TextReader {
    let path: String
    let markdown: Bool

    func read(_ data: Data) -> Document {
        var warnings: [String] = []
        let text = Self.decode(data, warnings: &warnings)
        var builder = DocumentBuilder()
        var title: String?
        var lines: [Substring] = []
        lines.reserveCapacity(64)
        var inFence = false
        var lineIndex = 0
        let all = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })

        func flush() {
            guard !lines.isEmpty else { return }
            let joined = lines.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: inFence ? "\n" : " ")
            builder.paragraph(markdown && !inFence ? Self.stripInline(joined) : joined)
            lines.removeAll(keepingCapacity: true)
        }

        // Markdown front matter (`---` … `---` at the very top) is metadata, not text.
        if markdown, all.first.map({ $0.trimmingCharacters(in: .whitespaces) == "---" }) == true,
           let end = all.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) {
            lineIndex = end + 1
        }
        while lineIndex < all.count {
            let line = all[lineIndex]
            lineIndex += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if markdown, trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flush()
                inFence.toggle()
                continue
            }
            if inFence { lines.append(line); continue }
            if trimmed.isEmpty { flush(); continue }
            if markdown, let (level, heading) = Self.atxHeading(trimmed) {
                flush()
                let heading = Self.stripInline(heading)
                if title == nil, level == 1 { title = normalizeSpace(heading) }
                builder.heading(heading, level: level)
                continue
            }
            // Setext: a single line of text underlined with === (level 1) or --- (level 2).
            if markdown, lines.count == 1, let level = Self.setextLevel(trimmed) {
                let heading = Self.stripInline(String(lines[0]))
                lines.removeAll()
                if title == nil, level == 1 { title = normalizeSpace(heading) }
                builder.heading(heading, level: level)
                continue
            }
            // Each list item is a paragraph of its own.
            if markdown, Self.isListItem(trimmed) { flush() }
            lines.append(line)
        }
        flush()
        return Document(path: path, format: markdown ? .markdown : .text, title: title,
                        sections: builder.finish(), warnings: warnings)
    }

    /// `## Heading ##` → (2, "Heading").
    static func atxHeading(_ line: String) -> (Int, String)? {
        var level = 0
        var rest = Substring(line)
        while rest.first == "#" { level += 1; rest = rest.dropFirst() }
        guard (1...6).contains(level), rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        var text = rest.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("#") { text.removeLast() }
        return (level, text.trimmingCharacters(in: .whitespaces))
    }

    /// "- item", "* item", "+ item", "1. item", "2) item".
    static func isListItem(_ line: String) -> Bool {
        if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { return true }
        let digits = line.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9 else { return false }
        let rest = line.dropFirst(digits.count)
        return rest.hasPrefix(". ") || rest.hasPrefix(") ")
    }

    static func setextLevel(_ line: String) -> Int? {
        if line.count >= 2, line.allSatisfy({ $0 == "=" }) { return 1 }
        if line.count >= 2, line.allSatisfy({ $0 == "-" }) { return 2 }
        return nil
    }

    /// Drops Markdown inline markup: `![alt](url)` → alt, `[text](url)` → text, `**`, `__`, backticks.
    static func stripInline(_ text: String) -> String {
        guard text.contains(where: { $0 == "[" || $0 == "*" || $0 == "`" || $0 == "_" }) else { return text }
        var out = ""
        var chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "!" && i + 1 < chars.count && chars[i + 1] == "[" { i += 1; continue }
            if c == "[", let close = chars[(i + 1)...].firstIndex(of: "]"), close + 1 < chars.count, chars[close + 1] == "(",
               let paren = chars[(close + 1)...].firstIndex(of: ")") {
                out.append(contentsOf: chars[(i + 1)..<close])
                i = paren + 1
                continue
            }
            if (c == "*" || c == "_") && i + 1 < chars.count && chars[i + 1] == c { i += 2; continue }
            if c == "`" { i += 1; continue }
            out.append(c)
            i += 1
        }
        chars.removeAll()
        return out
    }

    /// UTF-8 (BOM dropped) or BOM-marked UTF-16; invalid UTF-8 is replaced with U+FFFD and reported.
    static func decode(_ data: Data, warnings: inout [String]) -> String {
        let bytes = [UInt8](data)
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            let big = bytes[0] == 0xFE
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2)
            var i = 2
            while i + 1 < bytes.count {
                units.append(big ? UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]) : UInt16(bytes[i + 1]) << 8 | UInt16(bytes[i]))
                i += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
        let body = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? bytes[3...] : bytes[...]
        if let text = String(validating: body, as: UTF8.self) { return text }
        // Find the invalid sequences for the warning.
        var firstOffset: Int?
        var count = 0
        var iterator = body.makeIterator()
        var decoder = UTF8()
        var offset = body.startIndex
        loop: while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(s): offset += UTF8.width(s)
            case .emptyInput: break loop
            case .error:
                if firstOffset == nil { firstOffset = offset }
                count += 1
                offset += 1
            }
        }
        warnings.append("invalid UTF-8 at byte \(firstOffset ?? 0)\(count > 1 ? " and \(count - 1) more place\(count > 2 ? "s" : "")" : ""); replaced with U+FFFD")
        return String(decoding: body, as: UTF8.self)
    }
}
