import Chunking
import Foundation
import Ingest
import Planning

/// The settings of one summarization run; each has a flag (and a job.toml key) of the same meaning.
public struct SummaryOptions: Sendable, Equatable, Codable {
    /// `--method`: how summaries are made. Grounded by default: every sentence it keeps is supported by the
    /// source and it writes no number the source lacks, and on the development set's 23 papers it scored above
    /// extractive and mapreduce on ROUGE-1, ROUGE-2 and ROUGE-L (docs/quality.md).
    public var method: SummaryMethod = .grounded
    public var chunkTokens = 768
    /// Overlap in tokens; unless set, 48 or an eighth of the chunk, whichever is smaller (so `--chunk-tokens 64`
    /// works without also giving `--chunk-overlap`).
    public var chunkOverlap: Int {
        get { chunkOverlapSetting ?? min(48, chunkTokens / 8) }
        set { chunkOverlapSetting = newValue }
    }
    public var chunkOverlapSetting: Int?
    public var fanIn = 8
    public var summaryTokens = 160
    /// nil: chosen from the chunk size (at least 2048, at most the model's window).
    public var contextTokens: Int?
    public var workers = 1
    public var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var instructions = ""

    public init() {}

    /// The context window used: the explicit one, or enough for the chunks, within the model's window.
    public func resolvedContextTokens(modelContext: Int) -> Int {
        if let contextTokens { return contextTokens }
        return min(modelContext, max(2048, chunkTokens + summaryTokens + 512))
    }

    public func planParameters(modelContext: Int) -> PlanParameters {
        var p = PlanParameters(contextTokens: resolvedContextTokens(modelContext: modelContext),
                               chunking: ChunkingParameters(chunkTokens: chunkTokens, overlapTokens: chunkOverlap),
                               summaryTokens: summaryTokens, fanIn: fanIn)
        if method == .grounded {
            p.keyPointTokens = Self.keyPointTokens(summaryTokens: summaryTokens)
            p.supportTokens = Self.keyPointTokens(summaryTokens: summaryTokens)
        }
        return p
    }

    /// Key points given to a grounded prompt: about three sentences, never more than the summary itself.
    static func keyPointTokens(summaryTokens: Int) -> Int { min(summaryTokens, 120) }
}

/// A document that could not be summarized, and why (one line).
public struct DocumentFailure: Sendable, Equatable, Codable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

extension PlannerInput {
    /// The planner's view of a document: its title (else its file name) and its paragraphs.
    public init(_ document: Document) {
        let title = document.title.flatMap { $0.isEmpty ? nil : $0 }
            ?? ((document.path as NSString).lastPathComponent as NSString).deletingPathExtension
        self.init(title: title, path: document.path, paragraphs: document.paragraphs.map {
            SourceParagraph(text: $0.text, headingPath: $0.headingPath, page: $0.page)
        })
    }
}
