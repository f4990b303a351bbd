import Chunking
import Common
import Dispatch
import Foundation
import Planning

/// Runs one prompt on the model. Each worker has its own runner (its own KV cache and scratch); all share the
/// one mapped model.
public protocol NodeRunner: AnyObject {
    func run(prompt: String, maxTokens: Int) throws -> NodeOutput
}

/// What happened to a node in a run.
public enum NodeStatus: String, Sendable, Codable {
    case computed, cached, failed, skipped
}

/// A node's outcome.
public struct NodeRecord: Sendable, Codable {
    public init(id: Int, status: NodeStatus, output: NodeOutput?, error: String?, usedChildren: [Int]) {
        self.id = id
        self.status = status
        self.output = output
        self.error = error
        self.usedChildren = usedChildren
    }

    public var id: Int
    public var status: NodeStatus
    public var output: NodeOutput?
    public var error: String?
    /// The children whose summaries the prompt used (fewer than the plan's when some failed).
    public var usedChildren: [Int]
}

/// Progress events, delivered on the worker threads.
public enum ExecutionEvent: Sendable {
    case started(node: Int, worker: Int)
    case finished(NodeRecord)
}

/// The outcome of a run.
public struct ExecutionReport: Sendable {
    public var records: [NodeRecord?]
    public var wallSeconds: Double
    /// True when the run stopped early on request; unfinished nodes have no record.
    public var stopped: Bool
    /// Documents whose summary could not be made, with the reason.
    public var failedDocuments: [Int: String]
    /// The first result the cache could not store (a full disk): the run stopped there, as on request.
    public var writeFailure: AtomicFile.WriteError?

    public var computed: Int { records.filter { $0?.status == .computed }.count }
    public var fromCache: Int { records.filter { $0?.status == .cached }.count }
    public func text(of node: Int) -> String? { records[node]?.output?.text }
}

/// Runs a plan's nodes as soon as their inputs exist, on a fixed pool of worker threads.
///
/// Ready nodes are taken highest level first (finish what is started, so documents complete early and map work of
/// one document overlaps merges of another), then in plan order. Each result is looked up in, and stored to, the
/// content-addressed cache before and after its model call, so an interrupted run resumes where it stopped. A
/// node that fails fails its document (recorded with the reason); the other documents and the corpus root go on.
public final class Executor: @unchecked Sendable {
    public typealias Render = @Sendable (PlanNode, [String]) -> String
    /// Turns a node's model output (computed or from the cache) into its result, given the child summaries its
    /// prompt used: grounded summaries are checked against the source here. The cache keeps the model's output.
    public typealias Finish = @Sendable (PlanNode, NodeOutput, [String]) -> NodeOutput

    let plan: Plan
    let render: Render
    let counter: any TokenCounting
    let key: NodeKey.Run
    let cache: ResultCache?
    let workers: Int
    let makeRunner: @Sendable (Int) throws -> NodeRunner
    let onEvent: @Sendable (ExecutionEvent) -> Void
    let shouldStop: @Sendable () -> Bool
    let finish: Finish?

    // Shared state, guarded by `condition`.
    private let condition = NSCondition()
    private var records: [NodeRecord?]
    private var taken: [Bool]
    private var running = 0
    private var failedDocuments: [Int: String] = [:]
    private var stopped = false
    private var writeFailure: AtomicFile.WriteError?

    public init(plan: Plan, render: @escaping Render, counter: any TokenCounting, key: NodeKey.Run,
                cache: ResultCache?, workers: Int,
                makeRunner: @escaping @Sendable (Int) throws -> NodeRunner,
                onEvent: @escaping @Sendable (ExecutionEvent) -> Void = { _ in },
                shouldStop: @escaping @Sendable () -> Bool = { false }, finish: Finish? = nil) {
        self.plan = plan
        self.finish = finish
        self.render = render
        self.counter = counter
        self.key = key
        self.cache = cache
        self.workers = max(1, workers)
        self.makeRunner = makeRunner
        self.onEvent = onEvent
        self.shouldStop = shouldStop
        records = Array(repeating: nil, count: plan.nodes.count)
        taken = Array(repeating: false, count: plan.nodes.count)
    }

