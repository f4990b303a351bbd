import Chunking
import Testing
import TestSupport


/// Random documents for property tests: sections of paragraphs of sentences of words, some huge.
func randomDocument(_ rng: inout SplitMix64, pages: Bool = true) -> [SourceParagraph] {
    var paragraphs: [SourceParagraph] = []
    let sections = Int.random(in: 1...12, using: &rng)
    var page = 1
    var word = 0
    for s in 0..<sections {
        let heading = ["\(s + 1) Section \(s + 1)"] + (Bool.random(using: &rng) ? ["\(s + 1).1 Sub"] : [])
        for _ in 0..<Int.random(in: 0...8, using: &rng) {
            var sentences: [String] = []
            let shape = Int.random(in: 0..<20, using: &rng)
            let count = shape == 0 ? Int.random(in: 40...120, using: &rng) : Int.random(in: 1...6, using: &rng)
            for _ in 0..<count {
                let long = Int.random(in: 0..<40, using: &rng) == 0
                let n = long ? Int.random(in: 300...2500, using: &rng) : Int.random(in: 3...30, using: &rng)
                var words: [String] = []
                for k in 0..<n {
                    word += 1
                    words.append(k == 0 ? "W\(word)" : "w\(word)")
                }
                sentences.append(words.joined(separator: " ") + ".")
            }
            if Int.random(in: 0..<50, using: &rng) == 0 {  // one unbroken blob longer than any chunk
                word += 1
                sentences.append("blob\(word)" + String(repeating: "x", count: 20000))
            }
            paragraphs.append(SourceParagraph(text: sentences.joined(separator: " "), headingPath: heading,
                                              page: pages ? page : nil))
            if Int.random(in: 0..<3, using: &rng) == 0 { page += 1 }
        }
    }
    return paragraphs
}

@Suite struct ChunkerTests {
    let counter = WordCounter()

    private func words(_ text: String) -> [Substring] { text.split(whereSeparator: { $0.isWhitespace }) }

    @Test(arguments: 0..<60)
    func coversEverythingOnceInOrderWithinBudget(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let document = randomDocument(&rng)
        let chunkTokens = [64, 100, 256, 512, 1000, 2048, 4096].randomElement(using: &rng)!
        let overlap = Int.random(in: 0...(chunkTokens / 4), using: &rng)
        let chunker = try Chunker(counter: counter, parameters: ChunkingParameters(chunkTokens: chunkTokens, overlapTokens: overlap))
        let chunks = chunker.chunks(of: document)

        // Every word of the document exactly once, in order (the overlap repeats words as context only).
        // Blobs longer than a chunk are cut between characters, so compare the text without white space.
        let got = String(chunks.map(\.text).joined().filter { !$0.isWhitespace })
        let want = String(document.map(\.text).joined().filter { !$0.isWhitespace })
        #expect(got == want)
        // And word for word wherever no blob was cut.
        if !document.contains(where: { $0.text.contains("blob") }) {
            #expect(chunks.flatMap { words($0.text) } == document.flatMap { words($0.text) })
        }
        for chunk in chunks {
            #expect(chunk.tokens == counter.count(chunk.text))
            #expect(chunk.tokens + chunk.overlapTokens <= chunkTokens, "chunk \(chunk.index): \(chunk.tokens) + \(chunk.overlapTokens) > \(chunkTokens)")
            #expect(chunk.overlapTokens <= overlap)
        }
        #expect(chunks.map(\.index) == Array(chunks.indices))
        // Provenance: pages and paragraph ranges increase, and match the paragraphs they came from.
        for (a, b) in zip(chunks, chunks.dropFirst()) {
            #expect(a.paragraphs.upperBound <= b.paragraphs.lowerBound)
            #expect((a.lastPage ?? 0) <= (b.firstPage ?? .max))
        }
        for chunk in chunks {
            let pages = document[chunk.paragraphs].compactMap(\.page)
            #expect(chunk.firstPage == pages.min() && chunk.lastPage == pages.max())
            #expect(chunk.headingPath == document[chunk.paragraphs.lowerBound].headingPath)
        }
    }

