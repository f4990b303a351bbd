import Chunking
import Common

/// A document as the planner takes it: a title, a path, and its paragraphs in reading order.
public struct PlannerInput: Sendable, Equatable {
    public var title: String
    public var path: String
    public var paragraphs: [SourceParagraph]

    public init(title: String, path: String, paragraphs: [SourceParagraph]) {
        self.title = title
        self.path = path
        self.paragraphs = paragraphs
    }
}

/// Builds the whole tree of prompts before any model call, and proves that it fits.
///
/// Map nodes summarize chunks; merge rounds group consecutive summaries of one document, in order, into balanced
/// groups of at most `capacity` children until one root per document remains; corpus rounds merge the document
/// roots the same way. Every prompt is counted with the model's tokenizer after the chat template is applied:
/// exactly for prompts over chunks, and as an upper bound for merges (every child at its output budget, every
/// label at its exact length, plus a per-part allowance for tokenization at the seams). Each round at least
/// halves the node count (capacity ≥ 2), so the depth is known before the tree is built.
public struct Planner<Counter: TokenCounting>: Sendable {
    public let counter: Counter
    /// Wraps a user message in the model's chat template (identity for raw prompts).
    public let wrap: @Sendable (String) -> String
    public let prompts: Prompts
    public let parameters: PlanParameters

    /// Tokens allowed for tokenization effects where a child's text meets its label and the next part.
    public static var seamTokens: Int { 4 }
    /// A part label never takes more tokens than this (longer section names are shortened).
    public static var labelTokens: Int { 24 }

    public init(counter: Counter, wrap: @escaping @Sendable (String) -> String, prompts: Prompts,
                parameters: PlanParameters) {
        self.counter = counter
        self.wrap = wrap
        self.prompts = prompts
        self.parameters = parameters
    }

    /// Key points for the map prompts of one document: given its index among the planned documents and its
    /// chunks, the sentences for each chunk, each chunk's lines (`- sentence`) within `keyPointTokens`.
    public typealias KeyPoints = (Int, [Chunk]) -> [[String]]

    /// Plans `documents`; documents with no text are left out and listed in `excluded`. With `keyPoints` (and
    /// `keyPointTokens` > 0) every map prompt carries its chunk's key points.
    public func plan(_ documents: [PlannerInput], keyPoints: KeyPoints? = nil) throws(PlanningError) -> (plan: Plan, excluded: [(path: String, reason: String)]) {
        let p = parameters
        let chunker: Chunker<Counter>
        do { chunker = try Chunker(counter: counter, parameters: p.chunking) } catch {
            throw .configuration(error.message)
        }
        let capacity = try checkParameters(documents)

        var excluded: [(path: String, reason: String)] = []
        var docs: [PlannedDocument] = []
        var chunkLists: [[Chunk]] = []
        for input in documents {
            let chunks = chunker.chunks(of: input.paragraphs)
            if chunks.isEmpty {
                excluded.append((input.path, "no text to summarize"))
                continue
            }
            var doc = PlannedDocument(title: input.title, path: input.path, chunks: chunks)
            if let keyPoints, p.keyPointTokens > 0 { doc.keyPoints = keyPoints(docs.count, chunks) }
            docs.append(doc)
            chunkLists.append(chunks)
        }

        // The depth, predicted from the chunk counts and capacities alone.
        let documentDepth = chunkLists.map { Self.rounds(count: $0.count, capacity: capacity.document) }.max() ?? 0
        let corpusRounds = docs.count >= 2 ? Self.rounds(count: docs.count, capacity: capacity.corpus) : 0
        let predictedDepth = documentDepth + corpusRounds

        var nodes: [PlanNode] = []
        for (d, doc) in docs.enumerated() {
            var level: [Int] = []
            for chunk in doc.chunks {
                let tokens = counter.count(mapPrompt(doc, chunk: chunk.index))
                guard tokens + p.summaryTokens <= p.contextTokens else {
                    throw .configuration(
                        "\(doc.path): chunk \(chunk.index + 1) needs a prompt of \(tokens) tokens; with \(Setting.summaryTokens) \(p.summaryTokens) that exceeds \(Setting.contextTokens) \(p.contextTokens). Lower \(Setting.chunkTokens) or raise \(Setting.contextTokens).")
                }
                level.append(nodes.count)
                nodes.append(PlanNode(
                    id: nodes.count, kind: .map, level: 0, children: [], document: d, chunk: chunk.index,
                    promptTokens: tokens, maxOutputTokens: p.summaryTokens,
                    firstPage: chunk.firstPage, lastPage: chunk.lastPage, headingPath: chunk.headingPath))
            }
            let root = merge(level, scope: .document(d, title: Self.shorten(doc.title, to: 120)),
                             capacity: capacity.document, nodes: &nodes)
            if nodes[root].kind == .map { nodes[root].kind = .document }
            docs[d].root = root
        }

        let corpusRoot = docs.count >= 2
            ? merge(docs.map(\.root), scope: .corpus(docs, levelsBelow: documentDepth), capacity: capacity.corpus,
                    nodes: &nodes)
            : nil

        for node in nodes where node.promptTokens + node.maxOutputTokens > p.contextTokens {
            // Unreachable when the capacities are right; kept as the proof's last line.
            throw .configuration("node \(node.id) (\(node.kind.rawValue)) needs \(node.promptTokens + node.maxOutputTokens) tokens, over \(Setting.contextTokens) \(p.contextTokens)")
        }
        let plan = Plan(parameters: p, documents: docs, nodes: nodes, corpusRoot: corpusRoot, predictedDepth: predictedDepth)
        return (plan, excluded)
    }

