import Chunking
import Execution
import Foundation
import Planning
import Synchronization
import Testing
import TestSupport

/// A stand-in model for executor logic only (the end-to-end test runs the real model): returns a summary made
/// from the prompt's first words, counts its calls, and fails on prompts containing a marker.
final class EchoRunner: NodeRunner, @unchecked Sendable {
    let calls: CallCounter
    init(calls: CallCounter) { self.calls = calls }
    func run(prompt: String, maxTokens: Int) throws -> NodeOutput {
        calls.add()
        if prompt.contains("POISON") { throw EchoFailure() }
        let words = prompt.split(separator: " ").suffix(6).joined(separator: " ")
        return NodeOutput(text: "Summary of \(words.prefix(40)).", promptTokens: 10, outputTokens: 5, seconds: 0, stopReason: "end_of_generation")
    }
}

/// A thread-safe count.
final class CallCounter: Sendable {
    private let storage = Atomic<Int>(0)
    func add() { storage.add(1, ordering: .relaxed) }
    var value: Int { storage.load(ordering: .relaxed) }
}

struct EchoFailure: Error, CustomStringConvertible {
    var description: String { "the model refused" }
}

@Suite struct ExecutorTests {
    let counter = WordCounter()

    private func corpus(poison: Int? = nil) -> [PlannerInput] {
        (0..<4).map { d in
            let paragraphs = (0..<(d + 1) * 12).map { p in
                SourceParagraph(text: (0..<40).map { "d\(d)p\(p)w\($0)" }.joined(separator: " ") + (d == poison && p == 3 ? " POISON." : "."),
                                headingPath: ["S\(p / 5)"], page: p / 3 + 1)
            }
            return PlannerInput(title: "Doc \(d)", path: "/d\(d)", paragraphs: paragraphs)
        }
    }

    private func plan(_ inputs: [PlannerInput]) throws -> (Plan, Planner<WordCounter>) {
        let planner = Planner(counter: counter, wrap: { $0 }, prompts: Prompts(),
                              parameters: PlanParameters(contextTokens: 1024, chunking: ChunkingParameters(chunkTokens: 200, overlapTokens: 20),
                                                         summaryTokens: 64, fanIn: 3))
        return (try planner.plan(inputs).plan, planner)
    }

    private func run(_ plan: Plan, _ planner: Planner<WordCounter>, cache: ResultCache?, workers: Int,
                     calls: CallCounter, stopAfter: Int? = nil) -> ExecutionReport {
        let finished = CallCounter()
        let executor = Executor(
            plan: plan, render: { node, texts in planner.prompt(for: node, in: plan, childTexts: texts) },
            counter: counter, key: NodeKey.Run(model: "model-a", decoding: .default, contextTokens: 1024, method: .mapreduce),
            cache: cache, workers: workers,
            makeRunner: { _ in EchoRunner(calls: calls) },
            onEvent: { if case .finished = $0 { finished.add() } },
            shouldStop: { stopAfter.map { finished.value >= $0 } ?? false })
        return executor.run()
    }

    @Test(arguments: [1, 2, 4])
    func everyNodeRunsOnceAfterItsChildren(workers: Int) throws {
        let (plan, planner) = try plan(corpus())
        let calls = CallCounter()
        let report = run(plan, planner, cache: ResultCache?.none, workers: workers, calls: calls)
        #expect(report.computed == plan.nodes.count)
        #expect(calls.value == plan.nodes.count)
        #expect(report.failedDocuments.isEmpty && !report.stopped)
        #expect(report.text(of: plan.corpusRoot!)?.hasPrefix("Summary of") == true)
        for node in plan.nodes { #expect(report.records[node.id]?.usedChildren == node.children) }
    }

    @Test func rerunComesFromTheCacheAndResumesAfterAStop() throws {
        let dir = try Fixtures.temporaryDirectory("cache")
        let cache = ResultCache(directory: dir.path)
        let (plan, planner) = try plan(corpus())
        let calls = CallCounter()
        // Stop after a few nodes, as a crash or --until would.
        let partial = run(plan, planner, cache: cache, workers: 2, calls: calls, stopAfter: 5)
        #expect(partial.stopped)
        let firstCalls = calls.value
        #expect(firstCalls >= 5 && firstCalls < plan.nodes.count)
        // Resume: only the rest is computed.
        let resumed = run(plan, planner, cache: cache, workers: 2, calls: calls)
        #expect(!resumed.stopped)
        #expect(calls.value == plan.nodes.count)
        #expect(resumed.fromCache == firstCalls)
        // A third run computes nothing and gives the same texts.
        let again = run(plan, planner, cache: cache, workers: 1, calls: calls)
        #expect(calls.value == plan.nodes.count)
        #expect(again.fromCache == plan.nodes.count)
        #expect(plan.nodes.map { again.text(of: $0.id) } == plan.nodes.map { resumed.text(of: $0.id) })
    }

    @Test func identicalChunksAreSummarizedOnce() throws {
        let same = (0..<6).map { _ in SourceParagraph(text: (0..<150).map { "same\($0)" }.joined(separator: " ") + ".") }
        let docs = [PlannerInput(title: "A", path: "/a", paragraphs: same), PlannerInput(title: "A", path: "/b", paragraphs: same)]
        let (plan, planner) = try plan(docs)
        let calls = CallCounter()
        let dir = try Fixtures.temporaryDirectory("cache")
        let report = run(plan, planner, cache: ResultCache(directory: dir.path), workers: 1, calls: calls)
        #expect(report.fromCache > 0)
        #expect(calls.value < plan.nodes.count)
    }

    @Test func aFailingDocumentIsRecordedAndTheRestGoesOn() throws {
        let (plan, planner) = try plan(corpus(poison: 2))
        let calls = CallCounter()
        let report = run(plan, planner, cache: ResultCache?.none, workers: 2, calls: calls)
        #expect(Array(report.failedDocuments.keys) == [2])
        #expect(report.failedDocuments[2]?.contains("the model refused") == true)
        let root = try #require(plan.corpusRoot)
        #expect(report.text(of: root) != nil)
        for (d, doc) in plan.documents.enumerated() where d != 2 { #expect(report.text(of: doc.root) != nil) }
        #expect(report.text(of: plan.documents[2].root) == nil)
    }
}
