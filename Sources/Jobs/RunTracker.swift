#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Execution
import Foundation
import Planning

/// Follows a run node by node: keeps `.precis/progress.json` and `out/metrics.json` current after every node,
/// so a run killed at any moment leaves its counts behind, and forwards the events.
final class RunTracker: @unchecked Sendable {
    private let runner: JobRunner
    private let plan: Plan
    private let estimate: Double
    private let cpuStart: Double
    private let writer: OutWriter
    private let onEvent: @Sendable (JobEvent) -> Void
    private let start = Date()

    // Guarded by `lock`.
    private let lock = NSLock()
    private var progress: JobProgress
    private var records: [NodeRecord?]
    private var computeSeconds = 0.0
    private var firstWriteError: JobError?

    /// The first progress or metrics write that failed (the run stops on it).
    var writeError: JobError? {
        lock.lock()
        defer { lock.unlock() }
        return firstWriteError
    }

    init(runner: JobRunner, plan: Plan, progress: JobProgress, estimate: Double, cpuStart: Double, writer: OutWriter,
         onEvent: @escaping @Sendable (JobEvent) -> Void) {
        self.runner = runner
        self.plan = plan
        self.progress = progress
        self.estimate = estimate
        self.cpuStart = cpuStart
        self.writer = writer
        self.onEvent = onEvent
        records = Array(repeating: nil, count: plan.nodes.count)
    }

    func snapshot() -> JobProgress {
        lock.lock()
        defer { lock.unlock() }
        return progress
    }

    func handle(_ event: ExecutionEvent) {
        guard case let .finished(record) = event else { return }
        lock.lock()
        records[record.id] = record
        progress.nodesDone += 1
        switch record.status {
        case .computed:
            progress.nodesComputed += 1
            progress.outputTokens += record.output?.outputTokens ?? 0
            computeSeconds += record.output?.seconds ?? 0
        case .cached: progress.nodesFromCache += 1
        case .failed, .skipped: break
        }
        progress.documentsDone = plan.documents.filter { records[$0.root] != nil }.count
        progress.updated = Date()
        progress.etaSeconds = eta()
        let snapshot = progress
        // Written under the lock: workers finishing together write in turn, the last state last.
        let metrics = self.metricsLocked(wallSeconds: Date().timeIntervalSince(start),
                                         cpuSeconds: CPUTime.now() - cpuStart, complete: false)
        do {
            try snapshot.store(directory: runner.directory)
            try writer.write(metrics, as: "metrics.json")
        } catch {
            if firstWriteError == nil { firstWriteError = error }
        }
        lock.unlock()
        onEvent(.node(record, snapshot))
    }

    /// Seconds left: the remaining nodes at this run's measured pace, or the plan's estimate before any node ran.
    private func eta() -> Double {
        let remaining = plan.nodes.count - progress.nodesDone
        guard remaining > 0 else { return 0 }
        let elapsed = Date().timeIntervalSince(start)
        if progress.nodesComputed > 0 {
            return elapsed / Double(progress.nodesComputed) * Double(remaining)
        }
        return estimate * Double(remaining) / Double(max(1, plan.nodes.count))
    }

    func metrics(report: ExecutionReport, cpuSeconds: Double, complete: Bool) -> Data {
        lock.lock()
        defer { lock.unlock() }
        for (id, record) in report.records.enumerated() where record != nil { records[id] = record }
        return metricsLocked(wallSeconds: Date().timeIntervalSince(start), cpuSeconds: cpuSeconds, complete: complete)
    }

    /// `out/metrics.json` for this run: tokens in and out per level, wall and CPU seconds, speeds, cache hits.
    private func metricsLocked(wallSeconds: Double, cpuSeconds: Double, complete: Bool) -> Data {
        struct Level { var nodes = 0, computed = 0, cached = 0, failed = 0, tokensIn = 0, tokensOut = 0, seconds = 0.0 }
        var levels = [Level](repeating: Level(), count: plan.depth + 1)
        var promptTokens = 0, outputTokens = 0, promptSeconds = 0.0, seconds = 0.0
        var computed = 0, cached = 0, failed = 0
        for node in plan.nodes {
            levels[node.level].nodes += 1
            guard let record = records[node.id] else { continue }
            switch record.status {
            case .computed:
                computed += 1
                levels[node.level].computed += 1
                if let o = record.output {
                    levels[node.level].tokensIn += o.promptTokens
                    levels[node.level].tokensOut += o.outputTokens
                    levels[node.level].seconds += o.seconds
                    promptTokens += o.promptTokens
                    outputTokens += o.outputTokens
                    promptSeconds += o.promptSeconds
                    seconds += o.seconds
                }
            case .cached:
                cached += 1
                levels[node.level].cached += 1
            case .failed, .skipped:
                failed += 1
                levels[node.level].failed += 1
            }
        }
        func rate(_ n: Int, _ s: Double) -> Double { s > 0 ? (Double(n) / s * 10).rounded() / 10 : 0 }
        func round(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
        let object: [String: Any] = [
            "complete": complete,
            "pid": Int(getpid()),
            "started": ISO8601DateFormatter().string(from: start),
            "documents": plan.documents.count,
            "nodes_total": plan.nodes.count,
            "nodes_computed": computed,
            "nodes_from_cache": cached,
            "nodes_failed": failed,
            "cache_hits": cached,
            "wall_seconds": round(wallSeconds),
            "cpu_seconds": round(cpuSeconds),
            "model_seconds": round(seconds),
            "prompt_tokens": promptTokens,
            "output_tokens": outputTokens,
            "tokens_per_second": rate(outputTokens, wallSeconds),
            "prompt_tokens_per_second": rate(promptTokens, promptSeconds),
            "generated_tokens_per_second": rate(outputTokens, seconds - promptSeconds),
            "levels": levels.enumerated().map { index, l -> [String: Any] in
                ["level": index, "nodes": l.nodes, "computed": l.computed, "from_cache": l.cached, "failed": l.failed,
                 "tokens_in": l.tokensIn, "tokens_out": l.tokensOut, "seconds": round(l.seconds)]
            },
        ]
        return JobRunner.json(object)
    }
}
