internal import CLibXML2
import Foundation

/// The receiver of SAX events from `UnsafeXMLParser`: names and text arrive as UTF-8 bytes valid only during
/// the call.
protocol XMLEventHandler: AnyObject {
    func startElement(name: UnsafeBufferPointer<UInt8>, namespace: UnsafePointer<UInt8>?, attributes: XMLAttributes)
    func endElement()
    func characters(_ bytes: UnsafeBufferPointer<UInt8>)
    /// A reference to a general entity that is not predefined: `replacement` is its text (nil for an external
    /// entity, which is never loaded; `systemID` then names what it asked for).
    func entityReference(name: String, replacement: String?, systemID: String?)
    /// A reference to an entity the document never declares.
    func undefinedEntity(name: String)
    /// The document type declaration (`<!DOCTYPE name PUBLIC "publicID" …>`).
    func doctype(name: String?, publicID: String?, systemID: String?)
    /// Non-fatal parser diagnostics.
    func warning(_ message: String, line: Int)
}

/// The attributes of one start tag (libxml2's array of 5 pointers per attribute).
struct XMLAttributes {
    fileprivate let base: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    let count: Int

    /// The value of the attribute with this local name, if present.
    func value(_ localName: String) -> String? {
        guard let base else { return nil }
        for i in 0..<count {
            guard let name = base[5 * i] else { continue }
            if String(cString: name) == localName, let start = base[5 * i + 3], let end = base[5 * i + 4] {
                return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
            }
        }
        return nil
    }
}

/// A libxml2 SAX2 push parser that reads a file in fixed-size chunks, so memory stays bounded whatever the file
/// size. Network access, DTD loading and external entities are off; entity references are expanded by us (internal
/// entities only) under a byte budget.
final class UnsafeXMLParser {
    /// The first fatal error of the parse (or one our handler raised to stop it).
    enum Failure: Error {
        case malformed(line: Int, column: Int, message: String)
        case entityLoop(line: Int)
        case stopped
        case unreadable(String)
    }

    private var context: xmlParserCtxtPtr?
    private unowned let handler: any XMLEventHandler
    private var sax = xmlSAXHandler()
    private var firstError: Failure?
    /// Bytes of entity replacement text handed out so far, and the budget.
    private var expanded = 0
    private let expansionLimit: Int
    /// Set when the handler asked to stop (its own limit); the parser then reports `stopped`.
    private(set) var stopRequested = false

    init(handler: any XMLEventHandler, expansionLimit: Int) {
        self.handler = handler
        self.expansionLimit = expansionLimit
        Self.installEntityLoader
        sax.initialized = precis_xml_sax2_magic()
        sax.startDocument = xmlSAX2StartDocument
        sax.internalSubset = { ctx, name, externalID, systemID in
            xmlSAX2InternalSubset(ctx, name, externalID, systemID)
            guard let parser = UnsafeXMLParser.from(ctx) else { return }
            parser.handler.doctype(name: name.map { String(cString: $0) }, publicID: externalID.map { String(cString: $0) },
                                   systemID: systemID.map { String(cString: $0) })
        }
        sax.isStandalone = xmlSAX2IsStandalone
        sax.hasInternalSubset = xmlSAX2HasInternalSubset
        sax.hasExternalSubset = xmlSAX2HasExternalSubset
        sax.entityDecl = xmlSAX2EntityDecl
        sax.getEntity = { ctx, name in UnsafeXMLParser.getEntity(ctx, name) }
        sax.getParameterEntity = xmlSAX2GetParameterEntity
        // Never resolve anything outside the document: no external subset, no external entities.
        sax.resolveEntity = { _, _, _ in nil }
        sax.externalSubset = nil
        sax.startElementNs = { ctx, localname, _, uri, _, _, nbAttributes, _, attributes in
            guard let parser = UnsafeXMLParser.main(ctx), let localname else { return }
            let name = UnsafeBufferPointer(start: localname, count: strlen(UnsafeRawPointer(localname).assumingMemoryBound(to: CChar.self)))
            parser.handler.startElement(name: name, namespace: uri,
                                        attributes: XMLAttributes(base: attributes, count: Int(nbAttributes)))
        }
        sax.endElementNs = { ctx, _, _, _ in UnsafeXMLParser.main(ctx)?.handler.endElement() }
        sax.characters = { ctx, bytes, length in
            guard let parser = UnsafeXMLParser.main(ctx), let bytes else { return }
            parser.handler.characters(UnsafeBufferPointer(start: bytes, count: Int(length)))
        }
        sax.cdataBlock = sax.characters
        sax.reference = { ctx, name in UnsafeXMLParser.reference(ctx, name) }
        sax.serror = { userData, error in UnsafeXMLParser.structuredError(userData, error) }
    }

