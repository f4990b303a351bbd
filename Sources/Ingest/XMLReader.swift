import Foundation

/// Reads an XML file in one streaming pass (libxml2 SAX2, fixed-size chunks) into a `Document`: the dialect
/// decides which elements are sections, headings, paragraphs, metadata, the abstract, or left out.
final class XMLReader: XMLEventHandler {
    let path: String
    let limits: Ingest.Limits
    /// False to only count (`extract --stats`): memory then stays flat whatever the file size.
    let keepText: Bool

    private var parser: UnsafeXMLParser?
    private var dialect: XMLDialect?
    private var publicID: String?
    private var systemID: String?

    private struct Frame {
        var name: String
        var role: XMLDialect.Role
        /// In the generic dialect, an element that turned out to be inline (it started inside running text).
        var inlineInText = false
    }
    private var stack: [Frame] = []
    /// 1-based depths of the innermost skipped / header / abstract / field element (0: none).
    private var skipDepth = 0
    private var headerDepth = 0
    private var abstractDepth = 0
    private var specialDepth = 0
    private enum Special { case heading(Int), field(XMLDialect.Field) }
    private var special: Special?
    private var sectionDepth = 0
    /// Roles of element names whose role does not depend on where they stand (most of them).
    private var roleCache: [String: XMLDialect.Role] = [:]

    private var buffer: [UInt8] = []
    private var bufferHasText = false
    private var pendingFlush = false
    private var specialBuffer: [UInt8] = []

    private var builder = DocumentBuilder()
    private var abstractParagraphs: [String] = []
    private var abstractDone = false
    private var title: String?
    private var authors: [String] = []
    private var date: String?
    private var surname = "", givenNames = ""
    private var year = "", month = "", day = ""
    private var warnings: [String] = []
    private var warned: Set<String> = []
    private var failure: IngestError?

    /// Statistics of the text seen (also when `keepText` is false).
    private(set) var paragraphCount = 0
    private(set) var textBytes = 0
    private(set) var wordCount = 0

    /// A paragraph longer than this is cut, so one huge text node cannot grow the buffer without bound.
    private static let maxParagraphBytes = 1 << 20

    init(path: String, limits: Ingest.Limits, keepText: Bool = true) {
        self.path = path
        self.limits = limits
        self.keepText = keepText
        buffer.reserveCapacity(4096)
    }

    func read() throws -> Document {
        let parser = UnsafeXMLParser(handler: self, expansionLimit: limits.maxEntityExpansion)
        self.parser = parser
        defer { self.parser = nil }
        do {
            try parser.parse(path: path)
        } catch let error as UnsafeXMLParser.Failure {
            if let failure { throw failure }
            switch error {
            case let .malformed(line, column, message):
                throw IngestError.malformedXML(path: path, line: line, column: column, message: message)
            case let .entityLoop(line):
                throw IngestError.entityExpansion(path: path, line: line)
            case let .unreadable(reason):
                throw IngestError.unreadable(path: path, reason: reason)
            case .stopped:
                throw IngestError.malformedXML(path: path, line: parser.line, column: 0, message: "parse stopped")
            }
        }
        if let failure { throw failure }
        flush()
        let sections = builder.finish()
        let abstract = abstractParagraphs.isEmpty ? nil : abstractParagraphs.joined(separator: "\n\n")
        if paragraphCount == 0 && abstract == nil { throw IngestError.noText(path: path, pages: nil) }
        if title == nil, dialect == .xhtml || dialect == .generic {
            title = sections.lazy.compactMap(\.heading).first
        }
        return Document(path: path, format: .xml, dialect: (dialect ?? .generic).rawValue, title: title,
                        abstract: abstract,
                        metadata: Document.Metadata(author: authors.isEmpty ? nil : authors.joined(separator: ", "), date: date),
                        sections: keepText ? sections : [], warnings: warnings)
    }

    // MARK: events

    func doctype(name: String?, publicID: String?, systemID: String?) {
        self.publicID = publicID
        self.systemID = systemID
    }

