/// The XML vocabularies the reader knows, detected from the root element, its namespace and the doctype.
enum XMLDialect: String, Sendable {
    case jats, tei, docbook, xhtml, generic

    static let teiNamespace = "http://www.tei-c.org/ns/1.0"
    static let docbookNamespace = "http://docbook.org/ns/docbook"
    static let xhtmlNamespace = "http://www.w3.org/1999/xhtml"
    static let mathmlNamespace = "http://www.w3.org/1998/Math/MathML"

    /// The dialect for a root element, or nil when only its first child can tell (an `article` with no namespace
    /// and no doctype is JATS when its first child is `front`, DocBook otherwise).
    static func detect(root: String, namespace: String?, publicID: String?, systemID: String?,
                       hasJATSAttributes: Bool) -> XMLDialect? {
        let id = ((publicID ?? "") + " " + (systemID ?? "")).lowercased()
        if namespace == teiNamespace || root == "TEI" || root == "TEI.2" || root == "teiCorpus" { return .tei }
        if namespace == docbookNamespace || id.contains("docbook") { return .docbook }
        if namespace == xhtmlNamespace || root == "html" || id.contains("xhtml") { return .xhtml }
        if id.contains("jats") || id.contains("nlm") || id.contains("journal publishing") || id.contains("archiving and interchange") {
            return .jats
        }
        if root == "article" { return hasJATSAttributes ? .jats : nil }
        if ["book", "chapter", "part", "set", "refentry", "section", "sect1"].contains(root) { return .docbook }
        return .generic
    }

    /// What an element means to the reader.
    enum Role: Equatable {
        /// Holds other blocks (body, back, a list): its ends are paragraph boundaries.
        case container
        /// A section: sections nest, a heading inside names the innermost one.
        case section
        /// A heading; `level` 0 means "from the enclosing sections".
        case heading(level: Int)
        /// A block of running text.
        case paragraph
        /// Inline markup (or, in the generic dialect, an element whose kind shows from its content).
        case inline
        /// Left out with all its content (reference lists, tables, scripts, math).
        case skip
        /// The document's metadata block: text is dropped except the fields captured inside.
        case header
        /// The abstract: its paragraphs become `Document.abstract`.
        case abstract
        /// A metadata field (inside the header, or the document title where a dialect puts it in the body).
        case field(Field)
    }

    enum Field: Equatable {
        case title, author, date, surname, givenNames, year, month, day
    }

    /// True for names whose role depends on their parent, the header, the depth or whether a title was seen
    /// (so `role` cannot be cached by name).
    func isContextual(_ name: String) -> Bool {
        switch self {
        case .jats: ["article-title", "surname", "given-names", "year", "month", "day", "title"].contains(name)
        case .tei: ["title", "author", "date", "head"].contains(name)
        case .docbook: ["title", "author", "editor", "pubdate", "date"].contains(name)
        case .xhtml: name == "title"
        case .generic: true
        }
    }

