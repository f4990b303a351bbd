import Chunking
import Common

/// The kinds of node in a plan.
public enum NodeKind: String, Sendable, Codable {
    /// Summarizes one chunk.
    case map
    /// Merges consecutive summaries (of one document, or of several documents below the corpus root).
    case reduce
    /// A document's root: its final summary (a reduce, or the map of a one-chunk document).
    case document
    /// The corpus root: merges the document summaries.
    case corpus
}

/// One model call of the plan.
public struct PlanNode: Sendable, Equatable, Codable {
    public var id: Int
    public var kind: NodeKind
    /// 0 for maps; one more than the highest child for merges.
    public var level: Int
    /// Child node ids, in document and section order.
    public var children: [Int]
    /// Index into `Plan.documents`; nil for corpus-level nodes.
    public var document: Int?
    /// The chunk a map node (or a one-chunk document root) summarizes.
    public var chunk: Int?
    /// The prompt's tokens: exact for nodes over a chunk, an upper bound for merges (children at their budget).
    public var promptTokens: Int
    /// The output budget (generation stops there, at the last sentence end inside it).
    public var maxOutputTokens: Int
    /// First and last page covered, for paginated documents.
    public var firstPage: Int?
    public var lastPage: Int?
    /// Section heading path where the node's text starts.
    public var headingPath: [String]
    /// For merges: the label of each child's part in the prompt, in order.
    public var labels: [String] = []

    /// True when the node reads a chunk rather than child summaries.
    public var readsChunk: Bool { chunk != nil }
}

/// One document of the plan with its chunks.
public struct PlannedDocument: Sendable, Equatable, Codable {
    public var title: String
    public var path: String
    public var chunks: [Chunk]
    /// The root node of this document.
    public var root: Int
    /// Per chunk, the source sentences its map prompt gives as key points (empty unless the summary is grounded).
    public var keyPoints: [[String]]

    public init(title: String, path: String, chunks: [Chunk], root: Int = -1, keyPoints: [[String]] = []) {
        self.title = title
        self.path = path
        self.chunks = chunks
        self.root = root
        self.keyPoints = keyPoints
    }
}

/// Per-level totals.
public struct PlanLevel: Sendable, Equatable, Codable {
    public var level: Int
    public var nodes: Int
    public var inputTokens: Int
    public var outputTokens: Int
}

/// The whole tree of prompts, built and proved to fit before any model call.
public struct Plan: Sendable, Equatable, Codable {
    public var parameters: PlanParameters
    public var documents: [PlannedDocument]
    /// Nodes in an order where every child precedes its parent.
    public var nodes: [PlanNode]
    /// The corpus root, when there are two documents or more.
    public var corpusRoot: Int?
    /// The depth predicted before the tree was built (levels above the maps); equals `depth`.
    public var predictedDepth: Int

    /// The highest level of any node.
    public var depth: Int { nodes.map(\.level).max() ?? 0 }

    public var levels: [PlanLevel] {
        var levels: [PlanLevel] = []
        for level in 0...depth {
            let nodes = self.nodes.filter { $0.level == level }
            levels.append(PlanLevel(level: level, nodes: nodes.count,
                                    inputTokens: nodes.reduce(0) { $0 + $1.promptTokens },
                                    outputTokens: nodes.reduce(0) { $0 + $1.maxOutputTokens }))
        }
        return levels
    }

    /// Estimated wall seconds with `workers` parallel model calls at the given engine speeds: the larger of
    /// the total work spread over the workers and the longest chain of dependent calls. Outputs are counted
    /// at their budgets, so the estimate leans long.
    public func estimatedSeconds(prefillTokensPerSecond: Double, decodeTokensPerSecond: Double, workers: Int) -> Double {
        func cost(_ node: PlanNode) -> Double {
            Double(node.promptTokens) / prefillTokensPerSecond + Double(node.maxOutputTokens) / decodeTokensPerSecond
        }
        var chain = [Double](repeating: 0, count: nodes.count)
        var total = 0.0
        for node in nodes {
            let c = cost(node)
            total += c
            chain[node.id] = c + (node.children.map { chain[$0] }.max() ?? 0)
        }
        return max(total / Double(max(1, workers)), chain.max() ?? 0)
    }
}

/// The parameters that shape a plan; each has a flag of the same name.
public struct PlanParameters: Sendable, Equatable, Codable {
    /// `--context-tokens`: the context window every prompt plus its output must fit.
    public var contextTokens: Int
    /// `--chunk-tokens` and `--chunk-overlap`.
    public var chunking: ChunkingParameters
    /// `--summary-tokens`: the output budget of every node.
    public var summaryTokens: Int
    /// `--fan-in`: most children of a merge node.
    public var fanIn: Int
    /// Tokens of key source sentences a map prompt may carry (grounded summaries; 0: none).
    public var keyPointTokens = 0
    /// Tokens of supporting source sentences a document's merge prompt may carry (grounded summaries; 0: none).
    public var supportTokens = 0
    /// Sentences asked for at each node (derived from the summary budget: about 25 tokens a sentence).
    public var sentences: Int { max(2, summaryTokens / 28) }

    public init(contextTokens: Int, chunking: ChunkingParameters, summaryTokens: Int, fanIn: Int) {
        self.contextTokens = contextTokens
        self.chunking = chunking
        self.summaryTokens = summaryTokens
        self.fanIn = fanIn
    }
}

/// Errors of the planning stage: parameter combinations that cannot work, found before any model call.
public enum PlanningError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message names the settings involved; the CLI or the job says each as the user set it.
    case configuration(SettingsMessage)

    public var message: SettingsMessage {
        switch self {
        case let .configuration(reason): reason
        }
    }

    public var description: String { message.description }
}

extension PlanningError: ClassifiedError {
    public var failureClass: FailureClass { .usage }
}
