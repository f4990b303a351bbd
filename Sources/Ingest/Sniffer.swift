/// Decides a file's format from its first bytes, then checks the extension against it.
///
/// The content decides: an extension never makes a file readable as something it is not.
enum Sniffer {
    /// What the first bytes look like.
    enum Content: Equatable {
        case pdf
        case xml
        case text
        /// A known binary format (`name` for the message) or unrecognised binary data.
        case binary(name: String)

        var label: String {
            switch self {
            case .pdf: "a PDF"
            case .xml: "XML"
            case .text: "plain text"
            case let .binary(name): name
            }
        }
    }

    /// How many leading bytes `sniff` looks at.
    static let prefixLength = 8192

    /// Classifies the first bytes of a file (at most `prefixLength` of them; non-empty).
    static func sniff(_ head: [UInt8]) -> Content {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + magic.count && Array(head[offset..<offset + magic.count]) == magic
        }
        // PDF readers accept the header anywhere in the first 1024 bytes.
        if let _ = find(Array("%PDF-".utf8), in: head.prefix(1024)) { return .pdf }
        let magics: [([UInt8], String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "a PNG image"), ([0xFF, 0xD8, 0xFF], "a JPEG image"),
            (Array("GIF8".utf8), "a GIF image"), ([0x50, 0x4B, 0x03, 0x04], "a ZIP archive (DOCX, EPUB, ODT…)"),
            ([0x1F, 0x8B], "gzip-compressed data"), ([0x7F, 0x45, 0x4C, 0x46], "an ELF executable"),
            ([0xD0, 0xCF, 0x11, 0xE0], "an old Microsoft Office file"), (Array("{\\rtf".utf8), "an RTF document"),
            (Array("GGUF".utf8), "a GGUF model"), ([0x42, 0x5A, 0x68], "bzip2-compressed data"),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "xz-compressed data"), (Array("II*\0".utf8), "a TIFF image"),
            (Array("MM\0*".utf8), "a TIFF image"),
        ]
        for (magic, name) in magics where starts(magic) { return .binary(name: name) }

        // UTF-16 with a byte-order mark, or XML in UTF-16 without one ("<?" as 16-bit units).
        if starts([0xFE, 0xFF]) || starts([0xFF, 0xFE]) {
            let bigEndian = head[0] == 0xFE
            var units: [UInt16] = []
            var i = 2
            while i + 1 < head.count, units.count < 512 {
                units.append(bigEndian ? UInt16(head[i]) << 8 | UInt16(head[i + 1]) : UInt16(head[i + 1]) << 8 | UInt16(head[i]))
                i += 2
            }
            let text = String(decoding: units, as: UTF16.self)
            return looksLikeXML(Array(text.utf8)) ? .xml : .text
        }
        if starts([0x00, 0x3C, 0x00, 0x3F]) || starts([0x3C, 0x00, 0x3F, 0x00]) { return .xml }

        // Text or binary: NUL bytes or many control characters mean binary.
        var controls = 0
        for b in head {
            if b == 0 { return .binary(name: "binary data") }
            if (b < 0x20 && b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C) || b == 0x7F { controls += 1 }
        }
        if controls * 100 > head.count { return .binary(name: "binary data") }
        if looksLikeXML(starts([0xEF, 0xBB, 0xBF]) ? Array(head.dropFirst(3)) : head) { return .xml }
        return .text
    }

    /// The format to read a file with, given its extension (lowercased, without the dot; "" for none) and content.
    static func format(path: String, fileExtension ext: String, content: Content) throws -> Document.Format {
        let expected = InputFormats.expected(forExtension: ext)
        switch (expected, content) {
        case (_, .binary(let name)):
            if expected != nil { throw IngestError.contentMismatch(path: path, fileExtension: ext, content: name) }
            throw IngestError.unknownType(path: path, detail: name)
        case (.pdf?, .pdf), (nil, .pdf): return .pdf
        case (.xml?, .xml), (nil, .xml): return .xml
        case (.text?, .text), (.text?, .xml): return .text
        case (.markdown?, .text), (.markdown?, .xml): return .markdown
        case (nil, .text): return .text
        case (_?, _):
            throw IngestError.contentMismatch(path: path, fileExtension: ext, content: content.label)
        }
    }

    /// True when the bytes, after white space, open with `<?xml`, a doctype, a comment or an element.
    private static func looksLikeXML(_ bytes: [UInt8]) -> Bool {
        var i = 0
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "<") else { return false }
        let next = bytes[i + 1]
        return next == UInt8(ascii: "?") || next == UInt8(ascii: "!")
            || (next >= 0x41 && next <= 0x5A) || (next >= 0x61 && next <= 0x7A) || next == UInt8(ascii: "_")
    }

    private static func find(_ needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard hay.count >= needle.count else { return nil }
        var i = hay.startIndex
        while i + needle.count <= hay.endIndex {
            if hay[i] == needle[0], Array(hay[i..<i + needle.count]) == needle { return i }
            i += 1
        }
        return nil
    }
}
