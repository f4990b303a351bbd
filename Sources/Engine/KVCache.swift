/// The keys and values of every layer for up to `capacity` positions, preallocated, in f16.
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

    init(layerCount: Int, capacity: Int, width: Int) {
        self.layerCount = layerCount
        self.capacity = capacity
        self.width = width
        let count = layerCount * capacity * width
        keys = .allocate(capacity: count)
        values = .allocate(capacity: count)
        keys.initialize(repeating: 0, count: count)
        values.initialize(repeating: 0, count: count)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
    }

    /// Bytes held by the cache.
    public var byteCount: Int { 2 * layerCount * capacity * width * MemoryLayout<UInt16>.size }

    /// The keys of `layer` at `position` (`width` halves).
    @inline(__always) func keys(layer: Int, position: Int) -> UnsafeMutablePointer<UInt16> {
        keys + (layer * capacity + position) * width
    }

    /// The values of `layer` at `position` (`width` halves).
    @inline(__always) func values(layer: Int, position: Int) -> UnsafeMutablePointer<UInt16> {
        values + (layer * capacity + position) * width
    }
}
