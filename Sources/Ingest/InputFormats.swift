import Foundation

/// The file names ingestion reads: the one list of extensions, used to find documents in a directory and to
/// check a file's extension against its content.
public enum InputFormats {
    /// Each extension read (lowercased, without the dot) and the format it promises; nil where the content
    /// decides (an `.html` file may be XHTML).
    public static let extensions: [String: Document.Format?] = [
        "pdf": .pdf,
        "xml": .xml, "nxml": .xml, "jats": .xml, "tei": .xml, "dbk": .xml, "docbook": .xml, "xhtml": .xml, "xht": .xml,
        "html": nil, "htm": nil,
        "txt": .text, "text": .text,
        "md": .markdown, "markdown": .markdown, "mdown": .markdown, "mkd": .markdown,
    ]

    /// The format a file's extension promises (nil: none, or the content decides).
    static func expected(forExtension ext: String) -> Document.Format? {
        extensions[ext.lowercased()] ?? nil
    }

    /// Whether `path`'s extension is one ingestion reads.
    public static func isDocument(_ path: String) -> Bool {
        extensions.keys.contains((path as NSString).pathExtension.lowercased())
    }

    /// The documents under `directory`, recursively, sorted: files with an extension ingestion reads, names
    /// starting with "." left out (and the directories they name, such as a job's `.precis/`).
    public static func documents(in directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let name = enumerator.nextObject() as? String {
            if (name as NSString).lastPathComponent.hasPrefix(".") {
                enumerator.skipDescendants()
                continue
            }
            if isDocument(name) { found.append((directory as NSString).appendingPathComponent(name)) }
        }
        return found.sorted()
    }
}
