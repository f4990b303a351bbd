import Common

/// Cuts a document into chunks counted with the model's tokenizer.
///
/// Cuts fall at section boundaries by preference, then paragraph, then sentence boundaries; a sentence longer
/// than a chunk is cut between words. Sizes are balanced across the document by dynamic programming over the
/// candidate cut points, so there is no sliver at the end: each chunk costs a constant (fewer chunks are better),
/// four times its squared relative deviation from the balanced size, and the kind of boundary it ends on. Each chunk but the first
/// repeats the last sentences of the previous one (up to `overlapTokens`) as context.
public struct Chunker<Counter: TokenCounting>: Sendable {
    public let counter: Counter
    public let parameters: ChunkingParameters

    public init(counter: Counter, parameters: ChunkingParameters) throws(ChunkingError) {
        guard parameters.chunkTokens >= 16 else {
            throw .invalidParameters("\(Setting.chunkTokens) must be at least 16 (got \(parameters.chunkTokens))")
        }
        guard parameters.overlapTokens >= 0, parameters.overlapTokens * 2 <= parameters.chunkTokens else {
            throw .invalidParameters(
                "\(Setting.chunkOverlap) must be between 0 and half of \(Setting.chunkTokens) (got \(parameters.overlapTokens) of \(parameters.chunkTokens))")
        }
        self.counter = counter
        self.parameters = parameters
    }

    /// Kinds of cut, cheapest first.
    package enum Boundary: Int, Comparable {
        case section, paragraph, sentence, word
        package static func < (a: Boundary, b: Boundary) -> Bool { a.rawValue < b.rawValue }
        var penalty: Double {
            switch self {
            case .section: 0
            case .paragraph: 0.1
            case .sentence: 0.3
            case .word: 0.8
            }
        }
        /// What joins two units across this boundary.
        var separator: String {
            switch self {
            case .section, .paragraph: "\n\n"
            case .sentence, .word: " "
            }
        }
    }

    /// The smallest piece the chunker moves: a paragraph, a sentence, or a run of words.
    package struct Unit {
        var text: String
        package var tokens: Int
        /// The boundary before this unit.
        var before: Boundary
        var paragraph: Int
    }

    /// The chunks of one document's paragraphs, in order.
    public func chunks(of paragraphs: [SourceParagraph]) -> [Chunk] {
        let units = self.units(of: paragraphs)
        guard !units.isEmpty else { return [] }
        var ranges = cutPoints(units)
        ranges = ranges.flatMap { enforceBudget($0, units) }
        var chunks: [Chunk] = []
        for (k, range) in ranges.enumerated() {
            let text = join(units[range])
            let overlap = k == 0 ? "" : overlapText(units[ranges[k - 1]])
            let first = units[range.lowerBound].paragraph
            let last = units[range.upperBound - 1].paragraph
            let pages = paragraphs[first...last].compactMap(\.page)
            var sections: [[String]] = []
            for p in first...last where sections.last != paragraphs[p].headingPath { sections.append(paragraphs[p].headingPath) }
            chunks.append(Chunk(
                index: k, text: text, overlap: overlap, tokens: counter.count(text),
                overlapTokens: overlap.isEmpty ? 0 : counter.count(overlap),
                headingPath: paragraphs[first].headingPath, sections: sections,
                firstPage: pages.min(), lastPage: pages.max(), paragraphs: first...last))
        }
        return chunks
    }

    // MARK: Units

    package func units(of paragraphs: [SourceParagraph]) -> [Unit] {
        let budget = parameters.contentTokens
        var units: [Unit] = []
        for (p, paragraph) in paragraphs.enumerated() {
            let text = paragraph.text.trimmingWhitespace()
            if text.isEmpty { continue }
            let before: Boundary = p > 0 && paragraphs[p - 1].headingPath != paragraph.headingPath ? .section : .paragraph
            // Every sentence is a unit, so the balancing has fine-grained cut points; a short paragraph stays one.
            let tokens = counter.count(text)
            if tokens <= budget / 4 {
                units.append(Unit(text: text, tokens: tokens, before: before, paragraph: p))
                continue
            }
            var first = true
            for sentence in SentenceSplitter.sentences(text) {
                let boundary: Boundary = first ? before : .sentence
                first = false
                let n = counter.count(sentence)
                // A sentence under a quarter of the budget is never cut; a longer one offers cut points between
                // small runs of words, so the balancing can avoid slivers (at a price: `Boundary.word`).
                if n <= budget / 4 || (n <= budget && budget < 64) {
                    units.append(Unit(text: sentence, tokens: n, before: boundary, paragraph: p))
                    continue
                }
                // Small pieces, so the balancing below can cut the sentence where sizes come out even.
                for (w, piece) in wordPieces(sentence, budget: max(8, budget / 16)).enumerated() {
                    units.append(Unit(text: piece.text, tokens: piece.tokens, before: w == 0 ? boundary : .word, paragraph: p))
                }
            }
        }
        return units
    }

