import Common

/// Errors of the engine: model files, tokenizer, generation. Each carries enough context for one clear line.
public enum EngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or mapped.
    case cannotOpen(path: String, reason: String)
    /// Not a GGUF file (wrong magic).
    case notGGUF(path: String)
    /// A GGUF version this reader does not know.
    case unsupportedVersion(path: String, version: UInt32)
    /// The file ends before a structure it announces.
    case truncated(path: String, offset: Int, needed: String)
    /// A structure that is present but cannot be right (lying count, bad offset, overflow, unknown type).
    case malformed(path: String, offset: Int, reason: String)
    /// A tensor whose type we cannot compute with.
    case unsupportedTensorType(path: String, tensor: String, type: UInt32)
    /// A metadata key the model needs is missing or has the wrong type.
    case missingMetadata(path: String, key: String)
    /// A metadata value that is present but out of bounds or inconsistent with the rest of the file.
    case invalidMetadata(path: String, key: String, reason: String)
    /// A tensor the architecture needs is missing or has the wrong shape.
    case missingTensor(path: String, name: String, reason: String)
    /// A model architecture this engine does not implement.
    case unsupportedArchitecture(path: String, architecture: String)
    /// No model file was found by the lookup order.
    case modelNotFound(searched: [String])
    /// The tokenizer metadata is missing, inconsistent or of a kind this engine does not implement.
    case invalidTokenizer(path: String, reason: String)
    /// A prompt or generation needs more positions than the context holds.
    case contextFull(capacity: Int, needed: Int)
    /// Generation was asked for after a prompt of no tokens.
    case emptyPrompt
    /// A token id outside the vocabulary.
    case invalidToken(id: Int32, vocabularySize: Int)

    public var description: String {
        // Names and reasons come from the file's bytes: `shown` keeps them to one short line.
        let s = Self.shown
        return switch self {
        case let .cannotOpen(path, reason): "\(s(path, nil)): cannot open model file: \(reason)"
        case let .notGGUF(path): "\(s(path, nil)): not a GGUF file (bad magic)"
        case let .unsupportedVersion(path, version): "\(s(path, nil)): unsupported GGUF version \(version) (2 and 3 are supported)"
        case let .truncated(path, offset, needed):
            "\(s(path, nil)): truncated GGUF file: \(s(needed, 240)) would go past the end of the file (at byte \(offset))"
        case let .malformed(path, offset, reason): "\(s(path, nil)): malformed GGUF file at byte \(offset): \(s(reason, 240))"
        case let .unsupportedTensorType(path, tensor, type):
            "\(s(path, nil)): tensor '\(s(tensor, 120))' has unsupported type \(GGMLType(rawValue: type).map { "\($0) (\(type))" } ?? "\(type)")"
        case let .missingMetadata(path, key): "\(s(path, nil)): missing or mistyped metadata key '\(s(key, 120))'"
        case let .invalidMetadata(path, key, reason): "\(s(path, nil)): metadata key '\(s(key, 120))' \(s(reason, 240))"
        case let .missingTensor(path, name, reason): "\(s(path, nil)): tensor '\(s(name, 120))' \(s(reason, 240))"
        case let .unsupportedArchitecture(path, architecture):
            "\(s(path, nil)): unsupported model architecture '\(s(architecture, 120))'"
        case let .invalidTokenizer(path, reason): "\(s(path, nil)): tokenizer: \(s(reason, 240))"
        case let .contextFull(capacity, needed): "the context holds \(capacity) tokens, \(needed) are needed"
        case .emptyPrompt: "the prompt is empty: there is nothing to generate after"
        case let .invalidToken(id, vocabularySize): "token id \(id) is outside the vocabulary of \(vocabularySize)"
        case let .modelNotFound(searched): "no model file found (looked in: \(searched.joined(separator: ", "))); run `make model` or pass --model"
        }
    }

    /// `text` on one line: control characters (a newline, an escape sequence) written as Swift escapes, and, when
    /// `limit` is given, a longer text cut to its first and last `limit / 2` characters around "…". A hostile file
    /// names its keys and tensors with whatever bytes it likes.
    static func shown(_ text: String, _ limit: Int?) -> String {
        let scalars = text.unicodeScalars
        var kept: [Substring.UnicodeScalarView] = [scalars[...]]
        // `utf8.count` is O(1) for a native string: the common short text is never walked twice.
        if let limit, text.utf8.count > limit, scalars.count > limit {
            kept = [scalars.prefix(limit / 2), scalars.suffix(limit / 2)]
        }
        var out = ""
        for (i, part) in kept.enumerated() {
            if i > 0 { out += "…" }
            for scalar in part {
                switch scalar.properties.generalCategory {
                case .control, .lineSeparator, .paragraphSeparator:
                    out += scalar.escaped(asASCII: true)
                default:
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

extension EngineError: ClassifiedError {
    /// A model file that cannot be found or read, and a prompt longer than the context, are the user's
    /// configuration; a bad token id is a bug.
    public var failureClass: FailureClass {
        switch self {
        case .invalidToken: .other
        default: .usage
        }
    }
}
