import Foundation

/// Writes small synthetic GGUF files for tests: metadata of every type and tensors with given bytes.
public struct GGUFBuilder {
    public enum Value {
        case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
        case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
        case array(elementType: UInt32, [Value])

        var typeCode: UInt32 {
            switch self {
            case .uint8: 0
            case .int8: 1
            case .uint16: 2
            case .int16: 3
            case .uint32: 4
            case .int32: 5
            case .float32: 6
            case .bool: 7
            case .string: 8
            case .array: 9
            case .uint64: 10
            case .int64: 11
            case .float64: 12
            }
        }
    }

    public struct Tensor {
        public var name: String
        public var shape: [UInt64]
        public var type: UInt32
        public var data: [UInt8]
        public init(name: String, shape: [UInt64], type: UInt32, data: [UInt8]) {
            self.name = name
            self.shape = shape
            self.type = type
            self.data = data
        }
    }

    public var version: UInt32 = 3
    public var alignment = 32
    public var metadata: [(String, Value)] = []
    public var tensors: [Tensor] = []

    public init() {}

    /// The file's bytes.
    public func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func putString(_ s: String) {
            put(UInt64(s.utf8.count))
            out.append(contentsOf: s.utf8)
        }
        func putValue(_ v: Value) {
            switch v {
            case let .uint8(x): put(x)
            case let .int8(x): put(x)
            case let .uint16(x): put(x)
            case let .int16(x): put(x)
            case let .uint32(x): put(x)
            case let .int32(x): put(x)
            case let .uint64(x): put(x)
            case let .int64(x): put(x)
            case let .float32(x): put(x.bitPattern)
            case let .float64(x): put(x.bitPattern)
            case let .bool(x): put(UInt8(x ? 1 : 0))
            case let .string(x): putString(x)
            case let .array(elementType, xs):
                put(elementType)
                put(UInt64(xs.count))
                xs.forEach(putValue)
            }
        }
        out.append(contentsOf: Array("GGUF".utf8))
        put(version)
        put(UInt64(tensors.count))
        put(UInt64(metadata.count))
        for (key, value) in metadata {
            putString(key)
            put(value.typeCode)
            putValue(value)
        }
        var offset = 0
        var offsets: [Int] = []
        for t in tensors {
            offsets.append(offset)
            offset += (t.data.count + alignment - 1) / alignment * alignment
        }
        for (t, o) in zip(tensors, offsets) {
            putString(t.name)
            put(UInt32(t.shape.count))
            t.shape.forEach { put($0) }
            put(t.type)
            put(UInt64(o))
        }
        while out.count % alignment != 0 { out.append(0) }
        for t in tensors {
            out.append(contentsOf: t.data)
            while out.count % alignment != 0 { out.append(0) }
        }
        return out
    }

    /// Writes the file and returns its path.
    @discardableResult
    public func write(to url: URL) throws -> URL {
        try Data(bytes()).write(to: url)
        return url
    }
}
