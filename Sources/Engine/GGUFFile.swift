/// A GGUF model file: header, metadata and tensor table, read with bounds checks from a read-only mapping.
///
/// Layout (little-endian): magic "GGUF", version u32, tensor count u64, metadata count u64, then the metadata
/// key/value pairs, the tensor infos (name, dims, type, offset), padding to `general.alignment`, and the tensor data.
/// Every count, length and offset is checked against the file size before it is used: a hostile file throws.
public final class GGUFFile: Sendable {
    public let path: String
    public let version: UInt32
    /// Metadata in file order.
    public let metadata: [(key: String, value: GGUFValue)]
    public let tensors: [GGUFTensorInfo]
    /// Byte offset of the tensor data section (aligned).
    public let dataOffset: Int
    public let alignment: Int
    public let file: MappedFile
    private let index: [String: Int]
    private let tensorIndex: [String: Int]

    /// Maps `path` and reads its header, metadata and tensor table.
    public convenience init(path: String) throws(EngineError) {
        try self.init(file: MappedFile(path: path))
    }

    public init(file: MappedFile) throws(EngineError) {
        self.file = file
        self.path = file.path
        var reader = GGUFReader(bytes: file.bytes, path: file.path)
        guard file.bytes.count >= 4 else {
            if file.bytes.count == 0 { throw .malformed(path: path, offset: 0, reason: "empty file") }
            throw .notGGUF(path: path)
        }
        let magic = try reader.u32(what: "magic")
        guard magic == 0x4655_4747 else { throw .notGGUF(path: path) }  // "GGUF"
        version = try reader.u32(what: "version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(path: path, version: version) }
        let tensorCount = try reader.u64(what: "tensor count")
        let kvCount = try reader.u64(what: "metadata count")
        // Each metadata pair takes at least 12 bytes, each tensor info at least 24: lying counts fail here.
        guard kvCount <= UInt64(reader.remaining / 12) else {
            throw .truncated(path: path, offset: reader.offset, needed: "\(kvCount) metadata entries")
        }
        guard tensorCount <= UInt64(reader.remaining / 24) else {
            throw .truncated(path: path, offset: reader.offset, needed: "\(tensorCount) tensor infos")
        }

        var metadata: [(key: String, value: GGUFValue)] = []
        metadata.reserveCapacity(Int(kvCount))
        var index: [String: Int] = [:]
        for _ in 0..<kvCount {
            let keyOffset = reader.offset
            let key = try reader.string(what: "metadata key")
            guard key.utf8.count <= 65535 else {  // the GGUF specification's limit
                throw .malformed(path: path, offset: keyOffset, reason: "metadata key of \(key.utf8.count) bytes (at most 65535)")
            }
            let type = try reader.u32(what: "metadata type of '\(key)'")
            let value = try reader.value(type: type, key: key, depth: 0)
            if index[key] != nil {
                throw .malformed(path: path, offset: keyOffset, reason: "duplicate metadata key '\(key)'")
            }
            index[key] = metadata.count
            metadata.append((key, value))
        }
        self.metadata = metadata
        self.index = index

        var alignment = 32
        if let i = index["general.alignment"] {
            guard let a = metadata[i].value.integer, a > 0, a <= 1 << 20, a & (a - 1) == 0 else {
                throw .malformed(path: path, offset: 0, reason: "general.alignment must be a power of two")
            }
            alignment = a
        }
        self.alignment = alignment

        var tensors: [GGUFTensorInfo] = []
        tensors.reserveCapacity(Int(tensorCount))
        var tensorIndex: [String: Int] = [:]
        for _ in 0..<tensorCount {
            let infoOffset = reader.offset
            let name = try reader.string(what: "tensor name")
            guard name.utf8.count <= 64 else {  // the GGUF specification's limit (ggml's GGML_MAX_NAME)
                throw .malformed(path: path, offset: infoOffset, reason: "tensor name of \(name.utf8.count) bytes (at most 64)")
            }
            let nDims = try reader.u32(what: "dimension count of '\(name)'")
            guard nDims >= 1, nDims <= 4 else {
                throw .malformed(path: path, offset: infoOffset, reason: "tensor '\(name)' has \(nDims) dimensions (1...4)")
            }
            var shape: [Int] = []
            var elements = 1
            for _ in 0..<nDims {
                let d = try reader.u64(what: "dimensions of '\(name)'")
                guard d >= 1, d <= UInt64(Int32.max) else {
                    throw .malformed(path: path, offset: infoOffset, reason: "tensor '\(name)' has dimension \(d)")
                }
                let (product, overflow) = elements.multipliedReportingOverflow(by: Int(d))
                guard !overflow, product <= 1 << 40 else {
                    throw .malformed(path: path, offset: infoOffset, reason: "tensor '\(name)' is too large")
                }
                elements = product
                shape.append(Int(d))
            }
            let rawType = try reader.u32(what: "type of '\(name)'")
            guard let type = GGMLType(rawValue: rawType) else {
                throw .unsupportedTensorType(path: path, tensor: name, type: rawType)
            }
            guard shape[0] % type.blockSize == 0 else {
                throw .malformed(path: path, offset: infoOffset,
                                 reason: "tensor '\(name)' row of \(shape[0]) is not a multiple of the \(type) block")
            }
            let offset = try reader.u64(what: "data offset of '\(name)'")
            guard offset <= UInt64(Int.max / 2), Int(offset) % alignment == 0 else {
                throw .malformed(path: path, offset: infoOffset, reason: "tensor '\(name)' has misaligned offset \(offset)")
            }
            let byteCount = elements / type.blockSize * type.bytesPerBlock
            if tensorIndex[name] != nil {
                throw .malformed(path: path, offset: infoOffset, reason: "duplicate tensor '\(name)'")
            }
            tensorIndex[name] = tensors.count
            tensors.append(GGUFTensorInfo(name: name, shape: shape, type: type, offset: Int(offset), byteCount: byteCount))
        }
        let dataOffset = (reader.offset + alignment - 1) / alignment * alignment
        self.dataOffset = dataOffset
        for tensor in tensors {
            let (end, overflow) = (dataOffset + tensor.offset).addingReportingOverflow(tensor.byteCount)
            guard !overflow, end <= file.bytes.count else {
                throw .truncated(path: path, offset: dataOffset + tensor.offset, needed: "data of tensor '\(tensor.name)'")
            }
        }
        self.tensors = tensors
        self.tensorIndex = tensorIndex
    }

    /// The value of a metadata key.
    public subscript(key: String) -> GGUFValue? {
        index[key].map { metadata[$0].value }
    }

    /// `general.architecture`, e.g. "llama".
    public var architecture: String? { self["general.architecture"]?.string }

    public func tensor(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// The bytes of a tensor, inside the mapping (valid while this file is alive).
    public func data(of tensor: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: file.bytes[(dataOffset + tensor.offset)..<(dataOffset + tensor.offset + tensor.byteCount)])
    }
}

/// One entry of the tensor table.
public struct GGUFTensorInfo: Sendable, Equatable {
    public let name: String
    /// ggml order: `shape[0]` is the row length (contiguous), `shape[1]` the number of rows.
    public let shape: [Int]
    public let type: GGMLType
    /// Offset from the start of the data section.
    public let offset: Int
    public let byteCount: Int
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A metadata value.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    case array([GGUFValue])

