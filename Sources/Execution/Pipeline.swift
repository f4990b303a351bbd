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

/// Ingests files and plans them: the front half of every summarizing command.
public enum Pipeline {
    /// Reads every file; a file that cannot be read is a failure, not the end of the run.
    public static func ingest(_ paths: [String], password: String? = nil) -> (documents: [Document], failures: [DocumentFailure]) {
        var documents: [Document] = []
        var failures: [DocumentFailure] = []
        for path in paths {
            do {
                documents.append(try Ingest.read(path: path, password: password))
            } catch {
                failures.append(DocumentFailure(path: path, reason: "\(error)"))
            }
        }
        return (documents, failures)
    }

    /// The planner's view of a document.
    public static func plannerInput(_ document: Document) -> PlannerInput {
        let title = document.title.flatMap { $0.isEmpty ? nil : $0 }
            ?? ((document.path as NSString).lastPathComponent as NSString).deletingPathExtension
        return PlannerInput(title: title, path: document.path, paragraphs: document.paragraphs.map {
            SourceParagraph(text: $0.text, headingPath: $0.headingPath, page: $0.page)
        })
    }
}
