import Chunking

/// The prompt texts of every node kind. A prompt is a user message; the engine wraps it in the model's chat
/// template. The planner counts tokens of the wrapped prompt, so every template change is re-proved at plan time.
public struct Prompts: Sendable, Equatable, Codable {
    /// Extra instructions from the job (`instructions` in job.toml), appended to every prompt.
    public var instructions: String

    public init(instructions: String = "") {
        self.instructions = instructions
    }

    /// A map prompt: summarize one chunk.
    /// With `keyPoints` (grounded summaries), the passage's most central sentences come first as its key points.
    public func map(title: String, headingPath: [String], chunk: Chunk, sentences: Int, keyPoints: [String] = []) -> String {
        var text = "Summarize this passage from \"\(title)\""
        if !headingPath.isEmpty { text += " (section: \(headingPath.joined(separator: " > ")))" }
        text += ". Write at most \(sentences) sentences. Keep names, numbers and dates exactly as written. Do not add anything that is not in the passage."
        if !keyPoints.isEmpty { text += " Start from its key points." }
        text += appendedInstructions
        text += Self.keyPointBlock(keyPoints)
        text += "\n\nPassage:\n"
        if !chunk.overlap.isEmpty { text += "…" + chunk.overlap + "\n\n" }
        text += chunk.text
        return text
    }

    /// A part of a reduce prompt: one child summary with a label.
    public struct Part: Sendable, Equatable {
        public var label: String
        public var text: String
        public init(label: String, text: String) {
            self.label = label
            self.text = text
        }
    }

    /// A reduce prompt: merge consecutive summaries of parts of one document, in order. The parts are given as
    /// one continuous text: labelled parts make a small model copy the labels and the parts instead of merging.
    /// With `keyPoints` (grounded summaries), the source's most central sentences not already in the parts come
    /// first as key points.
    public func reduce(title: String, parts: [Part], sentences: Int, final: Bool, keyPoints: [String] = []) -> String {
        var text = "Summarize this text from \"\(title)\". Write at most \(sentences) sentences"
        text += final ? " covering the whole text." : "."
        text += " Keep names, numbers and dates exactly as written. Do not add opinions or anything that is not in the text."
        if !keyPoints.isEmpty { text += " Start from its key points." }
        text += appendedInstructions
        text += Self.keyPointBlock(keyPoints)
        text += "\n\nText:"
        for part in parts { text += "\n\n\(part.text)" }
        return text
    }

    /// A corpus prompt: merge summaries of several documents, each introduced by its title.
    public func corpus(parts: [Part], sentences: Int, final: Bool) -> String {
        var text = "Summarize these summaries of \(parts.count) documents. Write at most \(sentences) sentences of plain facts: what each document reports, in order."
        text += " Keep names, numbers and dates exactly as written. Do not add opinions or anything that is not in the text."
        text += appendedInstructions
        for part in parts { text += "\n\n\(part.label): \(part.text)" }
        return text
    }

    /// "Key points:" and one line per sentence; empty without key points.
    static func keyPointBlock(_ keyPoints: [String]) -> String {
        keyPoints.isEmpty ? "" : "\n\nKey points:\n" + keyPoints.map { "- " + $0 }.joined(separator: "\n")
    }

    /// Tokens the "Key points:" heading may add beyond its lines (each line counted as `- sentence`).
    public static var keyPointHeadingTokens: Int { 20 }

    private var appendedInstructions: String {
        let trimmed = instructions.trimmingCharacters(in: " \n\t")
        return trimmed.isEmpty ? "" : " " + trimmed
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}