    public var string: String? { if case let .string(s) = self { s } else { nil } }

    /// Any integer type as `Int`, when it fits.
    public var integer: Int? {
        switch self {
        case let .uint8(v): Int(v)
        case let .int8(v): Int(v)
        case let .uint16(v): Int(v)
        case let .int16(v): Int(v)
        case let .uint32(v): Int(v)
        case let .int32(v): Int(v)
        case let .uint64(v): Int(exactly: v)
        case let .int64(v): Int(v)
        default: nil
        }
    }

    /// Any numeric type as `Double`.
    public var number: Double? {
        switch self {
        case let .float32(v): Double(v)
        case let .float64(v): v
        default: integer.map(Double.init)
        }
    }

    public var bool: Bool? { if case let .bool(b) = self { b } else { nil } }
    public var array: [GGUFValue]? { if case let .array(a) = self { a } else { nil } }
}

/// A bounds-checked cursor over the file's bytes.
struct GGUFReader {
    let bytes: UnsafeRawBufferPointer
    let path: String
    var offset = 0
    var remaining: Int { bytes.count - offset }

    private mutating func take(_ n: Int, what: @autoclosure () -> String) throws(EngineError) -> Int {
        guard n >= 0, n <= remaining else { throw .truncated(path: path, offset: offset, needed: what()) }
        let start = offset
        offset += n
        return start
    }