    /// Tokens a document merge prompt is allowed for supporting source sentences (0 without them).
    var supportAllowance: Int { parameters.supportTokens > 0 ? parameters.supportTokens + Prompts.keyPointHeadingTokens : 0 }

    /// The prompt of the map node over chunk `c` of `document`, chat template applied.
    func mapPrompt(_ document: PlannedDocument, chunk c: Int) -> String {
        let chunk = document.chunks[c]
        return mapPrompt(title: document.title, headingPath: chunk.headingPath, chunk: chunk,
                         keyPoints: c < document.keyPoints.count ? document.keyPoints[c] : [])
    }

    /// A map prompt, chat template applied, the title and section names shortened. The one place map prompts are
    /// made: the plan counts them here, the executor sends them from here, and `checkParameters` bounds their
    /// overhead here (an empty chunk under the longest title and section path), so the proof holds.
    func mapPrompt(title: String, headingPath: [String], chunk: Chunk, keyPoints: [String] = []) -> String {
        wrap(prompts.map(title: Self.shorten(title, to: 120), headingPath: headingPath.map { Self.shorten($0, to: 60) },
                         chunk: chunk, sentences: parameters.sentences, keyPoints: keyPoints))
    }

    /// What a chain of merge rounds merges: one document's nodes, or the document roots of the corpus.
    enum MergeScope {
        /// The document at this index of the plan, with its title as prompts give it: `.reduce` nodes up to its
        /// `.document` root, each with its pages and first section, and room for supporting sentences.
        case document(Int, title: String)
        /// The corpus: `.reduce` nodes up to the `.corpus` root, their levels above the documents' deepest.
        case corpus([PlannedDocument], levelsBelow: Int)
    }

    /// Merges `level` (node ids, in order) round after round, in balanced groups of at most `capacity`, until one
    /// node remains, and returns its id (`level[0]` when there is one node only); the merge nodes are appended to
    /// `nodes`. A merge's prompt is bounded by its instructions and labels counted exactly, plus every child at
    /// its output budget and a seam allowance.
    func merge(_ level: [Int], scope: MergeScope, capacity: Int, nodes: inout [PlanNode]) -> Int {
        let p = parameters
        func parts(_ labels: [String]) -> [Prompts.Part] { labels.map { Prompts.Part(label: $0, text: "") } }
        var level = level
        var round = 0
        while level.count > 1 {
            round += 1
            let groups = Self.balancedGroups(level.count, capacity: capacity)
            let final = groups.count == 1
            var next: [Int] = []
            for group in groups {
                let children = group.map { level[$0] }
                let childTokens = children.reduce(0) { $0 + nodes[$1].maxOutputTokens + Self.seamTokens }
                let node: PlanNode
                switch scope {
                case let .document(d, title):
                    let labels = children.enumerated().map { k, child in label(part: k + 1, of: nodes[child]) }
                    let prompt = wrap(prompts.reduce(title: title, parts: parts(labels), sentences: p.sentences, final: final))
                    node = PlanNode(
                        id: nodes.count, kind: final ? .document : .reduce, level: round, children: children,
                        document: d, chunk: nil, promptTokens: counter.count(prompt) + supportAllowance + childTokens,
                        maxOutputTokens: p.summaryTokens,
                        firstPage: children.compactMap { nodes[$0].firstPage }.min(),
                        lastPage: children.compactMap { nodes[$0].lastPage }.max(),
                        headingPath: nodes[children[0]].headingPath, labels: labels)
                case let .corpus(docs, levelsBelow):
                    let labels = children.map { corpusLabel(nodes[$0], covering: Self.documents(under: $0, in: nodes), docs: docs) }
                    let prompt = wrap(prompts.corpus(parts: parts(labels), sentences: p.sentences, final: final))
                    node = PlanNode(
                        id: nodes.count, kind: final ? .corpus : .reduce, level: levelsBelow + round, children: children,
                        document: nil, chunk: nil, promptTokens: counter.count(prompt) + childTokens,
                        maxOutputTokens: p.summaryTokens, firstPage: nil, lastPage: nil, headingPath: [], labels: labels)
                }
                next.append(node.id)
                nodes.append(node)
            }
            level = next
        }
        return level[0]
    }

