/// A document as ingestion recovers it: metadata, an optional abstract, and a tree of sections.
///
/// Every reader (PDF, XML, plain text, Markdown) produces one of these; the chunker consumes it, usually through
/// `paragraphs`, the flattened view in reading order.
public struct Document: Sendable, Equatable {
    /// The file it was read from, as given.
    public var path: String
    public var format: Format
    /// The XML vocabulary (`jats`, `tei`, `docbook`, `xhtml`, `generic`); nil for other formats.
    public var dialect: String?
    public var title: String?
    /// The abstract, kept apart from the body (JATS `abstract`, TEI `abstract`/`front`, DocBook `abstract`,
    /// a PDF section headed "Abstract").
    public var abstract: String?
    public var metadata: Metadata
    /// Number of pages, for PDF; nil otherwise.
    public var pageCount: Int?
    /// Text that comes before the first heading sits in a top section without heading (level 0).
    public var sections: [Section]
    /// Problems that did not stop ingestion, one line each ("pages 3, 7: scanned? no text layer").
    public var warnings: [String]

    public init(path: String, format: Format, dialect: String? = nil, title: String? = nil, abstract: String? = nil,
                metadata: Metadata = Metadata(), pageCount: Int? = nil, sections: [Section] = [],
                warnings: [String] = []) {
        self.path = path
        self.format = format
        self.dialect = dialect
        self.title = title
        self.abstract = abstract
        self.metadata = metadata
        self.pageCount = pageCount
        self.sections = sections
        self.warnings = warnings
    }

    /// What kind of file a document came from.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        case pdf, xml, text, markdown
    }

    /// Who wrote it and when, where the file says so.
    public struct Metadata: Sendable, Equatable {
        public var author: String?
        /// As the file gives it; PDF dates are rendered ISO 8601 (`2024-05-01T12:00:00Z`).
        public var date: String?
        public init(author: String? = nil, date: String? = nil) {
            self.author = author
            self.date = date
        }
    }

    /// One section: an optional heading, its level (1 = top; 0 for text before any heading), its own paragraphs
    /// and its subsections.
    public struct Section: Sendable, Equatable {
        public var heading: String?
        public var level: Int
        public var paragraphs: [Paragraph]
        public var subsections: [Section]
        public init(heading: String?, level: Int, paragraphs: [Paragraph] = [], subsections: [Section] = []) {
            self.heading = heading
            self.level = level
            self.paragraphs = paragraphs
            self.subsections = subsections
        }
    }

    /// A paragraph of running text; `page` is 1-based, for PDF only (the page where the paragraph starts).
    public struct Paragraph: Sendable, Equatable {
        public var text: String
        public var page: Int?
        public init(text: String, page: Int? = nil) {
            self.text = text
            self.page = page
        }
    }

    /// A paragraph in reading order with the headings of the sections that hold it, outermost first.
    public struct FlatParagraph: Sendable, Equatable {
        public var headingPath: [String]
        public var text: String
        public var page: Int?
        public init(headingPath: [String], text: String, page: Int?) {
            self.headingPath = headingPath
            self.text = text
            self.page = page
        }
    }

    /// Every paragraph in reading order, each with its section heading path and page.
    public var paragraphs: [FlatParagraph] {
        var out: [FlatParagraph] = []
        var path: [String] = []
        func walk(_ section: Section) {
            let pushed = section.heading != nil
            if let heading = section.heading { path.append(heading) }
            for p in section.paragraphs { out.append(FlatParagraph(headingPath: path, text: p.text, page: p.page)) }
            section.subsections.forEach(walk)
            if pushed { path.removeLast() }
        }
        sections.forEach(walk)
        return out
    }

    /// All section headings in reading order with their levels (the outline).
    public var outline: [(level: Int, heading: String)] {
        var out: [(level: Int, heading: String)] = []
        func walk(_ section: Section) {
            if let heading = section.heading { out.append((section.level, heading)) }
            section.subsections.forEach(walk)
        }
        sections.forEach(walk)
        return out
    }

    /// The whole text: paragraphs joined by blank lines (headings and abstract left out).
    public var bodyText: String { paragraphs.map(\.text).joined(separator: "\n\n") }
}
