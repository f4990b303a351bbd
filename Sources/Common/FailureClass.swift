/// What kind of failure ended a command. Errors say which they are; the exit status of each kind is decided
/// once, in `ExitStatus`.
public enum FailureClass: Sendable, Equatable {
    /// A usage or configuration error: a flag, a job.toml key, a model file or an input list that cannot work.
    case usage
    /// Some documents failed; the others were summarized.
    case documents
    /// Anything else: nothing could be summarized, a run was stopped, an I/O error, a bug.
    case other
}

/// An error that knows its `FailureClass` and says itself in one line (`description`).
public protocol ClassifiedError: Error, CustomStringConvertible {
    var failureClass: FailureClass { get }
}

/// The exit statuses of the contract: 0 success, 2 usage or configuration, 3 some documents failed, 1 anything
/// else. The one place that maps a failure to its status (the CLI exits with it, jobs record it).
public enum ExitStatus {
    public static let success: Int32 = 0

    public static func of(_ failure: FailureClass) -> Int32 {
        switch failure {
        case .usage: 2
        case .documents: 3
        case .other: 1
        }
    }
}