    /// Runs every node (or until `shouldStop` says so between nodes) and reports.
    public func run() -> ExecutionReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let count = min(workers, max(1, plan.nodes.count))
        DispatchQueue.concurrentPerform(iterations: count) { worker in
            workerLoop(worker)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        condition.lock()
        defer { condition.unlock() }
        return ExecutionReport(records: records, wallSeconds: seconds, stopped: stopped, failedDocuments: failedDocuments,
                               writeFailure: writeFailure)
    }

    private func workerLoop(_ worker: Int) {
        var runner: NodeRunner?
        var runnerError: String?
        while let id = nextNode() {
            let node = plan.nodes[id]
            let record = process(node, worker: worker, runner: &runner, runnerError: &runnerError)
            condition.lock()
            records[id] = record
            running -= 1
            if record.status == .failed || record.status == .skipped, let d = node.document, failedDocuments[d] == nil {
                failedDocuments[d] = record.error ?? "a part of the document failed"
            }
            condition.broadcast()
            condition.unlock()
            onEvent(.finished(record))
        }
    }

    /// The next ready node, waiting while nodes are running; nil when nothing is left (or a stop was asked).
    private func nextNode() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if writeFailure != nil || shouldStop() {
                stopped = stopped || records.contains { $0 == nil }
                return nil
            }
            var best: Int?
            for node in plan.nodes where !taken[node.id] && node.children.allSatisfy({ records[$0] != nil }) {
                if best == nil || node.level > plan.nodes[best!].level { best = node.id }
            }
            if let best {
                taken[best] = true
                running += 1
                return best
            }
            if running == 0 { return nil }
            condition.wait()
        }
    }

    private func process(_ node: PlanNode, worker: Int, runner: inout NodeRunner?, runnerError: inout String?) -> NodeRecord {
        condition.lock()
        let children = node.children.map { (id: $0, record: records[$0]!) }
        condition.unlock()
        let usable = children.filter { $0.record.output != nil }
        if node.document != nil, usable.count < children.count {
            let reason = children.first { $0.record.output == nil }?.record.error ?? "a part failed"
            return NodeRecord(id: node.id, status: .skipped, output: nil, error: reason, usedChildren: [])
        }
        if !node.children.isEmpty, usable.isEmpty {
            return NodeRecord(id: node.id, status: .skipped, output: nil, error: "no input summaries", usedChildren: [])
        }
        var texts = usable.map { $0.record.output!.text }
        var node = node
        if usable.count < children.count, node.labels.count == children.count {
            node.labels = children.indices.filter { children[$0].record.output != nil }.map { node.labels[$0] }
        }
        var prompt = render(node, texts)
        // The plan bounded this prompt with every child at its budget; a summary that re-tokenizes longer than it
        // was generated could pass the bound, so trim the longest until the bound holds again.
        var guardCount = 0
        while !node.readsChunk, counter.count(prompt) > node.promptTokens, guardCount < 64 {
            guardCount += 1
            let longest = texts.indices.max { texts[$0].count < texts[$1].count }!
            texts[longest] = String(texts[longest].dropLast(max(1, texts[longest].count / 10)))
            prompt = render(node, texts)
        }
        let key = NodeKey(run: self.key, prompt: prompt, maxOutputTokens: node.maxOutputTokens).digest
        let used = usable.map(\.id)
        if let cached = cache?.load(key) {
            let output = finish?(node, cached, texts) ?? cached
            return NodeRecord(id: node.id, status: .cached, output: output, error: nil, usedChildren: used)
        }
        onEvent(.started(node: node.id, worker: worker))
        if runner == nil, runnerError == nil {
            do { runner = try makeRunner(worker) } catch { runnerError = "\(error)" }
        }
        guard let runner else {
            return NodeRecord(id: node.id, status: .failed, output: nil, error: runnerError, usedChildren: used)
        }
        do {
            let output = try runner.run(prompt: prompt, maxTokens: node.maxOutputTokens)
            do { try cache?.store(output, key: key) } catch {
                // Nothing else can be stored either: stop the run (its finished nodes are kept) rather than fail
                // document after document.
                condition.lock()
                if writeFailure == nil { writeFailure = error }
                condition.unlock()
                return NodeRecord(id: node.id, status: .failed, output: nil, error: "\(error)", usedChildren: used)
            }
            return NodeRecord(id: node.id, status: .computed, output: finish?(node, output, texts) ?? output, error: nil,
                              usedChildren: used)
        } catch {
            return NodeRecord(id: node.id, status: .failed, output: nil, error: "\(error)", usedChildren: used)
        }
    }
}
