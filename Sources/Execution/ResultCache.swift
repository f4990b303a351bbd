import Common
import Engine
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

/// Everything that shapes a model call's stored result, in one struct; the node cache's key is a digest of it, so
/// a change to any of them computes the node again.
public struct NodeKey: Sendable, Equatable, Codable {
    /// What every call of one run shares.
    public struct Run: Sendable, Equatable, Codable {
        /// SHA-256 of the model file.
        public var model: String
        public var decoding: SummaryDecoding
        /// The context window the calls run in.
        public var contextTokens: Int
        /// A method may post-process the model's output before it is stored.
        public var method: SummaryMethod
        /// `EngineVersion.current`: the engine's arithmetic, tokenizer, template and sampler.
        public var engine: Int
        /// `SummaryText.version`: how the model's text is cleaned before it is stored.
        public var output: Int

        public init(model: String, decoding: SummaryDecoding, contextTokens: Int, method: SummaryMethod,
                    engine: Int = EngineVersion.current, output: Int = SummaryText.version) {
            self.model = model
            self.decoding = decoding
            self.contextTokens = contextTokens
            self.method = method
            self.engine = engine
            self.output = output
        }
    }

    public var run: Run
    /// The exact prompt, chat template applied.
    public var prompt: String
    public var maxOutputTokens: Int

    public init(run: Run, prompt: String, maxOutputTokens: Int) {
        self.run = run
        self.prompt = prompt
        self.maxOutputTokens = maxOutputTokens
    }

    /// SHA-256 of the struct's JSON (keys sorted), after a tag for this layout.
    public var digest: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain values cannot fail.
        let json = (try? encoder.encode(self)) ?? Data()
        var hasher = SHA256()
        hasher.update("precis-node-v2\n")
        hasher.update(json)
        return hasher.finalize().hexString
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
