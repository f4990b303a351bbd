import Engine
import Testing
import TestSupport

/// Random weight rows of a type: random bytes, with the half-precision scale and min fields set to sane values
/// (random halves would be NaN or 65504 too often), and float types as random normal-ish floats.
func randomWeights(_ type: GGMLType, rows: Int, count: Int, rng: inout SplitMix64) -> [UInt8] {
    func half(_ v: Float) -> (UInt8, UInt8) {
        let bits = Float16(v).bitPattern
        return (UInt8(bits & 0xff), UInt8(bits >> 8))
    }
    func gaussian() -> Float { (0..<4).reduce(Float(0)) { s, _ in s + Float.random(in: -1...1, using: &rng) } }
    switch type {
    case .f32:
        return (0..<rows * count).flatMap { _ in withUnsafeBytes(of: gaussian().bitPattern.littleEndian, Array.init) }
    case .f16:
        return (0..<rows * count).flatMap { _ in withUnsafeBytes(of: Float16(gaussian()).bitPattern.littleEndian, Array.init) }
    case .bf16:
        return (0..<rows * count).flatMap { _ in
            withUnsafeBytes(of: UInt16(truncatingIfNeeded: gaussian().bitPattern >> 16).littleEndian, Array.init)
        }
    default: break
    }
    let blockBytes = type.bytesPerBlock
    let blocks = rows * count / type.blockSize
    var bytes = (0..<blocks * blockBytes).map { _ in UInt8.random(in: 0...255, using: &rng) }
    let (scaleAt, minAt): (Int, Int?) = switch type {
    case .q4_0, .q5_0, .q8_0: (0, nil)
    case .q4_1, .q5_1, .q4_K, .q5_K: (0, 2)
    case .q6_K: (208, nil)
    default: fatalError("no random weights for \(type)")
    }
    for b in 0..<blocks {
        let sign: Float = Bool.random(using: &rng) ? 1 : -1
        let (s0, s1) = half(sign * Float.random(in: 1e-4...0.05, using: &rng))
        bytes[b * blockBytes + scaleAt] = s0
        bytes[b * blockBytes + scaleAt + 1] = s1
        if let minAt {
            let (m0, m1) = half(Float.random(in: -0.5...0.5, using: &rng))
            bytes[b * blockBytes + minAt] = m0
            bytes[b * blockBytes + minAt + 1] = m1
        }
    }
    return bytes
}

func randomActivations(count: Int, rng: inout SplitMix64) -> [Float] {
    (0..<count).map { i in
        let v = (0..<4).reduce(Float(0)) { s, _ in s + Float.random(in: -1...1, using: &rng) }
        return i % 97 == 5 ? v * 40 : v  // a few outliers, as real activations have
    }
}

