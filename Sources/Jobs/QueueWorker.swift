import Common
import Foundation
import Logging

/// Works a queue: takes queued jobs in submission order and runs each under its lock, so two workers on one
/// queue never run the same job; after a job, its entry records how the run ended.
public struct QueueWorker: Sendable {
    public let queue: JobQueue
    /// Drain the queue and return, instead of waiting for new submissions.
    public var once: Bool
    public var stop: StopSignal
    /// Settings that override every job's own for this worker (the CLI's tuning flags).
    public var configure: @Sendable (inout JobConfig) -> Void
    public var modelFlag: String?
    public var pollSeconds: Double = 5
    let logger: Logger

    public init(queue: JobQueue, once: Bool, stop: StopSignal, modelFlag: String? = nil,
                configure: @escaping @Sendable (inout JobConfig) -> Void = { _ in },
                logger: Logger = Logger(label: "precis.worker")) {
        self.queue = queue
        self.once = once
        self.stop = stop
        self.modelFlag = modelFlag
        self.configure = configure
        self.logger = logger
    }

    /// Runs until the queue is drained (`once`), a stop is requested, or the deadline passes. Returns how many
    /// jobs this worker ran.
    public func run(onEvent: @escaping @Sendable (String, JobEvent) -> Void = { _, _ in }) throws(JobError) -> Int {
        var ran = 0
        logger.info("worker \(getpid()) on \(queue.directory)")
        while !stop.isRequested {
            var ranNow = false
            for entry in try queue.entries() where entry.state == .queued {
                if stop.isRequested { break }
                guard let lock = try JobLock.acquire(directory: entry.job) else { continue }
                defer { lock.release() }
                // Another worker may have finished it between our listing and our lock.
                guard var current = queue.reload(entry), current.state == .queued else { continue }
                ranNow = true
                ran += 1
                logger.info("\(entry.job): starting")
                do {
                    var config = try JobConfig.load(directory: entry.job)
                    configure(&config)
                    let runner = JobRunner(directory: entry.job, config: config, modelFlag: modelFlag, logger: logger)
                    let stop = self.stop
                    let job = entry.job
                    let outcome = try runner.run(holding: lock, shouldStop: { stop.isRequested },
                                                 onEvent: { onEvent(job, $0) })
                    if outcome.stopped {
                        logger.notice("\(entry.job): stopped, stays queued (\(outcome.nodesComputed) nodes computed)")
                        break
                    }
                    current.state = JobState(outcome.result)
                    current.exitStatus = outcome.result.exitStatus
                    current.message = outcome.result == .complete ? "summary in \(runner.outDirectory)/summary.md"
                        : "\(outcome.failures.count) documents failed (see \(runner.outDirectory)/errors.json)"
                    logger.info("\(entry.job): \(current.state.rawValue), \(outcome.nodesComputed) nodes computed, \(outcome.nodesFromCache) from cache")
                } catch {
                    current.state = .failed
                    current.exitStatus = ExitStatus.of(error.failureClass)
                    current.message = error.description
                    logger.error("\(error.description)")
                }
                current.finished = Date()
                try queue.store(current)
            }
            if stop.isRequested || (once && !ranNow) { break }
            if !ranNow {
                let until = Date().addingTimeInterval(pollSeconds)
                while Date() < until, !stop.isRequested { usleep(200_000) }
            }
        }
        return ran
    }
}
