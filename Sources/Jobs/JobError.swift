import Common
import Foundation

/// Errors of the Jobs module, each with the path (and for job.toml the key and line) it concerns.
public enum JobError: Error, Equatable, Sendable, CustomStringConvertible {
    /// job.toml is not valid TOML.
    case syntax(path: String, line: Int, column: Int, reason: String)
    /// A key job.toml does not know.
    case unknownKey(path: String, key: String, line: Int?)
    /// A key with a value of the wrong type or out of range.
    case invalidValue(path: String, key: String, line: Int?, reason: String)
    /// The job directory (or its job.toml) is missing or unreadable.
    case notAJob(path: String, reason: String)
    /// No document matched the inputs.
    case noInputs(path: String, reason: String)
    /// An input resolves outside the job directory and job.toml does not allow it.
    case inputOutside(path: String, pattern: String)
    /// Another process holds the job's lock.
    case busy(path: String)
    /// A file or directory of the job or queue could not be written or read.
    case io(path: String, reason: String)
    /// The model could not be found or loaded.
    case model(String)
    /// The plan cannot be made with these settings.
    case planning(String)
    /// `--until` is not HH:MM.
    case badTime(String)

    public var description: String {
        switch self {
        case let .syntax(path, line, column, reason): "\(path):\(line):\(column): \(reason)"
        case let .unknownKey(path, key, line): "\(path)\(line.map { ":\($0)" } ?? ""): unknown key '\(key)'"
        case let .invalidValue(path, key, line, reason): "\(path)\(line.map { ":\($0)" } ?? ""): '\(key)' \(reason)"
        case let .notAJob(path, reason): "\(path): not a job directory: \(reason)"
        case let .noInputs(path, reason): "\(path): \(reason)"
        case let .inputOutside(path, pattern):
            "\(path): outside the job directory (from inputs '\(pattern)'); set allow_outside_inputs = true in job.toml to read it"
        case let .busy(path): "\(path): the job is being run by another process"
        case let .io(path, reason): "\(path): \(reason)"
        case let .model(reason): reason
        case let .planning(reason): reason
        case let .badTime(value): "--until '\(value)': expected HH:MM (24-hour clock)"
        }
    }
}

extension JobError: ClassifiedError {
    /// Usage and configuration errors (job.toml, inputs, model, settings, flags); a busy job or an I/O error is
    /// anything else.
    public var failureClass: FailureClass {
        switch self {
        case .syntax, .unknownKey, .invalidValue, .notAJob, .noInputs, .inputOutside, .model, .planning, .badTime: .usage
        case .busy, .io: .other
        }
    }
}