    func startElement(name nameBytes: UnsafeBufferPointer<UInt8>, namespace: UnsafePointer<UInt8>?, attributes: XMLAttributes) {
        guard failure == nil else { return }
        let name = String(decoding: nameBytes, as: UTF8.self)
        let depth = stack.count + 1
        if depth > limits.maxDepth {
            fail(.tooDeep(path: path, line: parser?.line ?? 0, limit: limits.maxDepth))
            return
        }
        if skipDepth > 0 {
            stack.append(Frame(name: name, role: .skip))
            return
        }
        // Line breaks separate words ("one<br/>two"); TEI's `<lb break="no"/>` joins a word split across lines.
        if name == "br" || (name == "lb" && attributes.value("break") != "no") || name == "cb" {
            let space: [UInt8] = [0x20]
            space.withUnsafeBufferPointer { characters($0) }
        }
        if stack.isEmpty {
            let ns = namespace.map { String(cString: $0) }
            dialect = XMLDialect.detect(root: name, namespace: ns, publicID: publicID, systemID: systemID,
                                        hasJATSAttributes: attributes.value("dtd-version") != nil || attributes.value("article-type") != nil)
            stack.append(Frame(name: name, role: .container))
            return
        }
        if dialect == nil { dialect = name == "front" ? .jats : .docbook }
        let dialect = dialect ?? .generic
        if pendingFlush { flush() }

        let isMath = namespace.map { strcmp(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), XMLDialect.mathmlNamespace) == 0 } ?? false
        var role: XMLDialect.Role
        if !isMath, !dialect.isContextual(name), let cached = roleCache[name] {
            role = cached
        } else {
            role = dialect.role(name, parent: stack[stack.count - 1].name, inHeader: headerDepth > 0,
                                isMath: isMath, titleKnown: title != nil, depth: depth)
            if !isMath, !dialect.isContextual(name), roleCache.count < 4096 { roleCache[name] = role }
        }
        // Attribute-dependent roles.
        switch (dialect, name) {
        case (.tei, "div") where attributes.value("type") == "abstract": role = .abstract
        case (.jats, "contrib") where (attributes.value("contrib-type") ?? "author") != "author": role = .skip
        case (.xhtml, "meta") where headerDepth > 0:
            let key = attributes.value("name")?.lowercased() ?? ""
            if let content = attributes.value("content") {
                if key == "author" || key == "dc.creator" || key == "citation_author" { authors.append(normalizeSpace(content)) }
                if date == nil, ["date", "dc.date", "dcterms.date", "citation_publication_date"].contains(key) {
                    date = normalizeSpace(content)
                }
            }
        case (.tei, "date") where role == .field(.date):
            if date == nil, let when = attributes.value("when") { date = when }
        case (.generic, _) where role == .heading(level: 0) && depth == 2 && title == nil:
            role = .field(.title)
        default: break
        }
        if case .abstract = role, abstractDone || abstractDepth > 0 { role = .skip }
        if abstractDepth > 0, case .heading = role { role = .skip }
        if abstractDepth > 0, name == "title" || name == "head" { role = .skip }

