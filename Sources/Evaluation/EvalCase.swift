import Common
import Execution
import Foundation
import Ingest

/// A document to summarize with the reference summary it is scored against, the reference withheld from it.
public struct EvalCase: Sendable {
    /// Where the reference came from.
    public enum ReferenceSource: String, Sendable, Codable {
        /// `NAME.ref.txt` or `NAME.ref.md` beside the document.
        case file
        /// The document's own abstract (JATS, TEI, DocBook, or a PDF's "Abstract").
        case abstract
    }

    /// The document as the summarizer gets it: no abstract, and no body paragraph that repeats the reference.
    public var document: Document
    public var reference: String
    public var referenceSource: ReferenceSource
    /// Body paragraphs taken out because they repeat the reference (a PDF abstract that ingestion missed, a
    /// reference file copied from the document).
    public var withheldParagraphs: Int

    /// The reference files looked for beside `path` (`dir/NAME.pdf` → `dir/NAME.ref.txt`, `dir/NAME.ref.md`).
    public static func referencePaths(for path: String) -> [String] {
        let base = (path as NSString).deletingPathExtension
        return [base + ".ref.txt", base + ".ref.md"]
    }

    /// Whether `path` is itself a reference file (so a directory listing can skip it).
    public static func isReferenceFile(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        return name.hasSuffix(".ref.txt") || name.hasSuffix(".ref.md")
    }

    /// The case of `document`: a reference file beside it wins over its abstract; with neither, nil.
    public static func make(_ document: Document) throws -> EvalCase? {
        for path in referencePaths(for: document.path) where FileManager.default.fileExists(atPath: path) {
            let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { continue }
            return withholding(text, from: document, source: .file)
        }
        if let abstract = document.abstract?.trimmingCharacters(in: .whitespacesAndNewlines), !abstract.isEmpty {
            return withholding(abstract, from: document, source: .abstract)
        }
        return nil
    }

    /// `document` without its abstract and without the body paragraphs most of whose 8-grams of words occur in
    /// `reference`.
    static func withholding(_ reference: String, from document: Document, source: ReferenceSource) -> EvalCase {
        let n = 8
        let referenceTokens = Words.tokens(reference)
        var referenceGrams = Set<ArraySlice<String>>()
        if referenceTokens.count >= n {
            for i in 0...(referenceTokens.count - n) { referenceGrams.insert(referenceTokens[i..<(i + n)]) }
        }
        var removed = 0
        func repeatsReference(_ text: String) -> Bool {
            let tokens = Words.tokens(text)
            guard tokens.count >= n else { return false }
            let total = tokens.count - n + 1
            let shared = (0..<total).filter { referenceGrams.contains(tokens[$0..<($0 + n)]) }.count
            return 2 * shared > total
        }
        func strip(_ section: Document.Section) -> Document.Section {
            var s = section
            s.paragraphs = section.paragraphs.filter { paragraph in
                if repeatsReference(paragraph.text) {
                    removed += 1
                    return false
                }
                return true
            }
            s.subsections = section.subsections.map(strip)
            return s
        }
        var withheld = document
        withheld.abstract = nil
        withheld.sections = document.sections.map(strip)
        return EvalCase(document: withheld, reference: reference, referenceSource: source, withheldParagraphs: removed)
    }

    /// Everything the summarizer reads: title, headings and paragraphs (numbers found here are supported).
    public var sourceText: String {
        ([document.title ?? ""] + document.outline.map(\.heading) + document.paragraphs.map(\.text))
            .joined(separator: "\n")
    }
}
