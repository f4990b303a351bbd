import ArgumentParser
import Foundation
import Ingest
import Jobs
import Logging

/// `precis worker`: works the queue in submission order.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run queued jobs in submission order; two workers on one queue never run the same job.",
        discussion: "Waits for new submissions unless --once. A job that cannot start (its directory missing or not writable) is marked failed with the reason and the worker goes on. SIGINT or SIGTERM (or --until) starts no new node: the nodes in hand finish, the job stays queued and resumes on the next pass.")

    @Option(help: "The queue directory.")
    var queue = "Jobs"

    @Option(help: "Start no new node after this local time (HH:MM, the next one to come).")
    var until: String?

    @Flag(help: "Drain the queue and exit instead of waiting for new jobs.")
    var once = false

    @Option(help: "Runs of one job at most: a job whose run ended the worker itself (a crash, an out-of-memory kill) is tried again until then, then marked failed.")
    var maxAttempts = 2

    @OptionGroup var tuning: TuningOptions

    @Flag(help: "Only warnings and errors on standard error.")
    var quiet = false

    func validate() throws {
        if maxAttempts < 1 { throw ValidationError("--max-attempts must be at least 1") }
    }

    func run() throws {
        JobLogging.bootstrap(quiet: quiet)
        let logger = Logger(label: "precis.worker")
        var deadline: Date?
        if let until {
            deadline = try StopSignal.deadline(until)
        }
        let stop = StopSignal.installed(deadline: deadline) { _ in
            logger.notice("stopping after the nodes in hand")
        }
        let tuning = self.tuning
        var worker = QueueWorker(queue: JobQueue(directory: queue), once: once, stop: stop, modelFlag: tuning.model,
                                 pdfChild: .thisExecutable, configure: { tuning.apply(to: &$0, instructions: nil) }, logger: logger)
        worker.maxAttempts = maxAttempts
        let display = JobDisplay(quiet: quiet, logger: logger)
        defer { display.finish() }
        let ran = try worker.run { _, event in display.handle(event) }
        display.finish()
        logger.info("worker \(getpid()) ran \(ran) jobs")
    }
}