    /// The documents a corpus-level node covers: from its first leaf's document to its last's.
    static func documents(under id: Int, in nodes: [PlanNode]) -> ClosedRange<Int> {
        var first = id, last = id
        while nodes[first].document == nil { first = nodes[first].children[0] }
        while nodes[last].document == nil { last = nodes[last].children.last! }
        return nodes[first].document!...nodes[last].document!
    }

    /// The full prompt of a node, chat template applied, given its children's summaries in order (ignored for
    /// nodes over a chunk) and, for a document's merge, supporting source sentences (their `- sentence` lines
    /// within `supportTokens`). The same rendering the plan counted.
    public func prompt(for node: PlanNode, in plan: Plan, childTexts: [String], support: [String] = []) -> String {
        let sentences = parameters.sentences
        if let d = node.document, let c = node.chunk { return mapPrompt(plan.documents[d], chunk: c) }
        let parts = zip(node.labels, childTexts).map { Prompts.Part(label: $0, text: $1) }
        let final = node.kind == .document || node.kind == .corpus
        if let d = node.document {
            return wrap(prompts.reduce(title: Self.shorten(plan.documents[d].title, to: 120), parts: parts,
                                       sentences: sentences, final: final,
                                       keyPoints: parameters.supportTokens > 0 ? support : []))
        }
        return wrap(prompts.corpus(parts: parts, sentences: sentences, final: final))
    }

    /// The label of a document-level part: "Part 3 (section 2.1 Data, pages 4–7)".
    public func label(part: Int, of node: PlanNode) -> String {
        var details: [String] = []
        if let heading = node.headingPath.last { details.append("section \(Self.shorten(heading, to: 40))") }
        if let first = node.firstPage, let last = node.lastPage {
            details.append(first == last ? "page \(first)" : "pages \(first)–\(last)")
        }
        var label = "Part \(part)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
        while counter.count(label) > Self.labelTokens, label.count > 8 { label = Self.shorten(label, to: label.count - 8) }
        return label
    }

    /// The label of a corpus-level part: the document's title, or "Documents 3–5" for a corpus merge.
    public func corpusLabel(_ node: PlanNode, covering documents: ClosedRange<Int>, docs: [PlannedDocument]) -> String {
        var label = node.document.map { "\"\(Self.shorten(docs[$0].title, to: 60))\"" }
            ?? "Documents \(documents.lowerBound + 1)–\(documents.upperBound + 1)"
        while counter.count(label) > Self.labelTokens, label.count > 8 { label = Self.shorten(label, to: label.count - 8) }
        return label
    }

    // MARK: The proof

    struct Capacity {
        var document: Int
        var corpus: Int
    }

