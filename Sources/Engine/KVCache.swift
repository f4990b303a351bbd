import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the KV cache stores keys and values.
public enum KVCacheType: String, Sendable, Codable, CaseIterable {
    /// Halves: llama.cpp's default. Attention is llama.cpp's without flash attention (pk_attention_head).
    case f16
    /// 8-bit blocks of 32 with an f16 scale (34 bytes per 32 values, 53% of f16): llama.cpp's `--cache-type-k q8_0
    /// --cache-type-v q8_0`, with its flash-attention arithmetic (pk_attention_rows_q8_0).
    case q8_0

    /// What a context uses unless told otherwise.
    public static let defaultType = KVCacheType.f16

    var kernelType: pk_type { self == .f16 ? PK_F16 : PK_Q8_0 }

    /// Bytes of one position's keys (or values) of one layer, `width` values.
    public func rowBytes(width: Int) -> Int {
        self == .f16 ? width * 2 : Int(pk_row_bytes(PK_Q8_0, Int64(width)))
    }

    /// Whether a model whose heads are `headDimension` wide can use this type (q8_0 blocks must not straddle
    /// heads).
    public func supports(headDimension: Int) -> Bool {
        self == .f16 || headDimension % 32 == 0
    }
}

/// The keys and values of every layer for up to `capacity` positions, preallocated.
///
/// The memory is an anonymous mapping: zero-filled by the kernel and committed page by page as positions are
/// written, so a context sized for 2048 positions that holds 900 costs the memory of about 900 (a summary's map
/// call rarely fills its window).
///
/// Layout: `[layer][position][kvHeads · headDim]` in `type` (keys after RoPE), each position's row
/// `rowBytes` bytes. SmolLM2 at 2048 positions: 2 × 30 × 2048 × 192 values = 45 MiB in f16, 24 MiB in q8_0.
public final class KVCache {
    public let layerCount: Int
    public let capacity: Int
    /// Values per position of one layer (`kvHeads · headDim`).
    public let width: Int
    public let type: KVCacheType
    /// Bytes between consecutive positions of one layer.
    public let rowBytes: Int
    let keys: UnsafeMutableRawPointer
    let values: UnsafeMutableRawPointer

    /// The mapping that holds keys, then values.
    private let mapping: UnsafeMutableRawPointer
    private let mappedBytes: Int

    init(layerCount: Int, capacity: Int, width: Int, type: KVCacheType) {
        self.layerCount = layerCount
        self.capacity = capacity
        self.width = width
        self.type = type
        rowBytes = type.rowBytes(width: width)
        let half = layerCount * capacity * rowBytes
        mappedBytes = max(1, 2 * half)
        guard let p = mmap(nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              p != MAP_FAILED else {
            fatalError("KV cache: cannot map \(mappedBytes) bytes (errno \(errno))")
        }
        mapping = p
        keys = p
        values = p + half
    }

    deinit {
        munmap(mapping, mappedBytes)
    }

    /// Bytes held by the cache.
    public var byteCount: Int { Self.byteCount(layers: layerCount, positions: capacity, width: width, type: type) }

    /// Bytes of a cache of `positions` positions: keys and values.
    public static func byteCount(layers: Int, positions: Int, width: Int, type: KVCacheType) -> Int {
        2 * layers * positions * type.rowBytes(width: width)
    }

    /// Bytes of the cache now in memory (pages written so far), by `mincore`.
    package var residentBytes: Int {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = (mappedBytes + page - 1) / page
        #if canImport(Glibc)
        var vector = [UInt8](repeating: 0, count: pages)
        #else
        var vector = [CChar](repeating: 0, count: pages)
        #endif
        guard mincore(mapping, mappedBytes, &vector) == 0 else { return mappedBytes }
        return vector.reduce(0) { $0 + Int($1 & 1) } * page
    }

    /// The keys of `layer` at `position` (`rowBytes` bytes).
    @inline(__always) func keys(layer: Int, position: Int) -> UnsafeMutableRawPointer {
        keys + (layer * capacity + position) * rowBytes
    }

    /// The values of `layer` at `position` (`rowBytes` bytes).
    @inline(__always) func values(layer: Int, position: Int) -> UnsafeMutableRawPointer {
        values + (layer * capacity + position) * rowBytes
    }

    /// Stores one position's keys or values (`width` floats) at `destination` in the cache's type.
    @inline(__always) func store(_ row: UnsafePointer<Float>, at destination: UnsafeMutableRawPointer) {
        switch type {
        case .f16: pk_f32_to_f16_row(row, destination.assumingMemoryBound(to: UInt16.self), Int64(width))
        case .q8_0: pk_quantize_activations(PK_Q8_0, row, destination, Int64(width))
        }
    }
}