    mutating func load<T: FixedWidthInteger>(_: T.Type, what: @autoclosure () -> String) throws(EngineError) -> T {
        let at = try take(MemoryLayout<T>.size, what: what())
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: T.self))
    }

    mutating func u32(what: @autoclosure () -> String) throws(EngineError) -> UInt32 { try load(UInt32.self, what: what()) }
    mutating func u64(what: @autoclosure () -> String) throws(EngineError) -> UInt64 { try load(UInt64.self, what: what()) }

    mutating func string(what: @autoclosure () -> String) throws(EngineError) -> String {
        let length = try u64(what: what())
        guard length <= UInt64(remaining) else { throw .truncated(path: path, offset: offset, needed: what()) }
        let at = try take(Int(length), what: what())
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + Int(length))]), as: UTF8.self)
    }

    mutating func value(type: UInt32, key: String, depth: Int) throws(EngineError) -> GGUFValue {
        switch type {
        case 0: return .uint8(try load(UInt8.self, what: "value of '\(key)'"))
        case 1: return .int8(try load(Int8.self, what: "value of '\(key)'"))
        case 2: return .uint16(try load(UInt16.self, what: "value of '\(key)'"))
        case 3: return .int16(try load(Int16.self, what: "value of '\(key)'"))
        case 4: return .uint32(try load(UInt32.self, what: "value of '\(key)'"))
        case 5: return .int32(try load(Int32.self, what: "value of '\(key)'"))
        case 6: return .float32(Float(bitPattern: try load(UInt32.self, what: "value of '\(key)'")))
        case 7:
            let b = try load(UInt8.self, what: "value of '\(key)'")
            guard b <= 1 else { throw .malformed(path: path, offset: offset - 1, reason: "bool '\(key)' is \(b)") }
            return .bool(b == 1)
        case 8: return .string(try string(what: "string '\(key)'"))
        case 9:
            guard depth < 3 else { throw .malformed(path: path, offset: offset, reason: "arrays nested too deep in '\(key)'") }
            let elementType = try u32(what: "array type of '\(key)'")
            let count = try u64(what: "array length of '\(key)'")
            let minimum: Int = switch elementType {
            case 0, 1, 7: 1
            case 2, 3: 2
            case 4, 5, 6: 4
            case 8, 10, 11, 12: 8
            case 9: 12
            default: throw .malformed(path: path, offset: offset, reason: "unknown array element type \(elementType) in '\(key)'")
            }
            guard count <= UInt64(remaining / minimum) else {
                throw .malformed(path: path, offset: offset, reason: "array '\(key)' claims \(count) elements, more than the file holds")
            }
            var elements: [GGUFValue] = []
            elements.reserveCapacity(Int(count))
            for _ in 0..<count { elements.append(try value(type: elementType, key: key, depth: depth + 1)) }
            return .array(elements)
        case 10: return .uint64(try load(UInt64.self, what: "value of '\(key)'"))
        case 11: return .int64(try load(Int64.self, what: "value of '\(key)'"))
        case 12: return .float64(Double(bitPattern: try load(UInt64.self, what: "value of '\(key)'")))
        default: throw .malformed(path: path, offset: offset - 4, reason: "unknown value type \(type) for '\(key)'")
        }
    }
}