    /// Checks the parameters against the context window and returns the merge capacities (children per merge
    /// node, at most `fan_in`). Throws a configuration error naming the settings (`Setting`) when nothing can work.
    func checkParameters(_ documents: [PlannerInput]) throws(PlanningError) -> Capacity {
        let p = parameters
        guard p.contextTokens >= 128 else { throw .configuration("\(Setting.contextTokens) must be at least 128 (got \(p.contextTokens))") }
        guard p.summaryTokens >= 16 else { throw .configuration("\(Setting.summaryTokens) must be at least 16 (got \(p.summaryTokens))") }
        guard p.fanIn >= 2 else { throw .configuration("\(Setting.fanIn) must be at least 2 (got \(p.fanIn))") }

        // A map prompt: template (with the longest title and section path of these documents) + chunk + output.
        // Each distinct title and heading path is counted once (a document has thousands of paragraphs, few paths).
        func longest(_ candidates: Set<[String]>) -> [String] {
            // Ties broken by the text, so the choice does not depend on Set order.
            candidates.map { ($0, $0.joined(separator: " > ")) }.map { ($0.0, $0.1, counter.count($0.1)) }
                .max { ($0.2, $0.1) < ($1.2, $1.1) }?.0 ?? []
        }
        let longTitle = longest(Set(documents.map { [Self.shorten($0.title, to: 120)] })).first ?? ""
        let longHeading = longest(Set(documents.flatMap { $0.paragraphs.map { $0.headingPath.map { Self.shorten($0, to: 60) } } }))
        let empty = Chunk(index: 0, text: "", overlap: "", tokens: 0, overlapTokens: 0, headingPath: [],
                          sections: [], firstPage: nil, lastPage: nil, paragraphs: 0...0)
        // Shortening again changes nothing: `shorten` leaves text of the length it gives as it is.
        let mapOverhead = counter.count(mapPrompt(title: longTitle, headingPath: longHeading, chunk: empty))
        let keyPointAllowance = p.keyPointTokens > 0 ? p.keyPointTokens + Prompts.keyPointHeadingTokens : 0
        let mapNeed = mapOverhead + keyPointAllowance + p.chunking.chunkTokens + 2 + p.summaryTokens
        guard mapNeed <= p.contextTokens else {
            throw .configuration(
                "\(Setting.chunkTokens) \(p.chunking.chunkTokens) + \(Setting.summaryTokens) \(p.summaryTokens) + the map prompt (\(mapOverhead + keyPointAllowance) tokens) = \(mapNeed) exceeds \(Setting.contextTokens) \(p.contextTokens); use \(Setting.chunkTokens) ≤ \(max(0, p.contextTokens - mapOverhead - keyPointAllowance - 2 - p.summaryTokens)) or raise \(Setting.contextTokens)")
        }
        func capacity(overhead: Int) -> Int {
            let perChild = p.summaryTokens + Self.seamTokens + Self.labelTokens + 2
            return min(p.fanIn, (p.contextTokens - p.summaryTokens - overhead) / perChild)
        }
        let reduceOverhead = counter.count(wrap(prompts.reduce(title: longTitle, parts: [], sentences: p.sentences, final: false)))
            + supportAllowance
        let corpusOverhead = counter.count(wrap(prompts.corpus(parts: [], sentences: p.sentences, final: false)))
        let document = capacity(overhead: reduceOverhead)
        let corpus = capacity(overhead: corpusOverhead)
        guard document >= 2, corpus >= 2 else {
            let need = max(reduceOverhead, corpusOverhead) + 3 * p.summaryTokens + 2 * (Self.seamTokens + Self.labelTokens + 2)
            throw .configuration(
                "\(Setting.summaryTokens) \(p.summaryTokens) is too large for \(Setting.contextTokens) \(p.contextTokens): merging two summaries needs \(need) tokens; lower \(Setting.summaryTokens) or raise \(Setting.contextTokens)")
        }
        return Capacity(document: document, corpus: corpus)
    }

    /// Merge rounds needed to bring `count` nodes down to one with groups of at most `capacity`.
    public static func rounds(count: Int, capacity: Int) -> Int {
        var n = count
        var rounds = 0
        while n > 1 {
            n = (n + capacity - 1) / capacity
            rounds += 1
        }
        return rounds
    }

    /// `count` consecutive indexes in the fewest groups of at most `capacity`, sizes differing by at most one.
    public static func balancedGroups(_ count: Int, capacity: Int) -> [Range<Int>] {
        let groups = (count + capacity - 1) / capacity
        var ranges: [Range<Int>] = []
        var start = 0
        for g in 0..<groups {
            let size = count / groups + (g < count % groups ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }

    static func shorten(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(max(1, length - 1))) + "…"
    }
}
