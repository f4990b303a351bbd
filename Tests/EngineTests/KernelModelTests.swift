import Engine
import Foundation
import Testing
import TestSupport

/// The kernels on the bundled model's real weights (SmolLM2-135M: Q4_1 projections, Q8_0 embeddings), used in
/// place from the mapped file as the engine uses them: every SIMD path against the scalar reference, and the
/// reference against the float dot of the dequantized rows.
@Suite("Quantized kernels on the bundled model's weights")
struct KernelModelTests {
    /// (tensor, rows used): the attention and FFN projections of layer 0 and the first rows of the embeddings.
    static let tensors: [(String, Int)] = [
        ("blk.0.attn_q.weight", 576), ("blk.0.attn_k.weight", 192), ("blk.0.ffn_down.weight", 576),
        ("blk.29.ffn_up.weight", 1536), ("token_embd.weight", 512),
    ]

    @Test("every path matches the reference on real weights", arguments: tensors.map(\.0))
    func realWeights(name: String) throws {
        let path = Fixtures.modelPath
        try #require(FileManager.default.fileExists(atPath: path), "run `make model` first: \(path)")
        let file = try GGUFFile(path: path)
        let info = try #require(file.tensor(named: name))
        let rows = Self.tensors.first { $0.0 == name }!.1
        let columns = info.shape[0]
        #expect(info.type == (name == "token_embd.weight" ? .q8_0 : .q4_1))
        let rowBytes = Kernels.rowBytes(info.type, count: columns)
        let data = file.data(of: info)
        let weights = [UInt8](UnsafeRawBufferPointer(rebasing: data[0..<rowBytes * rows]))
        var rng = SplitMix64(seed: 42)
        let batch = 6
        let xs = (0..<batch).map { _ in randomActivations(count: columns, rng: &rng) }
        let scalar = KernelPath(named: "scalar")!
        let xq = xs.map { Kernels.convertActivations(for: info.type, $0, on: scalar) }
        let reference = (0..<batch).map {
            Kernels.matvec(info.type, weights: weights, rows: 0..<rows, activations: xq[$0], count: columns, on: scalar)
        }
        // Scale of each dot for the tolerances: Σ|w·x| over the dequantized row and activation.
        let vt = Kernels.vecDotType(info.type)
        let xd = xq.map { Kernels.dequantize(vt, $0, count: columns) }
        var bound = [[Double]](repeating: [], count: batch)
        for r in 0..<rows {
            let w = Kernels.dequantize(info.type, Array(weights[r * rowBytes..<(r + 1) * rowBytes]), count: columns)
            for b in 0..<batch {
                bound[b].append(magnitude(w, xd[b]) + 1e-30)
                if r % 37 == 0 {  // the reference is the mathematics of the format, to float rounding
                    let exact = exactDot(w, xd[b]) + q8_1SumCorrection(info.type, weights: Array(weights[r * rowBytes..<(r + 1) * rowBytes]),
                                                                        activations: xq[b], count: columns)
                    #expect(abs(Double(reference[b][r]) - exact) <= 1e-5 * bound[b][r], "\(name) row \(r)")
                }
            }
        }
        for path in KernelPath.available where path.name != "scalar" {
            let all = xq.flatMap { $0 }
            let y = Kernels.matmul(info.type, weights: weights, rows: rows, activations: all, batch: batch,
                                   count: columns, on: path)
            for b in 0..<batch {
                let v = Kernels.matvec(info.type, weights: weights, rows: 0..<rows, activations: xq[b], count: columns, on: path)
                let badV = (0..<rows).filter { abs(Double(v[$0]) - Double(reference[b][$0])) > 1e-5 * bound[b][$0] }
                let badM = (0..<rows).filter { abs(Double(y[b * rows + $0]) - Double(reference[b][$0])) > 1e-5 * bound[b][$0] }
                #expect(badV.isEmpty, "\(path) \(name) matvec act \(b): rows \(badV.prefix(8))")
                #expect(badM.isEmpty, "\(path) \(name) matmul act \(b): rows \(badM.prefix(8))")
            }
        }
    }
}