    /// The role of `name` (local name) given its parent's local name and whether it is in the header.
    func role(_ name: String, parent: String, inHeader: Bool, isMath: Bool, titleKnown: Bool, depth: Int) -> Role {
        if isMath { return .skip }
        switch self {
        case .jats:
            switch name {
            case "front", "front-stub": return .header
            case "abstract": return .abstract
            case "trans-abstract", "ref-list", "table-wrap", "table", "label", "fn-group", "tex-math", "alternatives",
                 "object-id", "graphic", "counts", "permissions", "funding-group", "kwd-group", "author-notes", "aff":
                return .skip
            case "article-title" where inHeader: return titleKnown ? .skip : .field(.title)
            case "surname" where inHeader: return .field(.surname)
            case "given-names" where inHeader: return .field(.givenNames)
            case "year" where inHeader: return .field(.year)
            case "month" where inHeader: return .field(.month)
            case "day" where inHeader: return .field(.day)
            case "body", "back", "app-group", "list", "boxed-text", "fig", "caption", "disp-quote", "sub-article", "def-list":
                return .container
            case "sec", "app", "ack", "glossary": return .section
            case "title": return ["sec", "app", "ack", "glossary", "app-group"].contains(parent) ? .heading(level: 0) : .paragraph
            case "p", "list-item", "def", "term", "preformat", "disp-formula", "statement", "speech", "verse-group":
                return .paragraph
            default: return .inline
            }
        case .tei:
            switch name {
            case "teiHeader": return .header
            case "abstract": return .abstract
            case "title" where inHeader && parent == "titleStmt": return titleKnown ? .skip : .field(.title)
            case "author" where inHeader && parent == "titleStmt": return .field(.author)
            case "date" where inHeader && parent == "publicationStmt": return .field(.date)
            case "listBibl", "table", "fw", "facsimile", "figDesc": return .skip
            case "text", "front", "body", "back", "group", "list", "lg", "sp", "figure", "floatingText": return .container
            case "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7": return .section
            case "head": return parent.hasPrefix("div") ? .heading(level: 0) : .paragraph
            case "p", "ab", "item", "l", "label", "speaker", "docTitle", "byline", "docImprint", "argument", "epigraph",
                 "trailer", "closer", "opener", "salute", "signed":
                return .paragraph
            default: return .inline
            }
        case .docbook:
            switch name {
            case "info", "articleinfo", "bookinfo", "chapterinfo", "sectioninfo", "prefaceinfo", "appendixinfo",
                 "sect1info", "sect2info", "sect3info", "partinfo", "refentryinfo":
                return .header
            case "abstract": return .abstract
            case "title" where inHeader: return depth <= 3 && !titleKnown ? .field(.title) : .skip
            case "author" where inHeader, "editor" where inHeader: return .field(.author)
            case "pubdate" where inHeader, "date" where inHeader: return .field(.date)
            case "table", "informaltable", "bibliography", "indexterm", "index", "remark", "footnote", "mediaobject",
                 "imageobject", "toc", "lot", "titleabbrev", "subtitle":
                return .skip
            case "section", "sect1", "sect2", "sect3", "sect4", "sect5", "chapter", "appendix", "preface", "part",
                 "simplesect", "refsect1", "refsect2", "refsect3", "glossary", "colophon", "dedication", "partintro",
                 "reference", "refentry", "bibliodiv", "glossdiv":
                return .section
            case "title":
                if depth == 2 && !titleKnown { return .field(.title) }
                return ["section", "sect1", "sect2", "sect3", "sect4", "sect5", "chapter", "appendix", "preface",
                        "part", "simplesect", "refsect1", "refsect2", "refsect3", "glossary", "colophon", "dedication",
                        "reference", "glossdiv", "bibliodiv"].contains(parent) ? .heading(level: 0) : .paragraph
            case "para", "simpara", "programlisting", "screen", "literallayout", "term", "address", "synopsis",
                 "funcsynopsis", "cmdsynopsis", "blockquote", "attribution", "glossterm", "glossdef", "refpurpose",
                 "refname":
                return .paragraph
            case "article", "book", "itemizedlist", "orderedlist", "variablelist", "varlistentry", "listitem",
                 "note", "warning", "tip", "caution", "important", "example", "figure", "sidebar", "formalpara",
                 "procedure", "step", "qandaset", "qandaentry", "question", "answer", "glosslist", "glossentry",
                 "refnamediv", "refsynopsisdiv", "calloutlist", "callout", "segmentedlist", "epigraph":
                return .container
            default: return .inline
            }
        case .xhtml:
            switch name {
            case "head": return .header
            case "title" where inHeader: return .field(.title)
            case "script", "style", "table", "nav", "noscript", "svg", "template", "iframe", "object", "form",
                 "button", "select", "math":
                return .skip
            case "h1", "h2", "h3", "h4", "h5", "h6":
                return .heading(level: Int(String(name.dropFirst())) ?? 1)
            case "p", "li", "dd", "dt", "pre", "figcaption", "caption", "address", "summary", "blockquote":
                return .paragraph
            case "body", "div", "section", "article", "main", "header", "footer", "aside", "ul", "ol", "dl",
                 "figure", "details", "hgroup", "html":
                return .container
            default: return .inline
            }
        case .generic:
            switch name {
            case "title", "head", "heading", "h1", "h2", "h3", "h4", "h5", "h6":
                return .heading(level: 0)
            default: return .inline
            }
        }
    }
}
