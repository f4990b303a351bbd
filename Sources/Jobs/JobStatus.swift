import Foundation

/// One line of `precis status`: `{"job", "state", "nodes_done", "nodes_total", "eta_seconds"?}` and more.
public struct JobStatus: Sendable, Equatable {
    public var job: String
    public var state: JobState
    public var nodesDone: Int
    public var nodesTotal: Int
    public var etaSeconds: Double?
    /// Whether a queue holds the job (false for `status JOBDIR` on a job never submitted).
    public var submitted: Bool
    public var outputTokens: Int
    public var message: String?

    /// The state of the job in `directory`, given its latest queue entry if any.
    ///
    /// running: some process holds its lock. queued: waiting in a queue (perhaps part done, resumed next). done,
    /// failed, partial: how the last run ended — partial is some documents failed, or a run stopped or killed
    /// part way (its finished nodes are kept; the next run resumes).
    public static func of(directory: String, entry: QueueEntry?) -> JobStatus {
        let progress = JobProgress.load(directory: directory)
        var status = JobStatus(job: directory, state: .queued, nodesDone: progress?.nodesDone ?? 0,
                               nodesTotal: progress?.nodesTotal ?? 0, etaSeconds: nil, submitted: entry != nil,
                               outputTokens: progress?.outputTokens ?? 0, message: progress?.message ?? entry?.message)
        if JobLock.isHeld(directory: directory) {
            status.state = .running
            status.etaSeconds = progress?.etaSeconds
            return status
        }
        if entry?.state == .queued { return status }
        if let progress {
            switch progress.state {
            case .running:
                status.state = .partial
                status.message = "stopped part way (the process ended); run again to resume"
            case .queued: status.state = .queued
            default: status.state = progress.state
            }
            if progress.state == .done { status.nodesDone = progress.nodesTotal }
            return status
        }
        if let entry { status.state = entry.state }
        return status
    }

    /// The statuses of a queue's jobs, each job once (its latest submission), in submission order.
    public static func of(queue: JobQueue) throws(JobError) -> [JobStatus] {
        let entries = try queue.entries()
        var latest: [String: QueueEntry] = [:]
        for entry in entries { latest[entry.job] = entry }
        var seen = Set<String>()
        return entries.reversed().filter { seen.insert($0.job).inserted }.reversed().map {
            of(directory: $0.job, entry: latest[$0.job])
        }
    }

    /// The `--json` object.
    public var json: [String: Any] {
        var o: [String: Any] = ["job": job, "state": state.rawValue, "nodes_done": nodesDone, "nodes_total": nodesTotal,
                                "submitted": submitted, "output_tokens": outputTokens]
        if let etaSeconds { o["eta_seconds"] = (etaSeconds * 10).rounded() / 10 }
        if let message { o["message"] = message }
        return o
    }
}
