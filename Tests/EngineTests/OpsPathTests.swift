import CKernels
import Engine
import Testing
import TestSupport

/// The float ops that have SIMD versions (ops_avx2.c: a row converted to f16, SwiGLU with ggml's vectorized
/// exponential, f16 attention with its softmax) give the scalar reference's bits (ops.c) on every SIMD path this
/// CPU runs, on seeded random inputs of several shapes. RMSNorm and RoPE have only the reference.
///
/// Bits are compared exactly, except that two NaNs are equal whatever their payloads (F16C keeps part of a NaN's
/// payload, the reference converts every NaN to the same quiet one; no payload means anything here).
@Suite("Float ops: every SIMD path against the scalar reference")
struct OpsPathTests {
    static let simdPaths = KernelPath.available.filter { $0.name != "scalar" }.map(\.name)
    let reference = pk_kernels_named("scalar")

    static func same(_ a: Float, _ b: Float) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }
    static func same(_ a: UInt16, _ b: UInt16) -> Bool {
        a == b || (Float16(bitPattern: a).isNaN && Float16(bitPattern: b).isNaN)
    }

    /// A float of random magnitude (2^-30 to 2^18: half subnormals, underflow to zero and overflow to infinity
    /// included), a value halfway between two neighbouring halves (ties to even), or random bits.
    static func convertible(_ i: Int, _ rng: inout SplitMix64) -> Float {
        switch i % 3 {
        case 0:
            let sign: Float = Bool.random(using: &rng) ? 1 : -1
            return sign * Float.random(in: 1..<2, using: &rng) * Float(sign: .plus, exponent: Int.random(in: -30...18, using: &rng), significand: 1)
        case 1:
            let h = Float16(bitPattern: UInt16.random(in: 0..<0x7bff, using: &rng))  // finite, below the largest
            return (Float(h) + Float(h.nextUp)) / 2
        default:
            return Float(bitPattern: UInt32.random(in: .min ... .max, using: &rng))
        }
    }

    static let specials: [Float] = [
        0, -0, 1, -1, .infinity, -.infinity, .nan, 65504, -65504, 65519.996, 65520, 0x1p-24, 0x1p-25, 0x1.8p-24,
        0x1p-14, 0x1.ffcp-15, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
    ]

    @Test("a row converted to f16", arguments: simdPaths, [1, 7, 8, 9, 64, 577, 1536])
    func toF16(path: String, count: Int) {
        let simd = pk_kernels_named(path)
        var rng = SplitMix64(seed: 16 &+ UInt64(count))
        var x = (0..<count).map { Self.convertible($0, &rng) }
        for (i, s) in Self.specials.enumerated() where i * 7 < count { x[i * 7] = s }
        var expected = [UInt16](repeating: 0, count: count), got = [UInt16](repeating: 0xffff, count: count)
        pk_f32_to_f16_row_with(reference, x, &expected, Int64(count))
        pk_f32_to_f16_row_with(simd, x, &got, Int64(count))
        let differing = (0..<count).filter { !Self.same(expected[$0], got[$0]) }
        #expect(differing.isEmpty, "\(path), \(count) values: \(differing.prefix(5).map { (x[$0], expected[$0], got[$0]) })")
    }

    /// Gates in the range of real activations, and beyond ±87 and ±133 where e^(−g) leaves the normal range and
    /// the exponential takes its two-factor and saturated branches.
    @Test("SwiGLU: silu(gate) · up", arguments: simdPaths, [1, 7, 8, 9, 33, 576, 3072])
    func swiglu(path: String, count: Int) {
        let simd = pk_kernels_named(path)
        var rng = SplitMix64(seed: 700 &+ UInt64(count))
        var gate = (0..<count).map { i -> Float in
            i % 4 == 3 ? Float.random(in: -200...200, using: &rng) : Float.random(in: -12...12, using: &rng)
        }
        let edges: [Float] = [0, -0, .infinity, -.infinity, .nan, 87.3, -87.3, 88.8, -88.8, 103.9, -103.9, 133.1,
                              -133.1, 134, -134, .greatestFiniteMagnitude, -.leastNonzeroMagnitude]
        for (i, e) in edges.enumerated() where i * 5 < count { gate[i * 5] = e }
        let up = (0..<count).map { _ in Float.random(in: -4...4, using: &rng) }
        var expected = [Float](repeating: 0, count: count), got = [Float](repeating: .nan, count: count)
        pk_swiglu_with(reference, gate, up, &expected, Int64(count))
        pk_swiglu_with(simd, gate, up, &got, Int64(count))
        let differing = (0..<count).filter { !Self.same(expected[$0], got[$0]) }
        #expect(differing.isEmpty, "\(path), \(count) values: \(differing.prefix(5).map { (gate[$0], expected[$0], got[$0]) })")
    }

    /// (head dimension, positions): the model's 64 over one position, a partial group of 8 and a long row; head
    /// sizes 16 to 256 with and without ggml_vec_dot_f16's leftovers past a multiple of 32; 12 and 264, which the
    /// AVX2 kernel hands to the reference.
    static let attentionShapes: [(Int, Int)] = [
        (64, 1), (64, 9), (64, 100), (64, 515), (32, 33), (128, 64), (40, 17), (16, 8), (256, 70), (48, 31),
        (12, 20), (264, 5),
    ]

    /// Flat scores, and peaked ones (queries ×20) where most softmax weights round to 0 in f16, which the AVX2
    /// kernel skips. The query attends to the middle of three KV heads side by side, as in a cache row.
    @Test("f16 attention of one head, softmax included",
          arguments: simdPaths, attentionShapes.indices)
    func attentionHead(path: String, shape: Int) {
        let simd = pk_kernels_named(path)
        let (hd, positions) = Self.attentionShapes[shape]
        var rng = SplitMix64(seed: 3000 &+ UInt64(shape))
        let stride = 3 * hd
        let keys = (0..<(positions * stride)).map { _ in pk_f32_to_f16(Float.random(in: -3...3, using: &rng)) }
        let values = (0..<(positions * stride)).map { _ in pk_f32_to_f16(Float.random(in: -3...3, using: &rng)) }
        let query = (0..<hd).map { _ in Float.random(in: -3...3, using: &rng) }
        let scale = 1 / Float(hd).squareRoot()
        func run(_ kernels: OpaquePointer?, _ q: [Float], _ order: Int32) -> [Float] {
            var out = [Float](repeating: .nan, count: hd)
            var scores = [Float](repeating: .nan, count: positions)
            var q16 = [UInt16](repeating: 0x7e00, count: hd)
            keys.withUnsafeBufferPointer { k in
                values.withUnsafeBufferPointer { v in
                    pk_attention_head_with(kernels, &out, q, k.baseAddress! + hd, v.baseAddress! + hd, stride,
                                           Int64(positions), Int64(hd), scale, Int32(order), &scores, &q16)
                }
            }
            return out
        }
        for order in [Int32(PK_ORDER_DOT), Int32(PK_ORDER_GEMM)] {
            for peak: Float in [1, 20] {
                let q = query.map { $0 * peak }
                let expected = run(reference, q, order), got = run(simd, q, order)
                let differing = (0..<hd).filter { !Self.same(expected[$0], got[$0]) }
                #expect(!expected.contains { $0.isNaN })
                #expect(differing.isEmpty,
                        "\(path), head \(hd), \(positions) positions, order \(order), queries ×\(peak): dimensions \(differing.prefix(8))")
            }
        }
    }
}
