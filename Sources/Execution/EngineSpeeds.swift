import Common
import Foundation

/// Measured engine speeds on this machine, per model file and thread count, kept in `speeds.json` in the cache
/// directory (`~/.cache/precis`, or `$XDG_CACHE_HOME/precis`); job runs, `summarize` and `eval` update it, `plan`
/// reads it for its estimate.
public struct EngineSpeeds: Sendable, Codable, Equatable {
    public var prefillTokensPerSecond: Double
    public var decodeTokensPerSecond: Double
    /// Where the figures come from: "measured" or "rough guess".
    public var source: String

    public init(prefillTokensPerSecond: Double, decodeTokensPerSecond: Double, source: String) {
        self.prefillTokensPerSecond = prefillTokensPerSecond
        self.decodeTokensPerSecond = decodeTokensPerSecond
        self.source = source
    }

    /// `speeds.json` in precis's cache directory, by this environment.
    public static func defaultFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (CacheDirectory.path(environment: environment) as NSString).appendingPathComponent("speeds.json")
    }

    static func key(model: String, threads: Int) -> String { "\(model)@\(threads)" }

    /// The figures stored in `file` for this model and thread count, or a rough guess from the model's size.
    public static func load(from file: String?, modelIdentity: String, modelBytes: Int, threads: Int) -> EngineSpeeds {
        if let file, let data = FileManager.default.contents(atPath: file),
           let all = try? JSONDecoder().decode([String: EngineSpeeds].self, from: data),
           let found = all[key(model: modelIdentity, threads: threads)] {
            return found
        }
        // Rough: decode reads every weight once per token (~10 GB/s effective on one core), prefill ~20 times
        // faster per token.
        let decode = max(1, 10e9 * Double(min(threads, 2)) / Double(max(1, modelBytes)))
        return EngineSpeeds(prefillTokensPerSecond: decode * 20, decodeTokensPerSecond: decode, source: "rough guess")
    }

    /// Stores measured figures in `file`, beside those of other models and thread counts (best effort: a
    /// read-only cache directory is not an error).
    public static func store(_ speeds: EngineSpeeds, in file: String, modelIdentity: String, threads: Int) {
        var all: [String: EngineSpeeds] = [:]
        if let data = FileManager.default.contents(atPath: file),
           let decoded = try? JSONDecoder().decode([String: EngineSpeeds].self, from: data) {
            all = decoded
        }
        all[key(model: modelIdentity, threads: threads)] = speeds
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? encoder.encode(all) { try? AtomicFile.write(data, to: file) }
    }
}