    deinit {
        if let context {
            if let doc = context.pointee.myDoc { xmlFreeDoc(doc) }
            context.pointee.myDoc = nil
            xmlFreeParserCtxt(context)
        }
    }

    /// Parses the file at `path` chunk by chunk.
    func parse(path: String, chunkSize: Int = 1 << 18) throws {
        guard let file = fopen(path, "rb") else { throw Failure.unreadable(String(cString: strerror(errno))) }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: chunkSize)
        try buffer.withUnsafeMutableBufferPointer { buf in
            let base = buf.baseAddress!
            // libxml2 detects the encoding from the first 4 bytes (BOM or `<?xm` in UTF-16/UTF-8).
            let first = fread(base, 1, 4, file)
            context = xmlCreatePushParserCtxt(&sax, nil, base, Int32(first), path)
            guard let context else { throw Failure.malformed(line: 0, column: 0, message: "cannot create parser") }
            context.pointee._private = Unmanaged.passUnretained(self).toOpaque()
            let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue)
            xmlCtxtUseOptions(context, options)
            // xmlCtxtUseOptions turns entity substitution, DTD loading and validation off (none is in `options`);
            // say it again in the fields the parser reads, as the security of this reader rests on them.
            context.pointee.replaceEntities = 0
            context.pointee.loadsubset = 0
            context.pointee.validate = 0
            while true {
                let n = fread(base, 1, chunkSize, file)
                let done = n < chunkSize
                let rc = xmlParseChunk(context, base, Int32(n), done ? 1 : 0)
                if let firstError { throw firstError }
                if stopRequested { throw Failure.stopped }
                if rc != 0 || context.pointee.wellFormed == 0 {
                    throw lastError(context)
                }
                if done { break }
            }
        }
    }

    /// Stops the parse from inside a handler callback.
    func stop() {
        stopRequested = true
        if let context { xmlStopParser(context) }
    }

    /// The current line, for messages.
    var line: Int { context.map { Int(xmlSAX2GetLineNumber(UnsafeMutableRawPointer($0))) } ?? 0 }

    /// The error the parser context recorded (`xmlCtxtGetLastError`).
    private func lastError(_ context: xmlParserCtxtPtr) -> Failure {
        guard let error = xmlCtxtGetLastError(UnsafeMutableRawPointer(context)) else {
            return .malformed(line: line, column: 0, message: "not well-formed")
        }
        return Self.failure(from: error.pointee)
    }

    private static func failure(from error: xmlError) -> Failure {
        if error.code == Int32(XML_ERR_ENTITY_LOOP.rawValue) { return .entityLoop(line: Int(error.line)) }
        return .malformed(line: Int(error.line), column: Int(error.int2), message: oneLine(error.message, code: error.code))
    }

    /// A libxml2 message on one line ("Input is not proper UTF-8 …\nBytes: 0x8A …" has two).
    private static func oneLine(_ message: UnsafeMutablePointer<CChar>?, code: Int32) -> String {
        guard let message else { return "error \(code)" }
        return String(cString: message).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    // MARK: C callbacks (no captures: the parser is found through the context's `_private`)

    /// The parser behind a callback's context, for any context (also the one libxml2 makes to check an entity).
    private static func from(_ ctx: UnsafeMutableRawPointer?) -> UnsafeXMLParser? {
        guard let ctx, let p = ctx.assumingMemoryBound(to: xmlParserCtxt.self).pointee._private else { return nil }
        return Unmanaged<UnsafeXMLParser>.fromOpaque(p).takeUnretainedValue()
    }

    /// The parser, only when the callback comes from the document itself: libxml2 parses an entity's text in a
    /// context of its own once to check it; those events are not the document's and are dropped (the reference
    /// callback delivers the text).
    private static func main(_ ctx: UnsafeMutableRawPointer?) -> UnsafeXMLParser? {
        guard let parser = from(ctx), let ctx, parser.context.map({ UnsafeMutableRawPointer($0) == ctx }) == true else { return nil }
        return parser
    }

    private static func getEntity(_ ctx: UnsafeMutableRawPointer?, _ name: UnsafePointer<xmlChar>?) -> xmlEntityPtr? {
        if let entity = xmlSAX2GetEntity(ctx, name) { return entity }
        // An undeclared entity would be a fatal error: declare it, once: a common character entity (XHTML,
        // DocBook) as its character, any other as its own name, with a warning.
        guard let parser = main(ctx), let context = parser.context, context.pointee.inSubset == 0,
              let doc = context.pointee.myDoc, let name else { return nil }
        if doc.pointee.intSubset == nil { xmlCreateIntSubset(doc, nil, nil, nil) }
        let key = String(cString: name)
        if let character = XMLEntities.known[key] {
            return xmlAddDocEntity(doc, name, Int32(XML_INTERNAL_GENERAL_ENTITY.rawValue), nil, nil, character)
        }
        parser.handler.undefinedEntity(name: key)
        return xmlAddDocEntity(doc, name, Int32(XML_INTERNAL_GENERAL_ENTITY.rawValue), nil, nil, name)
    }

    private static func reference(_ ctx: UnsafeMutableRawPointer?, _ name: UnsafePointer<xmlChar>?) {
        guard let parser = main(ctx), let name, let doc = parser.context?.pointee.myDoc else { return }
        let key = String(cString: name)
        guard let entity = xmlGetDocEntity(doc, name) else {
            parser.handler.entityReference(name: key, replacement: nil, systemID: nil)
            return
        }
        if entity.pointee.etype != XML_INTERNAL_GENERAL_ENTITY {
            parser.handler.entityReference(name: key, replacement: nil,
                                           systemID: entity.pointee.SystemID.map { String(cString: $0) })
            return
        }
        var text: [UInt8] = []
        guard parser.expand(entity, into: &text, depth: 0) else {
            parser.firstError = .entityLoop(line: parser.line)
            parser.stop()
            return
        }
        parser.handler.entityReference(name: key, replacement: String(decoding: text, as: UTF8.self), systemID: nil)
    }

    /// Appends an internal entity's replacement text, markup dropped and nested references expanded, within the
    /// byte budget and 8 levels. False when over either.
    private func expand(_ entity: xmlEntityPtr, into out: inout [UInt8], depth: Int) -> Bool {
        guard depth < 8, let content = entity.pointee.content else { return depth < 8 }
        let n = Int(entity.pointee.length)
        let bytes = UnsafeBufferPointer(start: content, count: n)
        var i = 0
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "<") {
                while i < n, bytes[i] != UInt8(ascii: ">") { i += 1 }
                i += 1
                continue
            }
            if b == UInt8(ascii: "&"), let semi = bytes[i...].firstIndex(of: UInt8(ascii: ";")) {
                let name = Array(bytes[(i + 1)..<semi])
                i = semi + 1
                if name.first == UInt8(ascii: "#") {
                    let digits = String(decoding: name.dropFirst(), as: UTF8.self)
                    let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                    if let value, let scalar = Unicode.Scalar(value) { out.append(contentsOf: Array(String(scalar).utf8)) }
                    continue
                }
                // Every reference counts against the budget too, so that references to empty entities cannot
                // multiply without limit.
                expanded += 1
                if expanded > expansionLimit { return false }
                let key = name + [0]
                if let nested = key.withUnsafeBufferPointer({ xmlGetDocEntity(context?.pointee.myDoc, $0.baseAddress) }) {
                    if nested.pointee.etype == XML_INTERNAL_GENERAL_ENTITY || nested.pointee.etype == XML_INTERNAL_PREDEFINED_ENTITY {
                        guard expand(nested, into: &out, depth: depth + 1) else { return false }
                    }
                } else if let predefined = key.withUnsafeBufferPointer({ xmlGetPredefinedEntity($0.baseAddress) }) {
                    guard expand(predefined, into: &out, depth: depth + 1) else { return false }
                }
                continue
            }
            out.append(b)
            expanded += 1
            if expanded > expansionLimit { return false }
            i += 1
        }
        return true
    }

    private static func structuredError(_ userData: UnsafeMutableRawPointer?, _ error: xmlErrorPtr?) {
        guard let error, let parser = from(userData) else { return }
        let e = error.pointee
        if e.level == XML_ERR_WARNING {
            parser.handler.warning(oneLine(e.message, code: e.code), line: Int(e.line))
        } else if e.code == Int32(XML_ERR_ENTITY_LOOP.rawValue), parser.firstError == nil {
            parser.firstError = .entityLoop(line: parser.line)
        } else if e.level == XML_ERR_FATAL, parser.firstError == nil {
            parser.firstError = failure(from: e)
        } else if e.level == XML_ERR_ERROR {
            parser.handler.warning(oneLine(e.message, code: e.code), line: Int(e.line))
        }
    }

    /// External entities and DTDs are never loaded, whatever a document or a future option asks: libxml2's
    /// process-wide loader is replaced, once, by one that refuses. (Only Ingest uses libxml2 in this process.)
    private static let installEntityLoader: Void = {
        xmlSetExternalEntityLoader { _, _, _ in nil }
    }()
}
