#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The keys and values of every layer for up to `capacity` positions, preallocated, in f16.
///
/// The memory is an anonymous mapping: zero-filled by the kernel and committed page by page as positions are
/// written, so a context sized for 2048 positions that holds 900 costs the memory of about 900 (a summary's map
/// call rarely fills its window).
///
/// Layout: `[layer][position][kvHeads · headDim]` halves, keys after RoPE. f16 rather than f32: it halves the
/// memory and the bytes attention reads per token (SmolLM2 at 2048 positions: 2 × 30 × 2048 × 192 × 2 bytes =
/// 47 MB instead of 94 MB), and it is what llama.cpp stores by default, so our attention rounds where its does
/// (part of being token-exact with it).
public final class KVCache {
    public let layerCount: Int
    public let capacity: Int
    /// Halves per position of one layer (`kvHeads · headDim`).
    public let width: Int
    let keys: UnsafeMutablePointer<UInt16>
    let values: UnsafeMutablePointer<UInt16>

    /// The mapping that holds keys, then values.
    private let mapping: UnsafeMutableRawPointer
    private let mappedBytes: Int

    init(layerCount: Int, capacity: Int, width: Int) {
        self.layerCount = layerCount
        self.capacity = capacity
        self.width = width
        let count = layerCount * capacity * width
        mappedBytes = max(1, Self.byteCount(layers: layerCount, positions: capacity, width: width))
        guard let p = mmap(nil, mappedBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              p != MAP_FAILED else {
            fatalError("KV cache: cannot map \(mappedBytes) bytes (errno \(errno))")
        }
        mapping = p
        keys = p.bindMemory(to: UInt16.self, capacity: 2 * count)
        values = keys + count
    }

    deinit {
        munmap(mapping, mappedBytes)
    }

    /// Bytes held by the cache.
    public var byteCount: Int { Self.byteCount(layers: layerCount, positions: capacity, width: width) }

    /// Bytes of a cache of `positions` positions: keys and values, f16.
    public static func byteCount(layers: Int, positions: Int, width: Int) -> Int {
        2 * layers * positions * width * MemoryLayout<UInt16>.size
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

    /// The keys of `layer` at `position` (`width` halves).
    @inline(__always) func keys(layer: Int, position: Int) -> UnsafeMutablePointer<UInt16> {
        keys + (layer * capacity + position) * width
    }

    /// The values of `layer` at `position` (`width` halves).
    @inline(__always) func values(layer: Int, position: Int) -> UnsafeMutablePointer<UInt16> {
        values + (layer * capacity + position) * width
    }
}
