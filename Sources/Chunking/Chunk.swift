import Common

/// One paragraph of a document as the chunker sees it: text, the section heading path above it, its page.
public struct SourceParagraph: Sendable, Equatable {
    public var text: String
    /// Headings from the outermost section in, e.g. ["2 Methods", "2.1 Data"]. Empty before the first heading.
    public var headingPath: [String]
    /// 1-based page, for paginated sources.
    public var page: Int?

    public init(text: String, headingPath: [String] = [], page: Int? = nil) {
        self.text = text
        self.headingPath = headingPath
        self.page = page
    }
}

/// A token-counted piece of one document, with its provenance.
public struct Chunk: Sendable, Equatable, Codable {
    /// Position in the document, from 0.
    public var index: Int
    /// The chunk's own text: whole paragraphs joined by blank lines, or sentences, or words of a long sentence.
    public var text: String
    /// The end of the previous chunk, repeated as context ("" for the first chunk).
    public var overlap: String
    /// Tokens of `text` and of `overlap`, by the model's tokenizer.
    public var tokens: Int
    public var overlapTokens: Int
    /// The section heading path where the chunk starts.
    public var headingPath: [String]
    /// Every distinct heading path the chunk covers, in order.
    public var sections: [[String]]
    /// First and last page of the chunk's own text, for paginated sources.
    public var firstPage: Int?
    public var lastPage: Int?
    /// Indexes of the source paragraphs the chunk's own text comes from (first...last).
    public var paragraphs: ClosedRange<Int>

    public init(index: Int, text: String, overlap: String, tokens: Int, overlapTokens: Int, headingPath: [String],
                sections: [[String]], firstPage: Int?, lastPage: Int?, paragraphs: ClosedRange<Int>) {
        self.index = index
        self.text = text
        self.overlap = overlap
        self.tokens = tokens
        self.overlapTokens = overlapTokens
        self.headingPath = headingPath
        self.sections = sections
        self.firstPage = firstPage
        self.lastPage = lastPage
        self.paragraphs = paragraphs
    }

    public var pages: ClosedRange<Int>? {
        guard let firstPage, let lastPage else { return nil }
        return firstPage...lastPage
    }
}

/// Chunking parameters; `chunkTokens` bounds a chunk's text plus its overlap.
public struct ChunkingParameters: Sendable, Equatable, Codable {
    public var chunkTokens: Int
    public var overlapTokens: Int

    public init(chunkTokens: Int, overlapTokens: Int) {
        self.chunkTokens = chunkTokens
        self.overlapTokens = overlapTokens
    }

    /// Tokens left for a chunk's own text.
    public var contentTokens: Int { chunkTokens - overlapTokens }
}

/// Errors of the chunking stage.
public enum ChunkingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Settings that cannot work together; the message names them (`SettingsMessage`).
    case invalidParameters(SettingsMessage)

    public var message: SettingsMessage {
        switch self {
        case let .invalidParameters(reason): "invalid chunking parameters: \(reason)"
        }
    }

    public var description: String { message.description }
}