        if let special {
            // Inside a heading or a field everything is text of it, except what is left out; the parts of a
            // name (firstname, surname) are separate words.
            if case .field(.author) = special { specialBuffer.append(0x20) }
            stack.append(Frame(name: name, role: role == .skip ? .skip : .inline))
            if role == .skip { skipDepth = depth }
            return
        }
        if headerDepth > 0 {
            switch role {
            case .skip: skipDepth = depth
            case .field(let field): special = .field(field); specialDepth = depth; specialBuffer.removeAll(keepingCapacity: true)
            case .abstract: abstractDepth = depth
            case .paragraph where abstractDepth > 0, .container where abstractDepth > 0: flush()
            default: role = .inline
            }
            stack.append(Frame(name: name, role: role))
            return
        }
        var frame = Frame(name: name, role: role)
        switch role {
        case .skip:
            skipDepth = depth
        case .header:
            flush()
            headerDepth = depth
        case .abstract:
            flush()
            abstractDepth = depth
        case .field(let field):
            flush()
            special = .field(field)
            specialDepth = depth
            specialBuffer.removeAll(keepingCapacity: true)
        case .heading(let level):
            flush()
            let resolved = level > 0 ? level : (dialect == .generic ? max(1, depth - 2) : max(1, sectionDepth))
            special = .heading(resolved)
            specialDepth = depth
            specialBuffer.removeAll(keepingCapacity: true)
        case .paragraph, .container:
            flush()
        case .section:
            flush()
            sectionDepth += 1
        case .inline:
            if dialect == .generic {
                if bufferHasText { frame.inlineInText = true } else { flush() }
            }
        }
        stack.append(frame)
    }

    func endElement() {
        guard failure == nil, let frame = stack.popLast() else { return }
        let depth = stack.count + 1
        if skipDepth > 0 {
            if depth == skipDepth { skipDepth = 0 }
            return
        }
        if pendingFlush { flush() }
        if special != nil, depth == specialDepth {
            finishSpecial()
            return
        }
        if special != nil { return }
        if headerDepth > 0 {
            if depth == headerDepth { headerDepth = 0 }
            else if frame.name == "name" || frame.name == "string-name" { finishAuthorName() }
            else if frame.name == "pub-date" { finishDate() }
            else if depth == abstractDepth { flush(); abstractDepth = 0; abstractDone = true }
            else if abstractDepth > 0, frame.role == .paragraph || frame.role == .container { flush() }
            return
        }
        switch frame.role {
        case .abstract:
            flush()
            abstractDepth = 0
            abstractDone = true
        case .paragraph, .container:
            flush()
        case .section:
            flush()
            builder.closeSections(level: sectionDepth)
            sectionDepth -= 1
        case .inline:
            if dialect == .generic && !frame.inlineInText { pendingFlush = true }
        default:
            break
        }
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard skipDepth == 0, failure == nil else { return }
        if special != nil {
            if specialBuffer.count < 65536 { specialBuffer.append(contentsOf: bytes) }
            return
        }
        if headerDepth > 0 && abstractDepth == 0 { return }
        if !bufferHasText || pendingFlush {
            var hasText = false
            for b in bytes where !(b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D) {
                hasText = true
                break
            }
            if hasText { bufferHasText = true; pendingFlush = false }
        }
        buffer.append(contentsOf: bytes)
        if buffer.count > Self.maxParagraphBytes { flush() }
    }

    func entityReference(name: String, replacement: String?, systemID: String?) {
        if let replacement {
            var text = replacement
            text.withUTF8 { characters($0) }
        } else {
            warn("external entity &\(name);\(systemID.map { " (\($0))" } ?? "") not loaded")
        }
    }

    func undefinedEntity(name: String) {
        warn("undefined entity &\(name); kept as its name")
    }

    func warning(_ message: String, line: Int) {
        warn("line \(line): \(message)")
    }

    // MARK: helpers

    private func warn(_ message: String) {
        guard warnings.count < 50, warned.insert(message).inserted else { return }
        warnings.append(message)
    }

    private func fail(_ error: IngestError) {
        if failure == nil { failure = error }
        parser?.stop()
    }

    /// Ends the running paragraph: into the abstract or the body.
    private func flush() {
        pendingFlush = false
        guard !buffer.isEmpty else { return }
        defer {
            buffer.removeAll(keepingCapacity: true)
            bufferHasText = false
        }
        guard bufferHasText else { return }
        var spaces = 0
        let text = buffer.withUnsafeBufferPointer { normalizeSpace(bytes: $0, spaces: &spaces) }
        if abstractDepth > 0 {
            abstractParagraphs.append(text)
            return
        }
        paragraphCount += 1
        textBytes += text.utf8.count
        wordCount += spaces + 1
        if textBytes > limits.maxTextBytes {
            fail(.tooLarge(path: path, what: "extracted text", limit: limits.maxTextBytes))
            return
        }
        if keepText { builder.paragraph(text) }
    }

    private func finishSpecial() {
        let text = specialBuffer.withUnsafeBufferPointer { normalizeSpace(bytes: $0) }
        specialBuffer.removeAll(keepingCapacity: true)
        let kind = special
        special = nil
        specialDepth = 0
        guard !text.isEmpty, let kind else { return }
        switch kind {
        case .heading(let level):
            if keepText { builder.heading(text, level: level) }
        case .field(.title): if title == nil { title = text }
        case .field(.author): authors.append(text)
        case .field(.date): if date == nil { date = text }
        case .field(.surname): surname = text
        case .field(.givenNames): givenNames = text
        case .field(.year): year = text
        case .field(.month): month = text
        case .field(.day): day = text
        }
    }

    private func finishAuthorName() {
        let name = [givenNames, surname].filter { !$0.isEmpty }.joined(separator: " ")
        if !name.isEmpty { authors.append(name) }
        surname = ""
        givenNames = ""
    }

    private func finishDate() {
        if date == nil, !year.isEmpty {
            func pad(_ s: String) -> String { s.count == 1 ? "0" + s : s }
            date = year + (month.isEmpty ? "" : "-" + pad(month) + (day.isEmpty ? "" : "-" + pad(day)))
        }
        year = ""; month = ""; day = ""
    }
}
