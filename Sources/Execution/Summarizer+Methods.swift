import Chunking
import Common
import Dispatch
import Foundation
import Grounding
import Planning

/// The source of each planned document, indexed for ranking and support checks.
enum SourceIndexes {
    /// The index of one document's chunks (their own text, not the overlap); back-matter chunks (references,
    /// acknowledgements) give support but no candidates.
    static func index(of chunks: [Chunk]) -> SourceIndex {
        let excluded = Set(chunks.filter { !$0.sections.isEmpty && $0.sections.allSatisfy(Boilerplate.isBackMatter) }.map(\.index))
        return SourceIndex(parts: chunks.map(\.text), excluded: excluded)
    }

    /// Every document's index, built in parallel.
    static func build(_ plan: Plan, workers: Int) -> [SourceIndex] {
        let slots = Slots<SourceIndex>(count: plan.documents.count)
        DispatchQueue.concurrentPerform(iterations: plan.documents.count) { d in
            slots[d] = index(of: plan.documents[d].chunks)
        }
        return slots.values.map { $0! }
    }

    /// The chunks under each node of a document (nil for corpus nodes), in plan order.
    static func spans(_ plan: Plan) -> [ClosedRange<Int>?] {
        var spans = [ClosedRange<Int>?](repeating: nil, count: plan.nodes.count)
        for node in plan.nodes where node.document != nil {
            if let c = node.chunk {
                spans[node.id] = c...c
            } else {
                let ranges = node.children.compactMap { spans[$0] }
                if let lo = ranges.map(\.lowerBound).min(), let hi = ranges.map(\.upperBound).max() { spans[node.id] = lo...hi }
            }
        }
        return spans
    }
}

extension Summarizer {
    /// The key points of each chunk: its most central sentences (at most three, in source order), each line
    /// (`- sentence`) counted, within `budget` tokens.
    static func keyPoints(_ index: SourceIndex, chunks: [Chunk], budget: Int, counter: ModelTokenCounter) -> [[String]] {
        chunks.map { chunk in
            var builder = SummaryBuilder(index: index, budget: budget, counter: counter)
            builder.fill(from: index.sentenceRange(parts: chunk.index...chunk.index), limit: 40, maxItems: 3)
            return builder.items.sorted { $0.position < $1.position }.map(\.text)
        }
    }

    // MARK: Extractive

    /// Extractive summaries for every node of the plan, no model calls: each document node gets the most central
    /// sentences of the chunks under it (one ranking per document), each corpus node those of its children's
    /// summaries.
    func extract(_ plan: Plan, onEvent: @escaping @Sendable (ExecutionEvent) -> Void,
                 shouldStop: @escaping @Sendable () -> Bool) -> ExecutionReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let indexes = SourceIndexes.build(plan, workers: options.workers)
        let spans = SourceIndexes.spans(plan)
        let counter = model.counter
        var records = [NodeRecord?](repeating: nil, count: plan.nodes.count)
        var stopped = false
        for node in plan.nodes {
            if shouldStop() {
                stopped = true
                break
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            let text: String
            if let d = node.document {
                text = Extractor.summary(of: indexes[d], parts: spans[node.id], budget: node.maxOutputTokens, counter: counter,
                                         fallback: node.kind == .document)
            } else {
                let children = node.children.compactMap { records[$0]?.output?.text }
                text = Extractor.summary(of: SourceIndex(parts: children), parts: nil, budget: node.maxOutputTokens,
                                         counter: counter, fallback: true)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            let record = NodeRecord(id: node.id, status: .computed,
                                    output: NodeOutput(text: text, promptTokens: 0, outputTokens: counter.count(text) - 1,
                                                       seconds: seconds, stopReason: "extractive"),
                                    error: nil, usedChildren: node.children)
            records[node.id] = record
            onEvent(.finished(record))
        }
        return ExecutionReport(records: records, wallSeconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                               stopped: stopped, failedDocuments: [:])
    }

    // MARK: Grounded

    /// The model's summaries, made from and checked against the source: map prompts carry their chunk's key
    /// points (planned), a document's merge prompts the span's most central sentences that the children's
    /// summaries do not already hold, and every output goes through `Grounder` before its parent sees it.
    func executeGrounded(_ plan: Plan, cache: ResultCache?, onEvent: @escaping @Sendable (ExecutionEvent) -> Void,
                         shouldStop: @escaping @Sendable () -> Bool) -> ExecutionReport {
        let planner = self.planner
        let model = self.model
        let decoding = self.decoding
        let threads = options.threads
        let context = plan.parameters.contextTokens
        let indexes = SourceIndexes.build(plan, workers: options.workers)
        let spans = SourceIndexes.spans(plan)
        let counter = model.counter
        let supportTokens = plan.parameters.supportTokens
        let grounder = Grounder()
        let finalGrounder = Grounder.documentFinal
        let render: Executor.Render = { node, texts in
            guard let d = node.document, !node.readsChunk, let span = spans[node.id] else {
                return planner.prompt(for: node, in: plan, childTexts: texts)
            }
            let support = Self.support(indexes[d], span: span, excluding: texts, budget: supportTokens, counter: counter)
            return planner.prompt(for: node, in: plan, childTexts: texts, support: support)
        }
        let finish: Executor.Finish = { node, output, texts in
            let index = node.document.map { indexes[$0] } ?? SourceIndex(parts: texts)
            let isRoot = node.document.map { plan.documents[$0].root == node.id } ?? false
            let outcome = (isRoot ? finalGrounder : grounder).ground(
                output.text, in: index, parts: node.document == nil ? nil : spans[node.id],
                budget: node.maxOutputTokens, counter: counter)
            var grounded = output
            grounded.modelText = output.text
            grounded.text = outcome.text
            return grounded
        }
        let executor = Executor(
            plan: plan, render: render, counter: counter, key: nodeKey,
            cache: cache, workers: options.workers,
            makeRunner: { _ in EngineRunner(model: model, contextTokens: context, threads: threads, decoding: decoding) },
            onEvent: onEvent, shouldStop: shouldStop, finish: finish)
        return run(executor)
    }

    /// Supporting sentences for a document merge: the most central of `span` that none of `texts` holds already,
    /// at most three, in source order, their lines within `budget` tokens.
    static func support(_ index: SourceIndex, span: ClosedRange<Int>, excluding texts: [String], budget: Int,
                        counter: ModelTokenCounter) -> [String] {
        guard budget > 0 else { return [] }
        var builder = SummaryBuilder(index: index, budget: budget, counter: counter)
        for i in index.ranked(index.sentenceRange(parts: span)).prefix(60) {
            if builder.items.count >= 3 || builder.remaining < 8 { break }
            let sentence = index.sentences[i].text
            if texts.contains(where: { $0.contains(sentence) }) { continue }
            builder.add("- " + sentence, position: i, source: i, fromModel: false)
        }
        return builder.items.sorted { $0.position < $1.position }.map { String($0.text.dropFirst(2)) }
    }
}
