import Foundation

/// Rebuilds a document's structure from the text lines of its PDF pages: running headers and footers out, columns
/// in reading order, paragraphs from lines (hyphenation undone, across columns and pages), headings from font size,
/// weight and numbering, the title and the abstract.
///
/// Pure Swift over `PDFLine`s, so the rules can be tested on synthetic pages as well as through poppler.
struct PDFLayout {
    /// The lines of each page, as extracted.
    var pages: [PDFPageText]
    /// The thresholds (`PDFLayout+Parameters.swift`).
    var parameters = Parameters()

    /// What the layout pass found.
    struct Result {
        var title: String?
        var abstract: String?
        var sections: [Document.Section]
        /// Lines dropped as running headers, footers or page numbers (page, text), for tests and `--json`.
        var removed: [(page: Int, text: String)]
        /// 1-based pages without any text.
        var emptyPages: [Int]
    }

    /// A line placed on its page.
    private struct Placed {
        var line: PDFLine
        var page: Int          // 1-based
        var column: Int        // 0-based; -1 spans the columns
    }

    func run(metadataTitle: String?) -> Result {
        var removed: [(page: Int, text: String)] = []
        var emptyPages: [Int] = []
        var cleaned: [[PDFLine]] = pages.map { page in
            page.lines.compactMap { line in
                var l = line
                l.text = Self.normalizeLine(l.text)
                return l.text.isEmpty ? nil : l
            }
        }
        for (i, lines) in cleaned.enumerated() where lines.isEmpty { emptyPages.append(i + 1) }
        let drop = runningLines(cleaned)
        for (i, set) in drop.enumerated() where !set.isEmpty {
            for j in set.sorted() { removed.append((i + 1, cleaned[i][j].text)) }
            cleaned[i] = cleaned[i].enumerated().filter { !set.contains($0.offset) }.map(\.element)
        }
        var placed: [Placed] = []
        for (i, lines) in cleaned.enumerated() {
            placed.append(contentsOf: readingOrder(lines).map { Placed(line: $0.line, page: i + 1, column: $0.column) })
        }
        let body = bodyFontSize(placed.map(\.line))
        let pitch = linePitch(placed, body: body)
        let blocks = paragraphs(placed, body: body, pitch: pitch)
        return structure(blocks, body: body, metadataTitle: metadataTitle, removed: removed, emptyPages: emptyPages)
    }

    // MARK: lines

    /// NFKC (ligatures such as "ﬁ" become "fi"), soft hyphens dropped, white space collapsed.
    static func normalizeLine(_ text: String) -> String {
        var t = text
        if t.utf8.contains(where: { $0 >= 0x80 }) {
            t = t.precomposedStringWithCompatibilityMapping
            t.removeAll { $0 == "\u{00AD}" }
        }
        return normalizeSpace(t)
    }

    /// The key under which a header or footer line repeats: lowercased, digits folded, spaces dropped.
    static func runningKey(_ text: String) -> String {
        var key = ""
        for c in text.lowercased() where !c.isWhitespace { key.append(c.isNumber ? "#" : c) }
        return key
    }

