/// One turn of a conversation.
public struct ChatMessage: Sendable, Equatable, Codable {
    /// `system`, `user` or `assistant`.
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: "system", content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: "user", content: content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: "assistant", content: content) }
}

/// The model's chat format, recognised from `tokenizer.chat_template` (a Jinja template we do not execute).
///
/// Three forms are known by their markers: ChatML (`<|im_start|>`, SmolLM2, Qwen2), Llama 3 (`<|start_header_id|>`)
/// and Gemma (`<start_of_turn>`). They render as llama.cpp's built-in templates do; for ChatML, a default system
/// message written in the template (SmolLM2's "You are a helpful AI assistant named SmolLM…") is kept, as the
/// template itself would render it. Anything else falls back to a plain prompt, with one `warning`.
///
/// The rendered text holds special-token text (`<|im_start|>`): encode it with `parseSpecial: true`, and with
/// `addSpecial: true` so BOS comes from the tokenizer, not from the template.
public struct ChatTemplate: Sendable {
    public enum Form: Sendable, Equatable {
        case chatML(defaultSystem: String?)
        case llama3
        case gemma
        case plain
    }

    public let form: Form
    /// Set when the template is missing or not recognised (the prompt then goes as plain text).
    public let warning: String?

    public init(source: String?) {
        guard let source, !source.isEmpty else {
            form = .plain
            warning = "the model has no chat template; the prompt is sent as plain text"
            return
        }
        if source.contains("<|im_start|>") {
            form = .chatML(defaultSystem: Self.defaultChatMLSystem(in: source))
            warning = nil
        } else if source.contains("<|start_header_id|>") {
            form = .llama3
            warning = nil
        } else if source.contains("<start_of_turn>") {
            form = .gemma
            warning = nil
        } else {
            form = .plain
            warning = "the model's chat template is not one we know (ChatML, Llama 3, Gemma); the prompt is sent as plain text"
        }
    }

    /// The chat template of the tokenizer's model file.
    public init(tokenizer: Tokenizer) {
        self.init(source: tokenizer.chatTemplate)
    }

    /// The prompt text of a conversation; `addGenerationPrompt` opens the assistant's turn.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        var out = ""
        switch form {
        case let .chatML(defaultSystem):
            if let defaultSystem, messages.first?.role != "system" {
                out += "<|im_start|>system\n\(defaultSystem)<|im_end|>\n"
            }
            for m in messages {
                out += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n"
            }
            if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        case .llama3:
            for m in messages {
                out += "<|start_header_id|>\(m.role)<|end_header_id|>\n\n\(Self.trim(m.content))<|eot_id|>"
            }
            if addGenerationPrompt { out += "<|start_header_id|>assistant<|end_header_id|>\n\n" }
        case .gemma:
            // Gemma has no system turn: the system text opens the next user turn.
            var system = ""
            for m in messages {
                if m.role == "system" {
                    system += Self.trim(m.content)
                    continue
                }
                let role = m.role == "assistant" ? "model" : m.role
                out += "<start_of_turn>\(role)\n"
                if !system.isEmpty && role != "model" {
                    out += system + "\n\n"
                    system = ""
                }
                out += Self.trim(m.content) + "<end_of_turn>\n"
            }
            if addGenerationPrompt { out += "<start_of_turn>model\n" }
        case .plain:
            out = messages.map(\.content).joined(separator: "\n\n")
        }
        return out
    }

    /// Whitespace off both ends, as Jinja's `trim`.
    static func trim(_ s: String) -> String {
        var scalars = Substring(s).unicodeScalars[...]
        while let f = scalars.first, f.properties.isWhitespace { scalars.removeFirst() }
        while let l = scalars.last, l.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }

    /// A whole system turn written as one string literal in the template, e.g.
    /// `{{ '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n' }}` (the newlines escaped or not): its text.
    static func defaultChatMLSystem(in source: String) -> String? {
        let open = "<|im_start|>system"
        let close = "<|im_end|>"
        var rest = Substring(source)
        while let start = rest.range(of: open) {
            // The literal's quote is the character just before the marker.
            guard start.lowerBound > rest.startIndex else { rest = rest[start.upperBound...]; continue }
            let quote = rest[rest.index(before: start.lowerBound)]
            guard quote == "'" || quote == "\"" else { rest = rest[start.upperBound...]; continue }
            // Read the literal to its closing quote.
            var literal = ""
            var i = start.lowerBound
            var closed = false
            while i < rest.endIndex {
                let c = rest[i]
                if c == "\\" {
                    let next = rest.index(after: i)
                    guard next < rest.endIndex else { break }
                    switch rest[next] {
                    case "n": literal.append("\n")
                    case "t": literal.append("\t")
                    default: literal.append(rest[next])
                    }
                    i = rest.index(after: next)
                    continue
                }
                if c == quote { closed = true; break }
                literal.append(c)
                i = rest.index(after: i)
            }
            let head = open + "\n"
            if closed, literal.hasPrefix(head), let end = literal.range(of: close),
               literal[end.upperBound...].allSatisfy({ $0 == "\n" }) {
                let text = String(literal[literal.index(literal.startIndex, offsetBy: head.count)..<end.lowerBound])
                if !text.isEmpty { return text }
            }
            rest = rest[start.upperBound...]
        }
        return nil
    }
}
