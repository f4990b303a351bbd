/// A setting of a summarization run. Each has a job.toml key and a flag of the same meaning; library errors
/// name settings, and the layer that knows how the user set one (the CLI, a job) says it their way.
public enum Setting: String, Sendable, CaseIterable, Hashable {
    case method
    case chunkTokens = "chunk_tokens"
    case chunkOverlap = "chunk_overlap"
    case fanIn = "fan_in"
    case summaryTokens = "summary_tokens"
    case contextTokens = "context_tokens"
    case workers
    case threads
    case model
    case temperature
    case seed
    case kvCache = "kv_cache"
    case instructions

    /// The job.toml key: `chunk_tokens`.
    public var key: String { rawValue }

    /// The command-line flag: `--chunk-tokens`.
    public var flag: String { "--" + rawValue.replacingOccurrences(of: "_", with: "-") }
}

/// A message that names settings, rendered later by whoever knows how each was set:
/// `"\(Setting.chunkTokens) must be at least 16"` becomes "--chunk-tokens must be at least 16" on the command
/// line and "chunk_tokens (job.toml:3) must be at least 16" for a job.
public struct SettingsMessage: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    enum Part: Sendable, Equatable {
        case text(String)
        case setting(Setting)
    }

    var parts: [Part]

    public init(stringLiteral value: String) { parts = [.text(value)] }

    public init(stringInterpolation: Interpolation) { parts = stringInterpolation.parts }

    public struct Interpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { parts.append(.text(literal)) }
        public mutating func appendInterpolation(_ setting: Setting) { parts.append(.setting(setting)) }
        public mutating func appendInterpolation(_ message: SettingsMessage) { parts += message.parts }
        public mutating func appendInterpolation<T>(_ value: T) { parts.append(.text("\(value)")) }
    }

    /// The settings the message names, in order.
    public var settings: [Setting] {
        parts.compactMap { if case let .setting(s) = $0 { s } else { nil } }
    }

    /// The text with each setting named by `name`.
    public func rendered(_ name: (Setting) -> String) -> String {
        parts.map { part in
            switch part {
            case let .text(t): t
            case let .setting(s): name(s)
            }
        }.joined()
    }

    /// The text with each setting named by its flag (how `summarize`, `plan` and `eval` users set them).
    public var description: String { rendered(\.flag) }
}
