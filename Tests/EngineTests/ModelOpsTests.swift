import CKernels
import Foundation
import Testing
import TestSupport

/// The float ops of the forward pass (pk_ops.h) against plain Swift.
@Suite struct ModelOpsTests {
    @Test func halfConversionsRoundToNearestEven() {
        var random = SplitMix64(seed: 4)
        var values: [Float] = [0, -0, 1, -1, 65504, 65520, 1e-8, 6.1e-5, 5.96e-8, 2.98e-8, .infinity, -.infinity]
        for _ in 0..<20000 { values.append(Float(bitPattern: random.next() as UInt32)) }
        for x in values where !x.isNaN {
            let ours = pk_f32_to_f16(x)
            #expect(ours == Float16(x).bitPattern, "\(x)")
            #expect(pk_f16_to_f32(ours) == Float(Float16(bitPattern: ours)))
        }
        #expect(Float16(bitPattern: pk_f32_to_f16(.nan)).isNaN)
    }

    @Test(arguments: [64, 16, 40, 136], [Int32(PK_ORDER_DOT), Int32(PK_ORDER_GEMM)])
    func attentionHeadMatchesADirectComputation(headDim: Int, order: Int32) {
        let positions = 37, stride = headDim * 3
        var state: UInt64 = 12345
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
        let q = (0..<headDim).map { _ in next() * 2 }
        let k = (0..<(positions * stride)).map { _ in pk_f32_to_f16(next()) }
        let v = (0..<(positions * stride)).map { _ in pk_f32_to_f16(next()) }
        var out = [Float](repeating: 0, count: headDim)
        var scores = [Float](repeating: 0, count: positions)
        var q16 = [UInt16](repeating: 0, count: headDim)
        let scale = 1 / Float(headDim).squareRoot()
        pk_attention_head(&out, q, k, v, stride, Int64(positions), Int64(headDim), scale, order, &scores, &q16)

        let qh = q.map { Double(pk_f16_to_f32(pk_f32_to_f16($0))) }
        let s = (0..<positions).map { j in
            (0..<headDim).reduce(0.0) { $0 + qh[$1] * Double(pk_f16_to_f32(k[j * stride + $1])) } * Double(scale)
        }
        let m = s.max()!
        let e = s.map { Foundation.exp($0 - m) }
        let total = e.reduce(0, +)
        for d in 0..<headDim {
            let expected = (0..<positions).reduce(0.0) { $0 + e[$1] / total * Double(pk_f16_to_f32(v[$1 * stride + d])) }
            #expect(abs(Double(out[d]) - expected) < 2e-3, "dimension \(d)")
        }
    }

    @Test func ropeRotatesPairsByPositionAngles() {
        var table = [Float](repeating: 0, count: 8)
        pk_rope_table(&table, 3, 8, 10000, 1, nil)
        var x: [Float] = [1, 0, 1, 0, 1, 0, 1, 0]
        pk_rope(&x, 1, 8, 8, table, 0)
        for i in 0..<4 {
            let theta = 3 * pow(10000, -2 * Double(i) / 8)
            #expect(abs(Double(x[2 * i]) - cos(theta)) < 1e-5 && abs(Double(x[2 * i + 1]) - sin(theta)) < 1e-5)
        }
        var y: [Float] = [1, 1, 1, 1, 0, 0, 0, 0]
        pk_rope(&y, 1, 8, 8, table, 1)  // NeoX: pairs (i, i + 4)
        for i in 0..<4 {
            let theta = 3 * pow(10000, -2 * Double(i) / 8)
            #expect(abs(Double(y[i]) - cos(theta)) < 1e-5 && abs(Double(y[i + 4]) - sin(theta)) < 1e-5)
        }
    }
}
