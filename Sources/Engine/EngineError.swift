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
        switch self {
        case let .cannotOpen(path, reason): "\(path): cannot open model file: \(reason)"
        case let .notGGUF(path): "\(path): not a GGUF file (bad magic)"
        case let .unsupportedVersion(path, version): "\(path): unsupported GGUF version \(version) (2 and 3 are supported)"
        case let .truncated(path, offset, needed): "\(path): truncated GGUF file: \(needed) would go past the end of the file (at byte \(offset))"
        case let .malformed(path, offset, reason): "\(path): malformed GGUF file at byte \(offset): \(reason)"
        case let .unsupportedTensorType(path, tensor, type):
            "\(path): tensor '\(tensor)' has unsupported type \(GGMLType(rawValue: type).map { "\($0) (\(type))" } ?? "\(type)")"
        case let .missingMetadata(path, key): "\(path): missing or mistyped metadata key '\(key)'"
        case let .invalidMetadata(path, key, reason): "\(path): metadata key '\(key)' \(reason)"
        case let .missingTensor(path, name, reason): "\(path): tensor '\(name)' \(reason)"
        case let .unsupportedArchitecture(path, architecture): "\(path): unsupported model architecture '\(architecture)'"
        case let .invalidTokenizer(path, reason): "\(path): tokenizer: \(reason)"
        case let .contextFull(capacity, needed): "the context holds \(capacity) tokens, \(needed) are needed"
        case .emptyPrompt: "the prompt is empty: there is nothing to generate after"
        case let .invalidToken(id, vocabularySize): "token id \(id) is outside the vocabulary of \(vocabularySize)"
        case let .modelNotFound(searched): "no model file found (looked in: \(searched.joined(separator: ", "))); run `make model` or pass --model"
        }
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
