import ArgumentParser
import Foundation
import Jobs

/// `precis status`: what each job is doing.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show jobs' states (queued, running, done, failed, partial), progress in nodes, and ETA.",
        discussion: "With a JOBDIR, that job; otherwise every job of the queue. --json prints [{\"job\", \"state\", \"nodes_done\", \"nodes_total\", \"eta_seconds\"?, ...}].")

    @Argument(help: "A job directory (default: every job in the queue).")
    var job: String?

    @Option(help: "The queue directory.")
    var queue = "Jobs"

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let q = JobQueue(directory: queue)
        let statuses: [JobStatus]
        if let job {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: job, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CommandError("\(job): no such job directory")
            }
            let path = ((job.hasPrefix("/") ? job : FileManager.default.currentDirectoryPath + "/" + job) as NSString).standardizingPath
            let entry = (try? q.entries())?.last { $0.job == path }
            statuses = [JobStatus.of(directory: path, entry: entry)]
        } else {
            statuses = try JobStatus.of(queue: q)
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: statuses.map(\.json),
                                                  options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        if statuses.isEmpty {
            print("no jobs in \(q.directory)")
            return
        }
        print("STATE    NODES      TOKENS   ETA      JOB")
        for s in statuses {
            let nodes = s.nodesTotal > 0 ? "\(s.nodesDone)/\(s.nodesTotal)" : "-"
            let eta = s.etaSeconds.map { formatDuration($0) } ?? "-"
            var line = s.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                + nodes.padding(toLength: 11, withPad: " ", startingAt: 0)
                + "\(s.outputTokens)".padding(toLength: 9, withPad: " ", startingAt: 0)
                + eta.padding(toLength: 9, withPad: " ", startingAt: 0) + s.job
            if let message = s.message, s.state != .running { line += "  (\(message))" }
            print(line)
        }
    }
}
