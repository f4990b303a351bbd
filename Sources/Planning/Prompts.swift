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
    public func map(title: String, headingPath: [String], chunk: Chunk, sentences: Int) -> String {
        var text = "Summarize this passage from \"\(title)\""
        if !headingPath.isEmpty { text += " (section: \(headingPath.joined(separator: " > ")))" }
        text += ". Write at most \(sentences) sentences. Keep names, numbers and dates exactly as written. Do not add anything that is not in the passage."
        text += appendedInstructions
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

    /// A reduce prompt: merge consecutive summaries of parts of one document, in order.
    public func reduce(title: String, parts: [Part], sentences: Int, final: Bool) -> String {
        var text = final
            ? "Below are summaries of consecutive parts of \"\(title)\". Write one summary of the whole document"
            : "Below are summaries of consecutive parts of \"\(title)\". Combine them into one summary"
        text += " in at most \(sentences) sentences, in the same order. Keep names, numbers and dates exactly as written. Do not add anything that is not in the summaries."
        text += appendedInstructions
        for part in parts { text += "\n\n\(part.label):\n\(part.text)" }
        return text
    }

    /// A corpus prompt: merge summaries of several documents.
    public func corpus(parts: [Part], sentences: Int, final: Bool) -> String {
        var text = final
            ? "Below are summaries of \(parts.count) documents. Write one summary of the whole collection"
            : "Below are summaries of \(parts.count) documents of a collection. Combine them into one summary"
        text += " in at most \(sentences) sentences: the main topics, and what each document contributes. Keep names, numbers and dates exactly as written."
        text += appendedInstructions
        for part in parts { text += "\n\n\(part.label):\n\(part.text)" }
        return text
    }

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
