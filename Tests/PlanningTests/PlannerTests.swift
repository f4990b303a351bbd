import Chunking
import Foundation
import Planning
import Testing
import TestSupport


/// Random document shapes for property tests.
private func randomCorpus(_ rng: inout SplitMix64) -> [PlannerInput] {
    (0..<Int.random(in: 1...6, using: &rng)).map { d in
        var paragraphs: [SourceParagraph] = []
        let sections = Int.random(in: 0...10, using: &rng)
        var page = 1
        for s in 0...sections {
            for p in 0..<Int.random(in: 0...(d == 0 ? 60 : 12), using: &rng) {
                let sentences = (0..<Int.random(in: 1...6, using: &rng)).map { k in
                    (0..<Int.random(in: 3...25, using: &rng)).map { "d\(d)s\(s)p\(p)k\(k)w\($0)" }.joined(separator: " ") + "."
                }
                paragraphs.append(SourceParagraph(text: sentences.joined(separator: " "), headingPath: ["Section \(s)"], page: page))
                if Bool.random(using: &rng) { page += 1 }
            }
        }
        return PlannerInput(title: "Document \(d) with a title", path: "/docs/d\(d).pdf", paragraphs: paragraphs)
    }
}

/// A ChatML-like wrapper, so the template's own tokens are part of every count.
private let chatML: @Sendable (String) -> String = {
    "<|im_start|>system\nYou are a careful summarizer.<|im_end|>\n<|im_start|>user\n\($0)<|im_end|>\n<|im_start|>assistant\n"
}

@Suite struct PlannerTests {
    let counter = WordCounter()

    private func planner(context: Int, chunk: Int, overlap: Int, summary: Int, fanIn: Int) -> Planner<WordCounter> {
        Planner(counter: counter, wrap: chatML, prompts: Prompts(instructions: "Focus on results."),
                parameters: PlanParameters(contextTokens: context,
                                           chunking: ChunkingParameters(chunkTokens: chunk, overlapTokens: overlap),
                                           summaryTokens: summary, fanIn: fanIn))
    }

    /// A summary text of exactly `tokens` tokens by the counter (the worst case a child can return).
    private func summary(tokens: Int, tag: Int) -> String {
        (0..<tokens).map { _ in "abcd" }.joined(separator: " ").replacingFirst("abcd", with: "s\(tag % 100)")
    }

    @Test(arguments: 0..<80)
    func randomPlansAreSound(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let corpus = randomCorpus(&rng)
        let context = [512, 1024, 2048, 4096, 8192].randomElement(using: &rng)!
        let chunk = [64, 128, 256, 512, 1024, 2048, 4096].randomElement(using: &rng)!
        let overlap = Int.random(in: 0...(chunk / 8), using: &rng)
        let summaryTokens = Int.random(in: 16...300, using: &rng)
        let fanIn = Int.random(in: 2...32, using: &rng)
        let planner = planner(context: context, chunk: chunk, overlap: overlap, summary: summaryTokens, fanIn: fanIn)

        let result: (plan: Plan, excluded: [(path: String, reason: String)])
        do {
            result = try planner.plan(corpus)
        } catch {
            // Rejected: only when the numbers truly cannot work, with a message naming the flags.
            #expect(chunk + summaryTokens + 160 > context || 3 * summaryTokens + 250 > context,
                    "rejected a workable combination (context \(context), chunk \(chunk), summary \(summaryTokens)): \(error)")
            #expect(error.description.contains("--"))
            return
        }
        let plan = result.plan
        let nonEmpty = corpus.filter { !$0.paragraphs.isEmpty }

        // The depth the plan predicted is the depth it built, and it is small.
        #expect(plan.depth == plan.predictedDepth)

        // Every prompt plus its output budget fits the context.
        for node in plan.nodes {
            #expect(node.promptTokens + node.maxOutputTokens <= context)
        }

