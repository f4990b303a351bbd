import Common
import Foundation
import Ingest
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
    /// The command that reads each PDF in a child process (`JobRunner.pdfChild`).
    public var pdfChild: Ingest.ChildCommand?
    public var pollSeconds: Double = 5
    /// Runs of one entry at most: a job whose run ended the worker itself (a crash, an out-of-memory kill) is tried
    /// again until then, and then failed (SQS's maxReceiveCount).
    public var maxAttempts = 2
    let logger: Logger

    public init(queue: JobQueue, once: Bool, stop: StopSignal, modelFlag: String? = nil,
                pdfChild: Ingest.ChildCommand? = nil,
                configure: @escaping @Sendable (inout JobConfig) -> Void = { _ in },
                logger: Logger = Logger(label: "precis.worker")) {
        self.queue = queue
        self.once = once
        self.stop = stop
        self.modelFlag = modelFlag
        self.pdfChild = pdfChild
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
                let lock: FileLock
                do {
                    guard let taken = try JobLock.acquire(directory: entry.job) else { continue }  // another worker's
                    lock = taken
                } catch {
                    // Missing, not a directory, not writable: this entry fails, the queue goes on.
                    try fail(entry, status: ExitStatus.of(error.failureClass), reason: error.description)
                    continue
                }
                defer { lock.release() }
                // Another worker may have finished it between our listing and our lock.
                guard var current = queue.reload(entry), current.state == .queued else { continue }
                if current.attempts >= maxAttempts {
                    try fail(current, status: ExitStatus.of(.other),
                             reason: "gave up after \(current.attempts) attempts: the worker running it ended without finishing (crash, out of memory, kill -9?)")
                    continue
                }
                // Counted before the run, so a run that kills the worker is counted too; a clean stop gives it back.
                current.attempts += 1
                try queue.store(current)
                ranNow = true
                ran += 1
                logger.info("\(entry.job): starting (attempt \(current.attempts) of \(maxAttempts))")
                do {
                    var config = try JobConfig.load(directory: entry.job)
                    configure(&config)
                    let runner = JobRunner(directory: entry.job, config: config, modelFlag: modelFlag, pdfChild: pdfChild,
                                           logger: logger)
                    let stop = self.stop
                    let job = entry.job
                    let outcome = try runner.run(holding: lock, shouldStop: { stop.isRequested },
                                                 onEvent: { onEvent(job, $0) })
                    if outcome.stopped {
                        logger.notice("\(entry.job): stopped, stays queued (\(outcome.nodesComputed) nodes computed)")
                        current.attempts -= 1
                        try queue.store(current)
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

    /// Marks `entry` failed with `reason` (in the queue, and in the job's history when it has one).
    private func fail(_ entry: QueueEntry, status: Int32, reason: String) throws(JobError) {
        var failed = entry
        failed.state = .failed
        failed.exitStatus = status
        failed.message = reason
        failed.finished = Date()
        try queue.store(failed)
        JobHistory.append(directory: entry.job, ["event": "failed", "exit_status": Int(status), "error": reason])
        logger.error("\(entry.job): failed: \(reason)")
    }
}