    /// True for a line that is only a page number: "7", "- 7 -", "Page 7", "7 of 12", "vii".
    static func isPageNumber(_ text: String) -> Bool {
        let t = text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: " -–—|[]()"))
        if t.isEmpty { return false }
        if t.allSatisfy(\.isNumber) { return t.count <= 5 }
        if t.count <= 8, t.allSatisfy({ "ivxlc".contains($0) }) { return true }
        let words = t.split(whereSeparator: { $0 == " " || $0 == "/" })
        let numbers = words.filter { $0.allSatisfy(\.isNumber) }.count
        let others = words.filter { !$0.allSatisfy(\.isNumber) }
        return numbers >= 1 && numbers <= 2 && others.allSatisfy { $0 == "page" || $0 == "p." || $0 == "of" || $0 == "pg." }
    }

    /// A font size rounded to `sizeStep`.
    private func rounded(_ size: Double) -> Double {
        (size / parameters.sizeStep).rounded() * parameters.sizeStep
    }

    /// For each page, the indices of lines to drop: in the top or bottom band of the page (first or last two
    /// lines there, standing apart from the text), either a page number or a line whose `runningKey` recurs on
    /// three pages (on two pages in documents of up to five pages).
    private func runningLines(_ lines: [[PDFLine]]) -> [Set<Int>] {
        let p = parameters
        var candidates: [[(index: Int, key: String, number: Bool)]] = []
        var pagesWith: [String: Int] = [:]
        for (n, page) in lines.enumerated() {
            let height = pages[n].height > 0 ? pages[n].height : p.defaultPageHeight
            let order = page.indices.sorted { page[$0].y1 < page[$1].y1 }
            // The first two and last two rows (a row: lines on one baseline, such as a title and its page number).
            func rows(_ indices: [Int]) -> [Int] {
                var out: [Int] = []
                var rowCount = 0
                var lastY = -Double.greatestFiniteMagnitude
                for i in indices {
                    if abs(page[i].y2 - lastY) > max(page[i].height, 1) * p.sameRow {
                        rowCount += 1
                        if rowCount > p.furnitureRows { break }
                        lastY = page[i].y2
                    }
                    out.append(i)
                }
                return out
            }
            var picked: [Int] = []
            picked.append(contentsOf: rows(order).filter { page[$0].y2 < height * p.headerBand })
            picked.append(contentsOf: rows(order.reversed()).filter { page[$0].y1 > height * p.footerBand && !picked.contains($0) })
            // Furniture stands apart: the nearest line above or below it (overlapping horizontally) is further
            // than its own height. Body text at the top of a column has a neighbour one line pitch away.
            picked = picked.filter { i in
                let c = page[i]
                let top = c.y2 < height * 0.5
                let gaps = page.indices.compactMap { j -> Double? in
                    guard j != i, page[j].x1 < c.x2, page[j].x2 > c.x1 else { return nil }
                    let gap = top ? page[j].y1 - c.y2 : c.y1 - page[j].y2
                    return gap > -c.height * p.furnitureOverlap ? gap : nil
                }
                return (gaps.min() ?? .infinity) > max(c.height, p.furnitureMinHeight) * p.furnitureGap
            }
            var seen = Set<String>()
            var list: [(Int, String, Bool)] = []
            for i in picked {
                let key = Self.runningKey(page[i].text) + "@\(Int(page[i].fontSize.rounded()))"
                list.append((i, key, Self.isPageNumber(page[i].text)))
                if seen.insert(key).inserted { pagesWith[key, default: 0] += 1 }
            }
            candidates.append(list)
        }
        // Chapter-wise headers ("Chapter 2: Methods" on its chapter's pages only) repeat on a few pages: three
        // isolated repeats in the top or bottom band are enough in a longer document.
        let threshold = min(p.repeatPages, max(p.repeatMinPages, Int((Double(lines.count) * p.repeatFraction).rounded(.up))))
        var drop: [Set<Int>] = []
        for (n, list) in candidates.enumerated() {
            var set = Set(list.filter { (pagesWith[$0.key] ?? 0) >= threshold }.map(\.index))
            // A page number goes when its row holds nothing else but furniture ("CONTENTS 3"), not when it ends
            // a row of text (a table of contents entry, a table's last cell).
            for c in list where c.number && !set.contains(c.index) {
                let l = lines[n][c.index]
                let mates = lines[n].indices.filter { $0 != c.index && abs(lines[n][$0].y2 - l.y2) < max(l.height, 1) * p.sameRow }
                let numbers = Set(list.filter(\.number).map(\.index))
                if mates.allSatisfy({ set.contains($0) || numbers.contains($0) }) { set.insert(c.index) }
            }
            drop.append(set)
        }
        // Where furniture was found (its top and font size), an isolated line in the same slot on another page is
        // furniture too: a chapter's header that shows on two pages only, a page number with a running title.
        // Only running heads at the top count: a text block's last line often sits where a footer sits elsewhere.
        var slots: [(y: Double, size: Double)] = []
        func inSlot(_ l: PDFLine) -> Bool {
            slots.contains { abs($0.y - l.y1) < p.slotPosition && abs($0.size - l.fontSize) < p.sameSize }
        }
        for (n, list) in candidates.enumerated() where slots.count < p.maxFurnitureSlots {
            for c in list where drop[n].contains(c.index) && !c.number {
                let l = lines[n][c.index]
                guard l.y2 < (pages[n].height > 0 ? pages[n].height : p.defaultPageHeight) * p.headerBand else { continue }
                if !inSlot(l) { slots.append((l.y1, l.fontSize)) }
            }
        }
        if (drop.filter { !$0.isEmpty }.count) >= threshold {
            for (n, list) in candidates.enumerated() {
                for c in list where !drop[n].contains(c.index) {
                    let l = lines[n][c.index]
                    if inSlot(l) { drop[n].insert(c.index) }
                }
            }
        }
        return drop
    }

    /// Orders one page's lines for reading. Gutters are vertical bands that no narrow line crosses; lines that
    /// cross one (titles, figures' captions across the page, centred page furniture) split the page into bands,
    /// and within a band the columns are read left to right, each top to bottom.
    func readingOrder(_ lines: [PDFLine]) -> [(line: PDFLine, column: Int)] {
        let p = parameters
        let baseline: (PDFLine, PDFLine) -> Bool = { a, b in
            abs(a.y2 - b.y2) > min(a.height, b.height) * p.sameRow ? a.y2 < b.y2 : a.x1 < b.x1
        }
        let sized = lines.filter { $0.x2 > $0.x1 }
        guard sized.count >= p.columnMinLines, let left = sized.map(\.x1).min(), let right = sized.map(\.x2).max() else {
            return lines.sorted(by: baseline).map { ($0, 0) }
        }
        let width = right - left
        let narrow = sized.filter { $0.x2 - $0.x1 < width * p.narrowLine }.map { ($0.x1, $0.x2) }.sorted { $0.0 < $1.0 }
        var covered: [(Double, Double)] = []
        for (a, b) in narrow {
            if let last = covered.last, a <= last.1 { covered[covered.count - 1].1 = max(last.1, b) } else { covered.append((a, b)) }
        }
        var gutters: [(Double, Double)] = []
        for k in 1..<max(1, covered.count) where covered[k].0 - covered[k - 1].1 >= p.gutterWidth {
            gutters.append((covered[k - 1].1, covered[k].0))
        }
        // A column needs at least two lines on each side of a gutter, and lines of some width: a column of
        // numbers (a table of contents, a list's labels) is not a text column.
        func median(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.sorted()[xs.count / 2] }
        gutters = gutters.filter { g in
            let before = narrow.filter { $0.1 <= g.0 }.map { $0.1 - $0.0 }
            let after = narrow.filter { $0.0 >= g.1 }.map { $0.1 - $0.0 }
            return before.count >= p.columnMinLinesPerSide && after.count >= p.columnMinLinesPerSide
                && median(before) >= width * p.columnMinWidth && median(after) >= width * p.columnMinWidth
        }
        if gutters.isEmpty { return lines.sorted(by: baseline).map { ($0, 0) } }

        func column(_ l: PDFLine) -> Int {
            for (k, g) in gutters.enumerated() {
                if l.x1 < g.1 && l.x2 > g.0 { return -1 }
                if l.x2 <= g.0 + p.gutterTolerance { return k }
            }
            return gutters.count
        }
        var out: [(line: PDFLine, column: Int)] = []
        var band: [(line: PDFLine, column: Int)] = []
        func flushBand() {
            for k in 0...gutters.count {
                out.append(contentsOf: band.filter { $0.column == k }.sorted { baseline($0.line, $1.line) })
            }
            band.removeAll()
        }
        for l in lines.sorted(by: baseline) {
            let c = l.x2 > l.x1 ? column(l) : 0
            if c == -1 {
                flushBand()
                out.append((l, -1))
            } else {
                band.append((l, c))
            }
        }
        flushBand()
        return out
    }

    /// The most common font size, weighted by characters (rounded to `sizeStep`).
    func bodyFontSize(_ lines: [PDFLine]) -> Double {
        var weight: [Double: Int] = [:]
        for l in lines where l.fontSize > 0 { weight[rounded(l.fontSize), default: 0] += l.text.count }
        return weight.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? parameters.defaultBodySize
    }

    /// The most common distance between consecutive body-size lines of one column (rounded to `sizeStep`).
    private func linePitch(_ placed: [Placed], body: Double) -> Double {
        let p = parameters
        var counts: [Double: Int] = [:]
        for (a, b) in zip(placed, placed.dropFirst()) where a.page == b.page && a.column == b.column {
            guard abs(a.line.fontSize - body) < p.sameSize, abs(b.line.fontSize - body) < p.sameSize else { continue }
            let d = b.line.y2 - a.line.y2
            if d > body * p.minPitch && d < body * p.maxPitch { counts[rounded(d), default: 0] += 1 }
        }
        return counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? body * p.defaultPitch
    }

    // MARK: paragraphs

    /// A paragraph-to-be: its text, the page it starts on, its font.
    struct Block {
        var text: String
        var page: Int
        var fontSize: Double
        var bold: Bool
        var lines: Int
    }

    private static func endsSentence(_ text: String) -> Bool {
        guard let last = text.last else { return true }
        return ".!?:;\"”’)]".contains(last)
    }

    private static func joinsAcrossHyphen(_ a: String, _ b: String) -> Bool {
        guard let last = a.last, last == "-" || last == "\u{2010}", a.count >= 2 else { return false }
        let beforeHyphen = a[a.index(a.endIndex, offsetBy: -2)]
        return beforeHyphen.isLetter && (b.first?.isLowercase ?? false)
    }

    /// Appends line `b` to text `a`: a hyphen at a line end between letters and a lowercase continuation is
    /// dropped ("hyphen-" + "ation" = "hyphenation"), otherwise the two are joined by a space.
    static func join(_ a: String, _ b: String) -> String {
        if joinsAcrossHyphen(a, b) { return String(a.dropLast()) + b }
        return a.isEmpty ? b : a + " " + b
    }

    private func paragraphs(_ placed: [Placed], body: Double, pitch: Double) -> [Block] {
        let parameters = self.parameters
        var blocks: [Block] = []
        var current: Block?
        var previous: Placed?
        for p in placed {
            let l = p.line
            if var block = current, let prev = previous {
                let samePlace = prev.page == p.page && prev.column == p.column
                // Pieces of one row (a number and its title, cells poppler split at a wide gap) join with a space.
                if samePlace, abs(l.y2 - prev.line.y2) < min(l.height, prev.line.height) * parameters.sameRow,
                   l.x1 >= prev.line.x2 - parameters.rowPieceOverlap {
                    block.text += " " + l.text
                    current = block
                    var merged = prev
                    merged.line.x2 = l.x2
                    merged.line.text = l.text
                    previous = merged
                    continue
                }
                let sizeChange = abs(l.fontSize - prev.line.fontSize)
                    > max(parameters.sizeChange, prev.line.fontSize * parameters.sizeChangeFraction)
                let weightChange = l.bold != prev.line.bold
                // Larger type has larger leading: scale the body's line pitch to this line's size.
                let linePitch = l.fontSize > body ? pitch * l.fontSize / body : pitch
                let gap = l.y2 - prev.line.y2
                let bigGap = gap > max(linePitch * parameters.paragraphGap, linePitch + parameters.paragraphGapExtra * l.fontSize)
                    || gap < -l.height
                let indent = l.x1 > prev.line.x1 + max(1, l.fontSize) * parameters.indent
                    && !Self.joinsAcrossHyphen(prev.line.text, l.text)
                let continues: Bool
                if samePlace {
                    continues = !sizeChange && !weightChange && !bigGap && !indent
                } else {
                    // Into the next column or page: only an unfinished sentence carries on.
                    continues = !sizeChange && !weightChange && !Self.endsSentence(block.text)
                        && ((l.text.first?.isLowercase ?? false) || Self.joinsAcrossHyphen(block.text, l.text))
                }
                if continues {
                    block.text = Self.join(block.text, l.text)
                    block.lines += 1
                    current = block
                    previous = p
                    continue
                }
                blocks.append(block)
            }
            current = Block(text: l.text, page: p.page, fontSize: l.fontSize, bold: l.bold, lines: 1)
            previous = p
        }
        if let current { blocks.append(current) }
        return blocks
    }

    // MARK: headings, title, abstract

    /// "3.2 Results" → 2; nil when the text does not open with section numbering.
    static func numberingDepth(_ text: String) -> Int? {
        let scalars = Array(text.unicodeScalars.prefix(16))
        var i = 0, components = 0
        while i < scalars.count, CharacterSet.decimalDigits.contains(scalars[i]) {
            while i < scalars.count, CharacterSet.decimalDigits.contains(scalars[i]) { i += 1 }
            components += 1
            if i < scalars.count, scalars[i] == "." { i += 1 } else { break }
        }
        guard components > 0, i < scalars.count, scalars[i] == " " else { return nil }
        let rest = text.unicodeScalars.dropFirst(i + 1)
        guard let first = rest.first, CharacterSet.uppercaseLetters.contains(first) else { return nil }
        return components
    }

    private enum Kind { case heading(level: Int), title, body }

    private func structure(_ blocks: [Block], body: Double, metadataTitle: String?,
                           removed: [(page: Int, text: String)], emptyPages: [Int]) -> Result {
        let p = parameters
        func isLarge(_ b: Block) -> Bool {
            b.fontSize >= body * p.largeSize && b.lines <= p.largeMaxLines && b.text.count <= p.largeMaxCharacters
                && b.text.split(separator: " ").count <= p.largeMaxWords
        }
        func isBoldHeading(_ b: Block) -> Bool {
            b.bold && b.lines <= p.boldMaxLines && b.text.count <= p.boldMaxCharacters && b.fontSize >= body * p.headingMinSize
                && !(b.text.last == ".")
        }
        func isNumberedHeading(_ b: Block) -> Bool {
            b.lines == 1 && b.text.count <= p.numberedMaxCharacters && b.fontSize >= body * p.headingMinSize
                && !Self.endsSentence(b.text) && Self.numberingDepth(b.text) != nil
                && b.text.split(separator: " ").count <= p.numberedMaxWords
        }
        let largeSizes = Set(blocks.filter(isLarge).map { rounded($0.fontSize) }).sorted(by: >)
        // The title: the largest text, once, on the first page, not numbered.
        var titleIndex: Int?
        if let top = largeSizes.first {
            let withTop = blocks.indices.filter { isLarge(blocks[$0]) && rounded(blocks[$0].fontSize) == top }
            if withTop.count == 1, blocks[withTop[0]].page == 1, Self.numberingDepth(blocks[withTop[0]].text) == nil {
                titleIndex = withTop[0]
            }
        }
        let headingSizes = titleIndex == nil ? largeSizes : Array(largeSizes.dropFirst())

        var builder = DocumentBuilder()
        var abstract: [String] = []
        var inAbstract = false
        var layoutTitle: String?
        for (i, b) in blocks.enumerated() {
            if i == titleIndex { layoutTitle = b.text; continue }
            var level: Int?
            // Dot leaders mark a table-of-contents entry, not a heading.
            let leaders = b.text.contains(". . . .") || b.text.contains("....")
            let words = b.text.unicodeScalars.filter { CharacterSet.letters.contains($0) }.count >= p.headingMinLetters
            if !leaders, words, isLarge(b) || isBoldHeading(b) || isNumberedHeading(b) {
                if let depth = Self.numberingDepth(b.text) {
                    level = depth
                } else if isLarge(b), let rank = headingSizes.firstIndex(of: rounded(b.fontSize)) {
                    level = rank + 1
                } else if isBoldHeading(b) {
                    level = headingSizes.count + 1
                }
            }
            if let level {
                let plain = b.text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: " :.—-"))
                inAbstract = (plain == "abstract" || plain == "summary") && b.page <= p.abstractMaxPage && abstract.isEmpty
                if inAbstract { continue }
                builder.heading(b.text, level: level)
                continue
            }
            // "Abstract" alone on a line in body type (Journal of Statistical Software and R vignette styles).
            let plain = b.text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: " :.—-"))
            if b.page <= p.abstractMaxPage, abstract.isEmpty, !inAbstract, plain == "abstract" {
                inAbstract = true
                continue
            }
            // The keywords (or JEL codes) after an abstract are not part of it; they stay in the body.
            if inAbstract, !abstract.isEmpty,
               b.text.range(of: #"^(keywords|key words|index terms|jel)\b"#, options: [.regularExpression, .caseInsensitive]) != nil {
                inAbstract = false
            }
            if inAbstract {
                abstract.append(b.text)
                continue
            }
            // "Abstract. We study…" / "Abstract—We study…" on the first pages.
            if b.page <= p.abstractMaxPage, abstract.isEmpty, builder.paragraphCount < p.abstractMaxParagraphsBefore,
               b.text.count > p.abstractMinCharacters,
               let range = b.text.range(of: #"^(abstract|summary)\s*[.:—–-]\s*"#, options: [.regularExpression, .caseInsensitive]) {
                abstract.append(String(b.text[range.upperBound...]))
                continue
            }
            builder.paragraph(b.text, page: b.page)
        }
        let title = Self.plausibleTitle(metadataTitle) ?? layoutTitle
        return Result(title: title, abstract: abstract.isEmpty ? nil : abstract.joined(separator: "\n\n"),
                      sections: builder.finish(), removed: removed, emptyPages: emptyPages)
    }

    /// Metadata titles are often file names or tool leftovers ("Microsoft Word - draft.doc", "untitled").
    static func plausibleTitle(_ title: String?) -> String? {
        guard let t = title.map(normalizeSpace), t.count >= 3 else { return nil }
        let lower = t.lowercased()
        if lower.hasPrefix("untitled") || lower.hasPrefix("microsoft word") { return nil }
        for ext in [".doc", ".docx", ".pdf", ".tex", ".dvi", ".odt", ".rtf", ".indd"] where lower.hasSuffix(ext) { return nil }
        return t
    }
}