        // Every chunk of every document is covered exactly once, in order, under that document's root.
        #expect(plan.documents.count == nonEmpty.count)
        var parents = [Int](repeating: -1, count: plan.nodes.count)
        for node in plan.nodes {
            for child in node.children {
                #expect(parents[child] == -1, "node \(child) has two parents")
                parents[child] = node.id
                #expect(child < node.id && plan.nodes[child].level < node.level)
            }
        }
        func leaves(_ id: Int) -> [Int] {
            let node = plan.nodes[id]
            return node.readsChunk ? [node.chunk!] : node.children.flatMap(leaves)
        }
        for (d, doc) in plan.documents.enumerated() {
            #expect(leaves(doc.root) == Array(doc.chunks.indices))
            #expect(plan.nodes[doc.root].kind == .document)
            #expect(plan.nodes.filter { $0.document == d && $0.kind == .document }.count == 1)
            // Each merge round of a document strictly shrinks it.
            var counts: [Int] = []
            for level in 0...plan.depth {
                let n = plan.nodes.filter { $0.document == d && $0.level == level }.count
                if n > 0 { counts.append(n) }
            }
            #expect(counts == counts.sorted(by: >) && Set(counts).count == counts.count)
        }
        if plan.documents.count >= 2 {
            let root = try #require(plan.corpusRoot)
            #expect(plan.nodes[root].kind == .corpus)
            #expect(plan.nodes.filter { $0.kind == .corpus }.count == 1)
            func docs(_ id: Int) -> [Int] {
                let node = plan.nodes[id]
                return node.document.map { [$0] } ?? node.children.flatMap(docs)
            }
            #expect(docs(root) == Array(plan.documents.indices))
            #expect(parents.enumerated().filter { $0.element == -1 }.map(\.offset) == [root])
        } else {
            #expect(plan.corpusRoot == nil)
        }
        for node in plan.nodes where node.kind != .corpus && node.kind != .reduce || node.document != nil {
            #expect(node.children.count <= fanIn)
        }

        // The bounds hold for real prompts: render every merge with children at their full budgets.
        for node in plan.nodes where !node.readsChunk {
            let texts = node.children.map { summary(tokens: plan.nodes[$0].maxOutputTokens, tag: $0) }
            let prompt = planner.prompt(for: node, in: plan, childTexts: texts)
            #expect(counter.count(prompt) <= node.promptTokens)
        }
        for node in plan.nodes where node.readsChunk {
            #expect(counter.count(planner.prompt(for: node, in: plan, childTexts: [])) == node.promptTokens)
        }
    }

    @Test func impossibleCombinationsAreRejectedWithTheFlagsNamed() {
        let corpus = [PlannerInput(title: "T", path: "/t.txt", paragraphs: [SourceParagraph(text: "Hello there. General Kenobi.")])]
        let cases: [(Planner<WordCounter>, String)] = [
            (planner(context: 2048, chunk: 4096, overlap: 0, summary: 128, fanIn: 8), "--chunk-tokens"),
            (planner(context: 1024, chunk: 256, overlap: 0, summary: 400, fanIn: 8), "--summary-tokens"),
            (planner(context: 1024, chunk: 256, overlap: 0, summary: 128, fanIn: 1), "--fan-in"),
            (planner(context: 1024, chunk: 256, overlap: 200, summary: 128, fanIn: 4), "--chunk-overlap"),
            (planner(context: 64, chunk: 32, overlap: 0, summary: 16, fanIn: 4), "--context-tokens"),
        ]
        for (planner, flag) in cases {
            #expect {
                _ = try planner.plan(corpus)
            } throws: { error in
                (error as? PlanningError)?.description.contains(flag) == true
            }
        }
    }

    @Test func emptyDocumentsAreExcludedNotFatal() throws {
        let corpus = [
            PlannerInput(title: "Empty", path: "/e.txt", paragraphs: [SourceParagraph(text: "   ")]),
            PlannerInput(title: "Full", path: "/f.txt", paragraphs: [SourceParagraph(text: "Some text here.")]),
        ]
        let (plan, excluded) = try planner(context: 2048, chunk: 256, overlap: 0, summary: 64, fanIn: 4).plan(corpus)
        #expect(excluded.map(\.path) == ["/e.txt"])
        #expect(plan.documents.map(\.path) == ["/f.txt"])
        #expect(plan.nodes.count == 1 && plan.nodes[0].kind == .document && plan.corpusRoot == nil)
    }

    @Test func roundsAndBalancedGroups() {
        #expect(Planner<WordCounter>.rounds(count: 1, capacity: 4) == 0)
        #expect(Planner<WordCounter>.rounds(count: 5, capacity: 4) == 2)
        #expect(Planner<WordCounter>.rounds(count: 16, capacity: 4) == 2)
        #expect(Planner<WordCounter>.balancedGroups(10, capacity: 4).map(\.count) == [4, 3, 3])
        #expect(Planner<WordCounter>.balancedGroups(9, capacity: 3).map(\.count) == [3, 3, 3])
    }

    @Test func estimateGrowsWithWorkAndShrinksWithWorkers() throws {
        var rng = SplitMix64(seed: 7)
        let (plan, _) = try planner(context: 2048, chunk: 512, overlap: 32, summary: 128, fanIn: 8).plan(randomCorpus(&rng))
        let one = plan.estimatedSeconds(prefillTokensPerSecond: 500, decodeTokensPerSecond: 100, workers: 1)
        let two = plan.estimatedSeconds(prefillTokensPerSecond: 500, decodeTokensPerSecond: 100, workers: 2)
        #expect(one > 0 && two <= one && two >= one / 2)
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
