import Common
import Foundation

/// One submission: which job, when, and how its run ended.
public struct QueueEntry: Sendable, Codable, Equatable {
    /// The entry's file name without `.json`: the submission time in nanoseconds and the submitting pid, so names
    /// sort in submission order.
    public var id: String
    /// The job directory, absolute.
    public var job: String
    public var submitted: Date
    /// `queued` until a worker finishes the job; then `done`, `partial` or `failed`.
    public var state: JobState
    public var finished: Date?
    public var exitStatus: Int32?
    public var message: String?
    /// Runs a worker started for this entry (a run that ended the worker counts; a clean stop does not).
    public var attempts: Int

    init(id: String, job: String, submitted: Date, state: JobState) {
        self.id = id
        self.job = job
        self.submitted = submitted
        self.state = state
        attempts = 0
    }

    enum CodingKeys: String, CodingKey {
        case id, job, submitted, state, finished, message, attempts
        case exitStatus = "exit_status"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        job = try c.decode(String.self, forKey: .job)
        submitted = try c.decode(Date.self, forKey: .submitted)
        state = try c.decode(JobState.self, forKey: .state)
        finished = try c.decodeIfPresent(Date.self, forKey: .finished)
        exitStatus = try c.decodeIfPresent(Int32.self, forKey: .exitStatus)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        attempts = try c.decodeIfPresent(Int.self, forKey: .attempts) ?? 0  // entries written before attempts were counted
    }
}

/// A queue of job directories: a directory (default `./Jobs`) whose `.queue/` holds one JSON file per submission,
/// each written atomically. Workers take entries in submission order; a job's own lock keeps two workers apart.
public struct JobQueue: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = (Self.absolute(directory) as NSString).standardizingPath
    }

    var entriesDirectory: String { directory + "/.queue" }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
    }

    /// Queues `job` (its job.toml is checked first); a job already waiting in this queue is not queued twice.
    /// Returns the entry and whether it is new.
    public func submit(_ job: String) throws(JobError) -> (entry: QueueEntry, added: Bool) {
        let path = (Self.absolute(job) as NSString).standardizingPath
        _ = try JobConfig.load(directory: path)
        if let waiting = try entries().last(where: { $0.job == path && $0.state == .queued }) {
            return (waiting, false)
        }
        let now = Date()
        let nanos = UInt64(now.timeIntervalSince1970 * 1e9)
        let id = String(format: "%020llu-%d", nanos, getpid())
        let entry = QueueEntry(id: id, job: path, submitted: now, state: .queued)
        try store(entry)
        return (entry, true)
    }

    /// Every entry, in submission order.
    public func entries() throws(JobError) -> [QueueEntry] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: entriesDirectory)
        } catch {
            if !FileManager.default.fileExists(atPath: entriesDirectory) { return [] }
            throw .io(path: entriesDirectory, reason: error.localizedDescription)
        }
        let decoder = Self.decoder
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: entriesDirectory + "/" + name) else { return nil }
            return try? decoder.decode(QueueEntry.self, from: data)
        }
    }

    /// The entry as stored now (another worker may have finished it).
    public func reload(_ entry: QueueEntry) -> QueueEntry? {
        guard let data = FileManager.default.contents(atPath: entriesDirectory + "/" + entry.id + ".json") else { return nil }
        return try? Self.decoder.decode(QueueEntry.self, from: data)
    }

    public func store(_ entry: QueueEntry) throws(JobError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(entry)) ?? Data()
        do { try AtomicFile.write(data, to: entriesDirectory + "/" + entry.id + ".json") } catch {
            throw .io(path: error.path, reason: error.reason)
        }
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
