import CKernels
import Engine
import Foundation
import Testing
import TestSupport

/// Batched prefill attention (`pk_attention_rows`) gives the same bits as one head of one row at a time
/// (`pk_attention_head` in the prompt order): on random queries and caches of several shapes, and on the bundled
/// model's logits over a prompt.
@Suite struct AttentionTests {
    /// (rows, heads sharing a KV head, positions the first row sees, head dimension): blocks smaller and larger
    /// than the 64-position key blocks, the odd head size that takes the one-head fallback.
    static let shapes: [(Int, Int, Int, Int)] = [
        (1, 1, 1, 64), (8, 3, 1, 64), (8, 3, 57, 64), (5, 2, 130, 64), (16, 3, 200, 128), (3, 1, 70, 40),
        (8, 3, 64, 32),
    ]

    @Test(arguments: shapes.indices)
    func rowsMatchOneHeadAtATime(shape: Int) {
        let (rows, heads, firstKV, hd) = Self.shapes[shape]
        var rng = SplitMix64(seed: UInt64(shape + 1))
        func random() -> Float { Float(Double(rng.next() % 2_000_001) / 1_000_000 - 1) * 3 }
        let kvHeads = 2, kvStride = kvHeads * hd, kvHead = 1
        let positions = firstKV + rows - 1
        let keys = (0..<(positions * kvStride)).map { _ in pk_f32_to_f16(random()) }
        let values = (0..<(positions * kvStride)).map { _ in pk_f32_to_f16(random()) }
        let qStride = heads * hd + 8  // rows padded, as with other heads beside them
        let q = (0..<(rows * qStride)).map { _ in random() }
        let scale = 1 / Float(hd).squareRoot()

        var batched = [Float](repeating: .nan, count: rows * qStride)
        var scratch = [Float](repeating: 0, count: pk_attention_rows_scratch(Int64(rows * heads), Int64(positions), Int64(hd)))
        keys.withUnsafeBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                pk_attention_rows(&batched, q, qStride, k.baseAddress! + kvHead * hd, v.baseAddress! + kvHead * hd,
                                  kvStride, Int64(rows), Int64(heads), Int64(firstKV), Int64(hd), scale,
                                  Int32(PK_ORDER_GEMM), &scratch)
            }
        }
        var mismatches = 0
        for r in 0..<rows {
            for h in 0..<heads {
                var one = [Float](repeating: 0, count: hd)
                var scores = [Float](repeating: 0, count: positions)
                var halves = [UInt16](repeating: 0, count: hd)
                keys.withUnsafeBufferPointer { k in
                    values.withUnsafeBufferPointer { v in
                        q.withUnsafeBufferPointer { qp in
                            pk_attention_head(&one, qp.baseAddress! + r * qStride + h * hd, k.baseAddress! + kvHead * hd,
                                              v.baseAddress! + kvHead * hd, kvStride, Int64(firstKV + r), Int64(hd),
                                              scale, Int32(PK_ORDER_GEMM), &scores, &halves)
                        }
                    }
                }
                let got = Array(batched[(r * qStride + h * hd)..<(r * qStride + h * hd + hd)])
                if got.map(\.bitPattern) != one.map(\.bitPattern) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0, "shape \(Self.shapes[shape]) on \(String(cString: pk_ops_path()))")
    }

    /// The model's logits at every position of a 100-token prompt (batches of 32, so later batches attend to
    /// earlier ones) are the same bits with batched attention and with one head at a time.
    @Test func modelLogitsAreTheSameBits() throws {
        let path = Fixtures.modelPath
        try #require(FileManager.default.fileExists(atPath: path), "the bundled model is missing: run `make model`")
        let model = try Model(path: path)
        let prompt: [Int32] = (1...100).map { Int32($0 * 389 % 49152) }
        func logits(batched: Bool) throws -> [[UInt32]] {
            let context = InferenceContext(model: model, contextLength: 128, threads: 2, batchSize: 32)
            context.batchedAttention = batched
            var all: [[UInt32]] = []
            try prompt.withUnsafeBufferPointer { tokens in
                try context.evaluate(tokens) { _, l in all.append(l.map(\.bitPattern)) }
            }
            return all
        }
        let batched = try logits(batched: true), single = try logits(batched: false)
        #expect(batched.count == prompt.count)
        let differing = zip(batched, single).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        #expect(differing.isEmpty, "positions with different logits: \(differing.prefix(10))")
    }
}
