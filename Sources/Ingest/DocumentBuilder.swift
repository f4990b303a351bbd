/// Builds the section tree of a `Document` from headings and paragraphs given in reading order.
///
/// A heading of level L closes every open section of level ≥ L and opens a new one; a paragraph goes to the
/// innermost open section, or to a preamble section (no heading, level 0) before the first heading.
struct DocumentBuilder {
    private(set) var sections: [Document.Section] = []
    private var open: [Document.Section] = []
    private(set) var paragraphCount = 0

    /// Opens a section. Empty headings are ignored; levels below 1 count as 1.
    mutating func heading(_ text: String, level: Int) {
        let text = normalizeSpace(text)
        guard !text.isEmpty else { return }
        let level = max(1, level)
        while let top = open.last, top.level >= level { close() }
        open.append(Document.Section(heading: text, level: level))
    }

    /// Adds a paragraph (whitespace collapsed; empty ones dropped).
    mutating func paragraph(_ text: String, page: Int? = nil) {
        let text = normalizeSpace(text)
        guard !text.isEmpty else { return }
        if open.isEmpty { open.append(Document.Section(heading: nil, level: 0)) }
        // Text after a subsection (XML `sec` content after a nested `sec`) goes into an untitled continuation
        // subsection, so that reading order survives in `Document.paragraphs`.
        if let top = open.last, !top.subsections.isEmpty {
            open.append(Document.Section(heading: nil, level: top.level + 1))
        }
        open[open.count - 1].paragraphs.append(Document.Paragraph(text: text, page: page))
        paragraphCount += 1
    }

    /// Closes the open sections of level ≥ `level` (the end of a section element in XML).
    mutating func closeSections(level: Int) {
        while let top = open.last, top.level >= max(1, level) { close() }
    }

    /// The level of the innermost open section (0 if none).
    var currentLevel: Int { open.last?.level ?? 0 }

    private mutating func close() {
        let done = open.removeLast()
        if open.isEmpty { sections.append(done) } else { open[open.count - 1].subsections.append(done) }
    }

    /// Closes every open section and returns the tree.
    mutating func finish() -> [Document.Section] {
        while !open.isEmpty { close() }
        return sections
    }
}

/// Collapses runs of white space (ASCII white space, no-break space, the Unicode spaces U+2000–U+200B, U+202F,
/// U+205F, U+3000 and the BOM) into one space and trims the ends. Works on UTF-8 bytes: it runs on every paragraph.
func normalizeSpace(_ text: String) -> String {
    var text = text
    return text.withUTF8 { normalizeSpace(bytes: $0) }
}

/// `normalizeSpace` over UTF-8 bytes.
func normalizeSpace(bytes: UnsafeBufferPointer<UInt8>) -> String {
    var spaces = 0
    return normalizeSpace(bytes: bytes, spaces: &spaces)
}

/// `normalizeSpace` over UTF-8 bytes, counting the spaces it leaves (words - 1 for non-empty text).
func normalizeSpace(bytes: UnsafeBufferPointer<UInt8>, spaces: inout Int) -> String {
    let n = bytes.count
    var emitted = 0
    defer { spaces = emitted }
    return String(unsafeUninitializedCapacity: n) { out in
        var o = 0
        var pendingSpace = false
        var i = 0
        while i < n {
            let b = bytes[i]
            var spaceLength = 0
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) {
                spaceLength = 1
            } else if b >= 0xC2 {
                if b == 0xC2, i + 1 < n, bytes[i + 1] == 0xA0 {
                    spaceLength = 2
                } else if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80,
                          bytes[i + 2] <= 0x8B || bytes[i + 2] == 0xAF || bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                    spaceLength = 3
                } else if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x81, bytes[i + 2] == 0x9F {
                    spaceLength = 3
                } else if b == 0xE3, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0x80 {
                    spaceLength = 3
                } else if b == 0xEF, i + 2 < n, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF {
                    spaceLength = 3
                }
            }
            if spaceLength > 0 {
                pendingSpace = o > 0
                i += spaceLength
            } else {
                if pendingSpace {
                    out[o] = 0x20
                    o += 1
                    emitted += 1
                    pendingSpace = false
                }
                out[o] = b
                o += 1
                i += 1
            }
        }
        return o
    }
}