/// Every SIMD path this CPU can run, against the scalar reference.
///
/// Activation conversion must be byte-identical, except Q8_0 and Q8_1 on x86, which are llama.cpp's x86
/// quantizers (127/amax, round to nearest even) rather than its reference (1/d, roundf): those must equal
/// `llamaX86Q8`, and stay within one quant of the reference. Products differ only in the order of float additions over exact integer block sums, so the tolerance is a
/// multiple of float epsilon times Σ|w·x|, per type: 1e-5 for the block types (a few hundred blocks of rounding
/// at ~6e-8 each), 1e-5 for F16 and BF16 (float accumulators instead of the reference's double), 1e-5 for F32.
@Suite("Quantized kernels: every SIMD path against the scalar reference")
struct KernelPathTests {
    static let simdPaths = KernelPath.available.filter { $0.name != "scalar" }.map(\.name)
    static let types: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]
    static let tolerance: [GGMLType: Double] = [
        .f32: 1e-5, .f16: 1e-5, .bf16: 1e-5, .q4_0: 1e-5, .q4_1: 1e-5, .q5_0: 1e-5, .q5_1: 1e-5, .q8_0: 1e-5,
        .q4_K: 1e-5, .q5_K: 1e-5, .q6_K: 1e-5,
    ]
    let scalar = KernelPath(named: "scalar")!

    @Test("this machine runs a SIMD path by default where it has one")
    func defaultPath() {
        if CPUFeatures.current.avx2 {
            #expect(KernelPath(named: "avx2") != nil)
            #expect(Kernels.path != "scalar" || !CPUFeatures.current.avx2)
        }
    }

    @Test("activation conversion is byte-identical to the reference (x86 Q8_0, Q8_1: to llama.cpp's x86 code)",
          arguments: simdPaths, types)
    func conversion(path: String, type: GGMLType) {
        let simd = KernelPath(named: path)!
        var rng = SplitMix64(seed: 7 &+ UInt64(type.rawValue))
        let vt = Kernels.vecDotType(type)
        let x86Q8 = (path == "avx2" || path == "avx512") && (vt == .q8_0 || vt == .q8_1)
        for count in [256, 512, 1536] {
            var x = randomActivations(count: count, rng: &rng)
            x[3] = 0.5 * (x[0..<32].map(abs).max()! / 127) * 127 / 127  // near-ties
            for i in 40..<72 { x[i] = 0 }  // an all-zero block
            let a = Kernels.convertActivations(for: type, x, on: scalar)
            let b = Kernels.convertActivations(for: type, x, on: simd)
            if x86Q8 {
                #expect(b == llamaX86Q8(x, withSums: vt == .q8_1), "\(path) \(type) n=\(count)")
                // Against the reference: the same scales, quants at most one apart.
                let blockBytes = vt.bytesPerBlock, header = vt == .q8_1 ? 4 : 2
                for blk in 0..<count / 32 {
                    let o = blk * blockBytes
                    #expect(a[o] == b[o] && a[o + 1] == b[o + 1])
                    for i in o + header..<o + blockBytes {
                        #expect(abs(Int(Int8(bitPattern: a[i])) - Int(Int8(bitPattern: b[i]))) <= 1)
                    }
                }
            } else {
                #expect(a == b, "\(path) \(type) n=\(count): \(zip(a, b).filter { $0 != $1 }.count) bytes differ")
            }
        }
    }

    /// llama.cpp's quantize_row_q8_0 / _q8_1 for x86 (ggml-cpu/arch/x86/quants.c), block by block: d = amax/127
    /// stored as a half, quants round(x · 127/amax) to nearest even, and for Q8_1 s = half(d · Σ quants).
    func llamaX86Q8(_ x: [Float], withSums: Bool) -> [UInt8] {
        var out = [UInt8]()
        func half(_ v: Float) { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { out += $0 } }
        for b in stride(from: 0, to: x.count, by: 32) {
            let block = x[b..<b + 32]
            let amax = block.map(abs).max()!
            let d = amax / 127
            let id: Float = amax != 0 ? 127 / amax : 0
            let q = block.map { Int(($0 * id).rounded(.toNearestOrEven)) }
            half(d)
            if withSums { half(d * Float(q.reduce(0, +))) }
            out += q.map { UInt8(bitPattern: Int8($0)) }
        }
        return out
    }

    /// Q4_1 (the bundled model's weights): every SIMD product is ggml_vec_dot_q4_1_q8_1's float arithmetic in its
    /// order, so decode's matvec, the prompt's matmul and the single dot give the same bits for the same row.
    @Test("Q4_1 products are bit-identical across dot, matvec and matmul", arguments: simdPaths)
    func q4_1SameBits(path: String) {
        let simd = KernelPath(named: path)!
        var rng = SplitMix64(seed: 4141)
        for (count, rows, batch) in [(576, 70, 5), (1536, 9, 4), (576, 3, 2)] {
            let w = randomWeights(.q4_1, rows: rows, count: count, rng: &rng)
            let rowBytes = Kernels.rowBytes(.q4_1, count: count)
            let xq = (0..<batch).map { _ in
                Kernels.convertActivations(for: .q4_1, randomActivations(count: count, rng: &rng), on: simd)
            }
            let y = Kernels.matmul(.q4_1, weights: w, rows: rows, activations: xq.flatMap { $0 }, batch: batch,
                                   count: count, on: simd)
            for b in 0..<batch {
                let v = Kernels.matvec(.q4_1, weights: w, rows: 0..<rows, activations: xq[b], count: count, on: simd)
                for r in 0..<rows {
                    let dot = Kernels.dot(.q4_1, weights: Array(w[r * rowBytes..<(r + 1) * rowBytes]),
                                          activations: xq[b], count: count, on: simd)
                    #expect(v[r].bitPattern == dot.bitPattern && y[b * rows + r].bitPattern == dot.bitPattern,
                            "\(path) n=\(count) row \(r) act \(b): dot \(dot), matvec \(v[r]), matmul \(y[b * rows + r])")
                }
            }
        }
    }

    @Test("vec-dot, matvec and matmul agree with the reference", arguments: simdPaths, types)
    func products(path: String, type: GGMLType) {
        let simd = KernelPath(named: path)!
        var rng = SplitMix64(seed: 1000 &+ UInt64(type.rawValue))
        let tol = Self.tolerance[type]!
        // Shapes: small, the bundled model's 576 and 1536, row counts that leave tails after 4-row tiles and
        // span several L1 panels, batches that leave a tail after 2-row tiles.
        // (Batches of 2 or more take the 8-row interleaved kernels, tiled by 64 activation rows, 3 at a time.)
        for (count, rows, batch) in [(256, 3, 1), (576, 70, 5), (1536, 9, 4), (2304, 17, 3), (256, 19, 67)]
        where count % type.blockSize == 0 {
            let w = randomWeights(type, rows: rows, count: count, rng: &rng)
            let rowBytes = Kernels.rowBytes(type, count: count)
            let xs = (0..<batch).map { _ in randomActivations(count: count, rng: &rng) }
            let xq = xs.map { Kernels.convertActivations(for: type, $0, on: scalar) }
            let vt = Kernels.vecDotType(type)
            var expected = [Float]()
            var bounds = [Double]()
            for b in 0..<batch {
                let xd = Kernels.dequantize(vt, xq[b], count: count)
                for r in 0..<rows {
                    let row = Array(w[r * rowBytes..<(r + 1) * rowBytes])
                    expected.append(Kernels.dot(type, weights: row, activations: xq[b], count: count, on: scalar))
                    bounds.append(tol * magnitude(Kernels.dequantize(type, row, count: count), xd) + 1e-30)
                    let got = Kernels.dot(type, weights: row, activations: xq[b], count: count, on: simd)
                    #expect(abs(Double(got) - Double(expected.last!)) <= bounds.last!,
                            "\(path) \(type) dot n=\(count) row \(r) act \(b): \(got) vs \(expected.last!)")
                }
            }
            for b in 0..<batch {
                let y = Kernels.matvec(type, weights: w, rows: 0..<rows, activations: xq[b], count: count, on: simd)
                let bad = (0..<rows).filter { abs(Double(y[$0]) - Double(expected[b * rows + $0])) > bounds[b * rows + $0] }
                #expect(bad.isEmpty, "\(path) \(type) matvec n=\(count) act \(b): rows \(bad) differ")
            }
            let xAll = xq.flatMap { $0 }
            let y = Kernels.matmul(type, weights: w, rows: rows, activations: xAll, batch: batch, count: count, on: simd)
            let bad = (0..<rows * batch).filter { abs(Double(y[$0]) - Double(expected[$0])) > bounds[$0] }
            #expect(bad.isEmpty, "\(path) \(type) matmul n=\(count): entries \(bad.prefix(10)) differ")
            // A row range in the middle writes exactly its rows.
            let part = Kernels.matmul(type, weights: w, rows: rows, rowRange: 1..<rows - 1, activations: xAll,
                                      batch: batch, count: count, on: simd)
            for b in 0..<batch {
                #expect(part[b * rows] == 0 && part[b * rows + rows - 1] == 0)
                for r in 1..<rows - 1 {
                    #expect(abs(Double(part[b * rows + r]) - Double(expected[b * rows + r])) <= bounds[b * rows + r])
                }
            }
        }
    }
}