    /// Runs of words of a long sentence, each within `budget` tokens (a single word longer than that is cut
    /// between characters).
    func wordPieces(_ sentence: String, budget: Int) -> [(text: String, tokens: Int)] {
        var pieces: [(String, Int)] = []
        var current: [Substring] = []
        // Grow a run word by word, estimating with per-word counts; confirm each run with an exact count.
        var estimate = 0
        func flush() {
            guard !current.isEmpty else { return }
            var words = current
            var text = words.joined(separator: " ")
            var n = counter.count(text)
            var carry: [Substring] = []
            while n > budget, words.count > 1 {
                carry.insert(words.removeLast(), at: 0)
                text = words.joined(separator: " ")
                n = counter.count(text)
            }
            if n > budget {  // one enormous "word" (a URL, a base64 blob): cut it by characters
                pieces.append(contentsOf: characterPieces(String(words[0]), budget: budget))
            } else {
                pieces.append((text, n))
            }
            current = carry
            estimate = carry.reduce(0) { $0 + counter.count(String($1)) + 1 }
            if !current.isEmpty, estimate > budget { flush() }
        }
        for word in SentenceSplitter.words(sentence) {
            let n = counter.count(String(word)) + 1
            if estimate + n > budget { flush() }
            current.append(word)
            estimate += n
        }
        flush()
        return pieces
    }

    private func characterPieces(_ word: String, budget: Int) -> [(String, Int)] {
        var pieces: [(String, Int)] = []
        var rest = Substring(word)
        while !rest.isEmpty {
            // Binary search for the longest prefix within budget.
            var lo = 1
            var hi = rest.count
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if counter.count(String(rest.prefix(mid))) <= budget { lo = mid } else { hi = mid - 1 }
            }
            let piece = String(rest.prefix(lo))
            pieces.append((piece, counter.count(piece)))
            rest = rest.dropFirst(lo)
        }
        return pieces
    }

    // MARK: Cutting

    /// Balanced cut points over the units by dynamic programming; every chunk's estimated size is within budget.
    func cutPoints(_ units: [Unit]) -> [Range<Int>] {
        let budget = Double(parameters.contentTokens)
        let m = units.count
        // Estimated size of units[i..<j]: their tokens plus one per separator (BPE rarely needs more).
        var prefix = [0]
        for u in units { prefix.append(prefix.last! + u.tokens + 1) }
        func size(_ i: Int, _ j: Int) -> Double { Double(prefix[j] - prefix[i] - 1) }
        let total = size(0, m)
        let count = max(1, (total / budget).rounded(.up))
        let target = min(budget, total / count)

        var best = [Double](repeating: .infinity, count: m + 1)
        var from = [Int](repeating: 0, count: m + 1)
        best[0] = 0
        for j in 1...m {
            let endPenalty = j == m ? 0 : units[j].before.penalty
            var i = j - 1
            while i >= 0 {
                let s = size(i, j)
                if s > budget, i < j - 1 { break }
                if best[i] < .infinity {
                    let deviation = (s - target) / target
                    let cost = best[i] + 1 + 4 * deviation * deviation + endPenalty
                    if cost < best[j] {
                        best[j] = cost
                        from[j] = i
                    }
                }
                i -= 1
            }
        }
        var ranges: [Range<Int>] = []
        var j = m
        while j > 0 {
            ranges.append(from[j]..<j)
            j = from[j]
        }
        return ranges.reversed()
    }

    /// Splits a range whose exact token count is over budget (rare: the estimate counts one token per
    /// separator) into halves until each fits.
    func enforceBudget(_ range: Range<Int>, _ units: [Unit]) -> [Range<Int>] {
        if range.count <= 1 || counter.count(join(units[range])) <= parameters.contentTokens { return [range] }
        let mid = range.lowerBound + range.count / 2
        return enforceBudget(range.lowerBound..<mid, units) + enforceBudget(mid..<range.upperBound, units)
    }

    func join(_ units: ArraySlice<Unit>) -> String {
        var text = ""
        for (k, unit) in units.enumerated() {
            if k > 0 { text += unit.before.separator }
            text += unit.text
        }
        return text
    }

    /// The last whole sentences of a chunk's units that fit in the overlap budget; words if not even one does.
    func overlapText(_ units: ArraySlice<Unit>) -> String {
        let budget = parameters.overlapTokens
        guard budget > 0, let last = units.last else { return "" }
        let tail = SentenceSplitter.sentences(last.text)
        var taken: [String] = []
        for sentence in tail.reversed() {
            let candidate = ([sentence] + taken).joined(separator: " ")
            if counter.count(candidate) > budget { break }
            taken.insert(sentence, at: 0)
        }
        if !taken.isEmpty { return taken.joined(separator: " ") }
        var words: [Substring] = []
        for word in SentenceSplitter.words(last.text).reversed() {
            let candidate = ([word] + words).joined(separator: " ")
            if counter.count(candidate) > budget { break }
            words.insert(word, at: 0)
        }
        return words.joined(separator: " ")
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
