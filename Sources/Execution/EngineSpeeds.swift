import Common
import Foundation

/// Measured engine speeds on this machine, per model file and thread count, kept in
/// `~/.cache/precis/speeds.json`; runs and `precis bench` update it, `precis plan` reads it for its estimate.
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

    static var storePath: String {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + "/.cache/precis/speeds.json"
    }

    static func key(model: String, threads: Int) -> String { "\(model)@\(threads)" }

    /// The stored figures for this model and thread count, or a rough guess from the file size.
    public static func load(modelIdentity: String, modelBytes: Int, threads: Int) -> EngineSpeeds {
        if let data = FileManager.default.contents(atPath: storePath),
           let all = try? JSONDecoder().decode([String: EngineSpeeds].self, from: data),
           let found = all[key(model: modelIdentity, threads: threads)] {
            return found
        }
        // Rough: decode reads every weight once per token (~10 GB/s effective on one core), prefill ~20 times
        // faster per token.
        let decode = max(1, 10e9 * Double(min(threads, 2)) / Double(max(1, modelBytes)))
        return EngineSpeeds(prefillTokensPerSecond: decode * 20, decodeTokensPerSecond: decode, source: "rough guess")
    }

    /// Stores measured figures (best effort: a read-only home is not an error).
    public static func store(_ speeds: EngineSpeeds, modelIdentity: String, threads: Int) {
        var all: [String: EngineSpeeds] = [:]
        if let data = FileManager.default.contents(atPath: storePath),
           let decoded = try? JSONDecoder().decode([String: EngineSpeeds].self, from: data) {
            all = decoded
        }
        all[key(model: modelIdentity, threads: threads)] = speeds
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? encoder.encode(all) { try? AtomicFile.write(data, to: storePath) }
    }
}
