#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Common
import Execution
import Foundation

/// A job's state as `precis status` reports it.
public enum JobState: String, Sendable, Codable {
    case queued, running, done, failed, partial

    /// The state a run leaves its job in: partial when some documents failed or it stopped part way (a rerun
    /// resumes), failed when no document could be summarized.
    public init(_ result: RunResult) {
        self = switch result {
        case .complete: .done
        case .someFailed, .stopped: .partial
        case .noneSummarized: .failed
        }
    }
}

/// What a run has done so far, kept in `.precis/progress.json` (rewritten atomically after every node), so
/// `precis status` can tell progress and ETA from another process, and a killed run is recognized as such.
public struct JobProgress: Sendable, Codable, Equatable {
    public var state: JobState
    public var pid: Int32
    public var started: Date
    public var updated: Date
    public var documents: Int
    public var documentsDone: Int
    public var nodesTotal: Int
    public var nodesDone: Int
    public var nodesComputed: Int
    public var nodesFromCache: Int
    public var outputTokens: Int
    public var etaSeconds: Double?
    /// Set when the run ended: its exit status and a one-line account.
    public var exitStatus: Int32?
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case state, pid, started, updated, documents, message
        case documentsDone = "documents_done", nodesTotal = "nodes_total", nodesDone = "nodes_done"
        case nodesComputed = "nodes_computed", nodesFromCache = "nodes_from_cache", outputTokens = "output_tokens"
        case etaSeconds = "eta_seconds", exitStatus = "exit_status"
    }

    public init(state: JobState, pid: Int32 = getpid(), started: Date = Date()) {
        self.state = state
        self.pid = pid
        self.started = started
        updated = started
        documents = 0
        documentsDone = 0
        nodesTotal = 0
        nodesDone = 0
        nodesComputed = 0
        nodesFromCache = 0
        outputTokens = 0
    }

    static func path(_ directory: String) -> String { (directory as NSString).appendingPathComponent(".precis/progress.json") }

    /// The last progress written for the job in `directory`, if any.
    public static func load(directory: String) -> JobProgress? {
        guard let data = FileManager.default.contents(atPath: path(directory)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(JobProgress.self, from: data)
    }

    func store(directory: String) throws(JobError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(self)) ?? Data()
        do { try AtomicFile.write(data, to: Self.path(directory)) } catch { throw .io(path: error.path, reason: error.reason) }
    }
}

/// Appends one line per run start and end to `.precis/history.jsonl`: a record of every run of the job (one
/// `write` of a short line with O_APPEND, so lines never interleave).
enum JobHistory {
    static func append(directory: String, _ fields: [String: Any]) {
        var fields = fields
        fields["pid"] = Int(getpid())
        fields["time"] = ISO8601DateFormatter().string(from: Date())
        guard var data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        let path = (directory as NSString).appendingPathComponent(".precis/history.jsonl")
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = data.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        fsync(fd)
    }

    /// The parsed lines of the job's history.
    public static func load(directory: String) -> [[String: Any]] {
        let path = (directory as NSString).appendingPathComponent(".precis/history.jsonl")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
