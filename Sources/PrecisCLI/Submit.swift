import ArgumentParser
import Common
import Foundation
import Jobs

/// `precis submit JOBDIR...`: queue jobs for a worker.
struct Submit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue job directories for `precis worker` (their job.toml is checked now).",
        discussion: "A job already waiting in the queue is not queued twice. Exit status 2 when a job directory or its job.toml is wrong (the others are queued).")

    @Argument(help: "Job directories.")
    var jobs: [String]

    @Option(help: "The queue directory.")
    var queue = "Jobs"

    func run() throws {
        let q = JobQueue(directory: queue)
        var failed: FailureClass?
        for job in jobs {
            do {
                let (entry, added) = try q.submit(job)
                print(added ? "queued \(entry.job)" : "already queued \(entry.job)")
            } catch {
                printError(error.description)
                // A wrong job directory (usage) outranks an I/O error.
                if failed != .usage { failed = error.failureClass }
            }
        }
        if let failed { throw Reported(failureClass: failed) }
    }
}
