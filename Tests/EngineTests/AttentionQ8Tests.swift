import CKernels
import Engine
import Foundation
import Testing
import TestSupport

/// Attention over a q8_0 KV cache (`pk_attention_rows_q8_0`): every SIMD path's fused kernel gives the reference's
/// bits, and the reference computes softmax attention over the quantized keys and values (the golden test holds
/// the whole model to llama.cpp's q8_0 flash attention).
@Suite struct AttentionQ8Tests {
    /// (rows, heads sharing a KV head, positions the first row sees, head dimension): decode's one head, SmolLM2's
    /// 8 rows × group of 3, more queries than the kernel takes at once (32), head sizes 32 to 128.
    static let shapes: [(Int, Int, Int, Int)] = [
        (1, 1, 1, 64), (1, 1, 300, 64), (8, 3, 1, 64), (8, 3, 57, 64), (5, 2, 130, 128), (4, 20, 33, 32),
        (3, 4, 70, 96), (16, 3, 5, 64),
    ]

    struct Case {
        let rows, heads, firstKV, hd: Int
        let kvStride: Int  // bytes between positions: two KV heads side by side
        let headOffset: Int  // bytes to the second KV head, the one attended to
        let keys: [UInt8], values: [UInt8]
        let q: [Float]
        let qStride: Int
        var positions: Int { firstKV + rows - 1 }
        var scale: Float { 1 / Float(hd).squareRoot() }

        init(_ shape: (Int, Int, Int, Int), seed: UInt64) {
            let (rows, heads, firstKV, hd) = shape
            var rng = SplitMix64(seed: seed)
            let headBytes = Int(pk_row_bytes(PK_Q8_0, Int64(hd)))
            let positions = firstKV + rows - 1
            func random() -> Float { Float(Double(rng.next() % 2_000_001) / 1_000_000 - 1) * 3 }
            func cache() -> [UInt8] {
                let floats = (0..<(positions * 2 * hd)).map { _ in random() }
                var bytes = [UInt8](repeating: 0, count: positions * 2 * headBytes)
                pk_quantize_activations(PK_Q8_0, floats, &bytes, Int64(floats.count))
                return bytes
            }
            let keys = cache(), values = cache()
            let qStride = heads * hd + 8  // rows padded, as with other heads beside them
            let q = (0..<(rows * qStride)).map { _ in random() }
            self.rows = rows
            self.heads = heads
            self.firstKV = firstKV
            self.hd = hd
            kvStride = 2 * headBytes
            headOffset = headBytes
            self.keys = keys
            self.values = values
            self.qStride = qStride
            self.q = q
        }

        func run(_ kernels: OpaquePointer?) -> [Float] {
            var out = [Float](repeating: .nan, count: rows * qStride)
            var scratch = [UInt8](repeating: 0, count: pk_attention_q8_0_scratch(Int64(rows * heads), Int64(hd)))
            keys.withUnsafeBytes { k in
                values.withUnsafeBytes { v in
                    pk_attention_rows_q8_0_with(kernels, &out, q, qStride, k.baseAddress! + headOffset,
                                                v.baseAddress! + headOffset, kvStride, Int64(rows), Int64(heads),
                                                Int64(firstKV), Int64(hd), scale, &scratch)
                }
            }
            return out
        }
    }

    @Test(arguments: shapes.indices)
    func fusedKernelMatchesTheReference(shape: Int) throws {
        let c = Case(Self.shapes[shape], seed: UInt64(shape + 1))
        let reference = c.run(nil)
        var compared = 0
        for name in ["avx2", "avx512", "neon"] {
            guard let kernels = pk_kernels_named(name) else { continue }
            let fused = c.run(kernels)
            var mismatches = 0
            for r in 0..<c.rows {
                for i in 0..<(c.heads * c.hd) where fused[r * c.qStride + i].bitPattern != reference[r * c.qStride + i].bitPattern {
                    mismatches += 1
                }
            }
            #expect(mismatches == 0, "\(name), shape \(Self.shapes[shape]): \(mismatches) values differ")
            compared += 1
        }
        print("q8_0 attention, shape \(Self.shapes[shape]): \(compared) SIMD paths against the reference")
    }

    /// The reference is attention: softmax(scale · q·k) · v over the dequantized cache, with the query quantized
    /// to q8_0 as llama.cpp does, computed here in double.
    @Test(arguments: shapes.indices)
    func referenceIsSoftmaxAttention(shape: Int) throws {
        let c = Case(Self.shapes[shape], seed: UInt64(shape + 101))
        let got = c.run(nil)
        let headBytes = Int(pk_row_bytes(PK_Q8_0, Int64(c.hd)))
        func dequantized(_ cache: [UInt8], _ j: Int) -> [Float] {
            var row = [Float](repeating: 0, count: c.hd)
            cache.withUnsafeBytes { pk_dequantize_row(PK_Q8_0, $0.baseAddress! + j * c.kvStride + c.headOffset, &row, Int64(c.hd)) }
            return row
        }
        let keys = (0..<c.positions).map { dequantized(c.keys, $0) }
        let values = (0..<c.positions).map { dequantized(c.values, $0) }
        var worst = 0.0
        for r in 0..<c.rows {
            for h in 0..<c.heads {
                let at = r * c.qStride + h * c.hd
                var q8 = [UInt8](repeating: 0, count: headBytes)
                var query = [Float](repeating: 0, count: c.hd)
                pk_quantize_activations(PK_Q8_0, Array(c.q[at..<(at + c.hd)]), &q8, Int64(c.hd))
                pk_dequantize_row(PK_Q8_0, q8, &query, Int64(c.hd))
                let n = c.firstKV + r
                let scores = (0..<n).map { j in Double(c.scale) * zip(query, keys[j]).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
                let top = scores.max()!
                let weights = scores.map { exp($0 - top) }
                let total = weights.reduce(0, +)
                for d in 0..<c.hd {
                    let exact = (0..<n).reduce(0.0) { $0 + weights[$1] * Double(values[$1][d]) } / total
                    worst = max(worst, abs(Double(got[at + d]) - exact))
                }
            }
        }
        // Values are within ±3: float rounding over a few hundred terms stays far below 1e-4.
        #expect(worst < 1e-4, "shape \(Self.shapes[shape]): off by \(worst)")
    }
}
