import Common
import Foundation

/// A node's result as stored: the summary text and what it cost.
public struct NodeOutput: Sendable, Equatable, Codable {
    public var text: String
    public var promptTokens: Int
    public var outputTokens: Int
    /// Wall seconds of the call, and the part of it spent on the prompt.
    public var seconds: Double
    public var promptSeconds: Double
    public var stopReason: String
    /// The model's own text, when the method changed it (grounded: before the check against the source).
    public var modelText: String?

    public init(text: String, promptTokens: Int, outputTokens: Int, seconds: Double, promptSeconds: Double = 0,
                stopReason: String, modelText: String? = nil) {
        self.text = text
        self.modelText = modelText
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.seconds = seconds
        self.promptSeconds = promptSeconds
        self.stopReason = stopReason
    }
}

/// Content-addressed store of node results: the key is a SHA-256 of (model identity, exact prompt, generation
/// parameters), so a rerun finds every finished node and identical chunks are summarized once. Each entry is
/// one file written atomically; a damaged entry reads as missing and is computed again.
public struct ResultCache: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// The key of a model call.
    public static func key(model: String, prompt: String, parameters: String) -> String {
        var hasher = SHA256()
        for part in ["precis-node-v1", model, parameters, prompt] {
            hasher.update("\(part.utf8.count):")
            hasher.update(part)
        }
        return hasher.finalize().hexString
    }

    private func path(_ key: String) -> String {
        "\(directory)/\(key.prefix(2))/\(key).json"
    }

    public func load(_ key: String) -> NodeOutput? {
        guard let data = FileManager.default.contents(atPath: path(key)) else { return nil }
        return try? JSONDecoder().decode(NodeOutput.self, from: data)
    }

    public func store(_ output: NodeOutput, key: String) throws(AtomicFile.WriteError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(output)) ?? Data()
        try AtomicFile.write(data, to: path(key))
    }
}