    @Test(arguments: 0..<40)
    func noSlivers(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed + 1000)
        // Plain prose, no sections: sizes must come out balanced.
        var paragraphs: [SourceParagraph] = []
        for p in 0..<Int.random(in: 5...80, using: &rng) {
            var sentences: [String] = []
            for s in 0..<Int.random(in: 1...8, using: &rng) {
                let n = Int.random(in: 4...20, using: &rng)
                sentences.append((0..<n).map { "w\(p)x\(s)y\($0)" }.joined(separator: " ") + ".")
            }
            paragraphs.append(SourceParagraph(text: sentences.joined(separator: " ")))
        }
        let chunkTokens = [128, 300, 512, 1024].randomElement(using: &rng)!
        let chunker = try Chunker(counter: counter, parameters: ChunkingParameters(chunkTokens: chunkTokens, overlapTokens: 0))
        let chunks = chunker.chunks(of: paragraphs)
        let total = chunks.reduce(0) { $0 + $1.tokens }
        guard chunks.count > 1 else { return }
        let mean = Double(total) / Double(chunks.count)
        for chunk in chunks {
            #expect(Double(chunk.tokens) >= 0.4 * mean, "chunk \(chunk.index) has \(chunk.tokens) tokens, mean \(mean), budget \(chunkTokens), sizes \(chunks.map(\.tokens)), units \(chunker.units(of: paragraphs).map(\.tokens))")
        }
        // Few more chunks than greedy packing, which needs the fewest possible.
        var greedy = 0
        var fill = chunkTokens + 1
        for unit in chunks.flatMap({ SentenceSplitter.sentences($0.text) }) {
            let n = counter.count(unit) + 1
            if fill + n > chunkTokens { greedy += 1; fill = 0 }
            fill += n
        }
        #expect(Double(chunks.count) <= Double(greedy) * 1.1 + 1, "\(chunks.count) chunks, greedy packing \(greedy)")
    }

    @Test func prefersSectionBoundaries() throws {
        let para = (0..<40).map { "w\($0)" }.joined(separator: " ") + "."  // 40 tokens
        var doc: [SourceParagraph] = []
        for s in 0..<4 {
            for _ in 0..<2 { doc.append(SourceParagraph(text: para, headingPath: ["S\(s)"])) }
        }
        // 8 paragraphs of ~41 tokens in 4 sections of 2; chunks of up to 100 fit exactly one section each.
        let chunks = try Chunker(counter: counter, parameters: ChunkingParameters(chunkTokens: 100, overlapTokens: 0)).chunks(of: doc)
        #expect(chunks.count == 4)
        #expect(chunks.map(\.sections) == (0..<4).map { [["S\($0)"]] })
    }

    @Test func overlapRepeatsTheEndOfThePreviousChunk() throws {
        let doc = (0..<30).map { i in SourceParagraph(text: "Sentence \(i) a b c d e f. Closing \(i) g h i.") }
        let chunks = try Chunker(counter: counter, parameters: ChunkingParameters(chunkTokens: 64, overlapTokens: 12)).chunks(of: doc)
        #expect(chunks.count > 2)
        for (previous, chunk) in zip(chunks, chunks.dropFirst()) {
            #expect(!chunk.overlap.isEmpty)
            #expect(previous.text.hasSuffix(chunk.overlap))
        }
    }

    @Test func rejectsImpossibleParameters() {
        #expect(throws: ChunkingError.self) { try Chunker(counter: counter, parameters: ChunkingParameters(chunkTokens: 8, overlapTokens: 0)) }
        #expect(throws: ChunkingError.self) { try Chunker(counter: counter, parameters: ChunkingParameters(chunkTokens: 100, overlapTokens: 60)) }
        #expect(throws: ChunkingError.self) { try Chunker(counter: counter, parameters: ChunkingParameters(chunkTokens: 100, overlapTokens: -1)) }
    }
}
