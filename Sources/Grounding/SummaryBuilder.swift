import Chunking
import Common

/// Assembles a summary sentence by sentence within a token budget: no sentence too close to one already in
/// (tf-idf cosine), no 4-gram twice, and in source order at the end.
public struct SummaryBuilder {
    public let index: SourceIndex
    public let budget: Int
    let counter: any TokenCounting
    /// Cosine above which a sentence repeats one already chosen.
    public var redundancy: Float = 0.5

    public private(set) var items: [Item] = []
    public private(set) var tokens = 0
    private var fourGrams: Set<String> = []

    public struct Item: Sendable, Equatable {
        public var text: String
        /// Where it goes: its source sentence's position (a model sentence takes its best support's).
        public var position: Int
        /// The source sentence it is, or stands on.
        public var source: Int?
        public var fromModel: Bool
        var vector: SparseVector
    }

    public init(index: SourceIndex, budget: Int, counter: any TokenCounting) {
        self.index = index
        self.budget = budget
        self.counter = counter
    }

    /// Room left, in tokens.
    public var remaining: Int { budget - tokens }

    /// Adds `text` if it fits, repeats nothing and says something new; returns whether it was added.
    @discardableResult
    public mutating func add(_ text: String, position: Int, source: Int?, fromModel: Bool) -> Bool {
        if let source, items.contains(where: { $0.source == source }) { return false }
        // One more for the space that joins it to its neighbour (a sentence alone can tokenize shorter).
        let n = counter.count(text) + 1
        guard n <= remaining else { return false }
        let vector = index.vector(of: text)
        if items.contains(where: { $0.vector.cosine(vector) > redundancy }) { return false }
        let words = Words.tokens(text)
        var grams: Set<String> = []
        if words.count >= 4 {
            for k in 0...(words.count - 4) {
                let gram = words[k..<(k + 4)].joined(separator: " ")
                if fourGrams.contains(gram) || !grams.insert(gram).inserted { return false }
            }
        }
        fourGrams.formUnion(grams)
        tokens += n
        items.append(Item(text: text, position: position, source: source, fromModel: fromModel, vector: vector))
        return true
    }

    /// Adds the most central candidate sentences of `range` while room is left (at most `limit` looked at, at
    /// most `maxItems` in all). With `fallback`, a source with no candidate at all (a list, a formula sheet, a
    /// note shorter than a sentence) gives its first sentences instead, closed with a period where they lack an
    /// end; without, it gives nothing.
    /// `order` replaces the centrality ranking of `range` when given (a ranking pulled towards a text).
    public mutating func fill(from range: Range<Int>, limit: Int = 400, maxItems: Int = .max, fallback: Bool = false,
                              order: [Int]? = nil) {
        for i in (order ?? index.ranked(range)).prefix(limit) {
            if remaining < 8 || items.count >= maxItems { break }
            add(index.sentences[i].text, position: i, source: i, fromModel: false)
        }
        guard items.isEmpty, fallback else { return }
        for i in range.prefix(limit) {
            if remaining < 8 || items.count >= maxItems { break }
            var text = index.sentences[i].text
            if !SummaryEnd.endsSentence(text) { text += "." }
            add(text, position: i, source: i, fromModel: false)
        }
    }

    /// The chosen sentences in source order (ties: the order they were added), one space apart.
    public var text: String {
        items.enumerated().sorted { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }
            .map(\.element.text).joined(separator: " ")
    }
}
