import CKernels
import Engine
import Foundation
import Testing
import TestSupport

/// The golden fixtures of the quantized kernels (scripts/fixtures/make_quant_fixtures.py): weight rows of every
/// type with gguf's numpy dequantization, activation rows with ggml's reference conversion to the vec-dot type,
/// and ggml's dot products (its generic C code and the SIMD code of this machine's llama.cpp build).
struct QuantFixtures: Decodable {
    struct Entry: Decodable, CustomStringConvertible {
        let name: String
        let type: UInt32
        let n: Int
        let vecDotType: UInt32
        let rows: [String]
        let dequantized: [String]
        let activations: [String]
        let activationsConverted: [String]
        let dotsNative: [[Float]]
        let dotsGeneric: [[Float]]?
        /// Q8_0 / Q8_1 activations as this machine's llama.cpp converts them (its SIMD quantizer).
        let activationsNative: [String]?

        var description: String { name }
        var ggmlType: GGMLType { GGMLType(rawValue: type)! }
        func row(_ r: Int) -> [UInt8] { bytes(rows[r]) }
        func dequantizedRow(_ r: Int) -> [Float] { floats(dequantized[r]) }
        func activation(_ a: Int) -> [Float] { floats(activations[a]) }
        func converted(_ a: Int) -> [UInt8] { bytes(activationsConverted[a]) }
    }
    let types: [Entry]

    static let shared: QuantFixtures = {
        let url = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/quants/quants.json")
        let data = try! Data(contentsOf: url)
        return try! JSONDecoder().decode(QuantFixtures.self, from: data)
    }()

    static func entry(_ name: String) -> Entry { shared.types.first { $0.name == name }! }
    static let names = ["F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q4_K", "Q5_K", "Q6_K"]
}

func bytes(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64)!) }

func floats(_ base64: String) -> [Float] {
    let data = Data(base64Encoded: base64)!
    return data.withUnsafeBytes { raw in
        (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
    }
}

/// Σ |w_i · x_i| in double: the scale against which a dot product's rounding error is measured.
func magnitude(_ w: [Float], _ x: [Float]) -> Double {
    zip(w, x).reduce(0) { $0 + abs(Double($1.0) * Double($1.1)) }
}

func exactDot(_ w: [Float], _ x: [Float]) -> Double {
    zip(w, x).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

/// Q8_1 carries s = d·Σq rounded to half precision, and Q4_1/Q5_1 dot products use it for the min term
/// (Σ m·y = m·s): the format's exact value is the dequantized dot plus Σ_blocks m·(s − d·Σq).
func q8_1SumCorrection(_ type: GGMLType, weights: [UInt8], activations: [UInt8], count: Int) -> Double {
    guard type == .q4_1 || type == .q5_1 else { return 0 }
    let wBlock = type == .q4_1 ? 20 : 24
    func half(_ bytes: [UInt8], _ at: Int) -> Double { Double(Float(Float16(bitPattern: UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8))) }
    var correction = 0.0
    for b in 0..<count / 32 {
        let m = half(weights, b * wBlock + 2)
        let d = half(activations, b * 36), s = half(activations, b * 36 + 2)
        let sumq = (0..<32).reduce(0) { $0 + Int(Int8(bitPattern: activations[b * 36 + 4 + $1])) }
        correction += m * (s - d * Double(sumq))
    }
    return correction
}

@Suite("Quantized kernels: scalar reference against gguf and ggml")
struct KernelReferenceTests {
    let scalar = KernelPath(named: "scalar")!

    @Test("fixtures cover every supported type", arguments: QuantFixtures.names)
    func fixtureCoverage(name: String) {
        let e = QuantFixtures.entry(name)
        #expect(Kernels.supports(e.ggmlType))
        #expect(Kernels.vecDotType(e.ggmlType).rawValue == e.vecDotType)
        #expect(Kernels.rowBytes(e.ggmlType, count: e.n) == e.row(0).count)
    }

    @Test("block sizes and bytes match ggml's")
    func blockSizes() {
        let expected: [(pk_type, Int64, Int)] = [
            (PK_F32, 1, 4), (PK_F16, 1, 2), (PK_BF16, 1, 2), (PK_Q4_0, 32, 18), (PK_Q4_1, 32, 20),
            (PK_Q5_0, 32, 22), (PK_Q5_1, 32, 24), (PK_Q8_0, 32, 34), (PK_Q8_1, 32, 36), (PK_Q4_K, 256, 144),
            (PK_Q5_K, 256, 176), (PK_Q6_K, 256, 210), (PK_Q8_K, 256, 292),
        ]
        for (t, size, bytes) in expected {
            #expect(pk_block_size(t) == size, "\(t)")
            #expect(pk_block_bytes(t) == bytes, "\(t)")
            #expect(pk_row_bytes(t, 512) == 512 / Int(size) * bytes, "\(t)")
        }
        #expect(pk_block_size(PK_Q2_K) == 0)  // not supported: callers must check
        let weightTypes: Set<GGMLType> = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q5_K, .q6_K]
        for type in GGMLType.allCases { #expect(Kernels.supports(type) == weightTypes.contains(type), "\(type)") }
    }

    /// Dequantization equals gguf's numpy code: same float operations, so to the last bit here; 1e-6 relative
    /// leaves room for a compiler that contracts `q * d + m` into a fused multiply-add.
    @Test("dequantization matches gguf's numpy dequantization", arguments: QuantFixtures.names)
    func dequantization(name: String) {
        let e = QuantFixtures.entry(name)
        for r in e.rows.indices {
            let ours = Kernels.dequantize(e.ggmlType, e.row(r), count: e.n)
            let expected = e.dequantizedRow(r)
            #expect(ours.count == expected.count)
            var mismatches = 0
            for (a, b) in zip(ours, expected) where !(abs(a - b) <= 1e-6 * max(1, abs(b))) { mismatches += 1 }
            #expect(mismatches == 0, "\(name) row \(r): \(mismatches) of \(e.n) values differ")
        }
    }

    /// Activation conversion (Q8_0, Q8_1, Q8_K, F16, BF16) is byte-identical to ggml's reference quantizers.
    @Test("activation conversion is byte-identical to ggml's reference", arguments: QuantFixtures.names)
    func activationConversion(name: String) {
        let e = QuantFixtures.entry(name)
        for a in e.activations.indices {
            let ours = Kernels.convertActivations(for: e.ggmlType, e.activation(a), on: scalar)
            let expected = e.converted(a)
            #expect(ours == expected, "\(name) activation \(a): \(zip(ours, expected).filter { $0 != $1 }.count) bytes differ")
        }
    }

    /// On x86, the SIMD paths convert activations to Q8_0 and Q8_1 with llama.cpp's x86 quantizer, byte for
    /// byte (the fixture's `activationsNative` were made by it on an x86 machine).
    @Test("x86 activation conversion is byte-identical to llama.cpp's x86 quantizer", arguments: ["Q4_0", "Q4_1", "Q8_0"])
    func nativeConversion(name: String) throws {
        let e = QuantFixtures.entry(name)
        let native = try #require(e.activationsNative)
        for path in KernelPath.available where path.name == "avx2" || path.name == "avx512" {
            for a in e.activations.indices {
                let ours = Kernels.convertActivations(for: e.ggmlType, e.activation(a), on: path)
                #expect(ours == bytes(native[a]), "\(path.name) \(name) activation \(a)")
            }
        }
    }

    /// The AVX2 Q4_1 and Q8_0 dot products are ggml's x86 vec_dot (llama.cpp's kernels for the bundled model's
    /// weights) to the bit: the same integer sums, scales, fused multiply-adds and horizontal sum order.
    @Test("AVX2 Q4_1 and Q8_0 dots equal llama.cpp's to the bit", arguments: ["Q4_1", "Q8_0"])
    func nativeDotBits(name: String) {
        guard let avx2 = KernelPath(named: "avx2") else { return }  // another machine: nothing to compare
        let e = QuantFixtures.entry(name)
        for r in e.rows.indices {
            for a in e.activations.indices {
                let d = Kernels.dot(e.ggmlType, weights: e.row(r), activations: e.converted(a), count: e.n, on: avx2)
                #expect(d.bitPattern == e.dotsNative[r][a].bitPattern, "\(name) row \(r) act \(a): \(d) vs \(e.dotsNative[r][a])")
            }
        }
    }

    /// Dot products (of every path) agree with ggml's generic C code (same integer sums and scale order: differences are float
    /// rounding only) and with the SIMD code this machine's llama.cpp runs, within 1e-5 of Σ|w·x|.
    @Test("vec-dot matches ggml's generic and native vec_dot", arguments: QuantFixtures.names)
    func vecDot(name: String) {
        let e = QuantFixtures.entry(name)
        let vt = Kernels.vecDotType(e.ggmlType)
        for r in e.rows.indices {
            let w = e.dequantizedRow(r)
            for a in e.activations.indices {
                let xq = e.converted(a)
                let x = Kernels.dequantize(vt, xq, count: e.n)
                let bound = magnitude(w, x) + 1e-30
                for path in KernelPath.available {  // the SIMD paths, too, straight against ggml
                    let d = Double(Kernels.dot(e.ggmlType, weights: e.row(r), activations: xq, count: e.n, on: path))
                    #expect(abs(d - Double(e.dotsNative[r][a])) <= 1e-5 * bound, "\(path) \(name) row \(r) act \(a)")
                }
                let ours = Double(Kernels.dot(e.ggmlType, weights: e.row(r), activations: xq, count: e.n, on: scalar))
                let native = Double(e.dotsNative[r][a])
                #expect(abs(ours - native) <= 1e-5 * bound, "\(name) row \(r) act \(a): ours \(ours), ggml \(native)")
                if let generic = e.dotsGeneric?[r][a] {
                    #expect(abs(ours - Double(generic)) <= 1e-5 * bound,
                            "\(name) row \(r) act \(a): ours \(ours), ggml generic \(generic)")
                }
                // And the mathematics: the dot of the dequantized values, in double (for Q8_1, with its stored sum).
                let exact = exactDot(w, x) + q8_1SumCorrection(e.ggmlType, weights: e.row(r), activations: xq, count: e.n)
                #expect(abs(ours - exact) <= 1e-5 * bound, "\(name) row \(r) act \(a): ours \(ours), exact \(exact)")
            }
        }
    }

    /// End to end from floats: quantizing the activations costs accuracy only as Q8 rounding allows
    /// (|error| ≤ Σ|w_i|·d_i/2 per block, d = amax/127); a wrong scale or a swapped nibble breaks this.
    @Test("vec-dot from float activations stays within the Q8 rounding bound", arguments: QuantFixtures.names)
    func vecDotAgainstFloats(name: String) {
        let e = QuantFixtures.entry(name)
        for r in e.rows.indices {
            let w = e.dequantizedRow(r)
            for a in e.activations.indices {
                let x = e.activation(a)
                let xq = Kernels.convertActivations(for: e.ggmlType, x, on: scalar)
                let ours = Double(Kernels.dot(e.ggmlType, weights: e.row(r), activations: xq, count: e.n, on: scalar))
                let block = Kernels.vecDotType(e.ggmlType) == .q8_K ? 256 : 32
                var bound = 1e-5 * magnitude(w, x) + 1e-30
                for b in stride(from: 0, to: e.n, by: block) {
                    let amax = x[b..<b + block].map { abs(Double($0)) }.max()!
                    let half = 0.5 * amax / 127 * 1.01  // 1 %: d is stored in half precision for Q8_0/Q8_1
                    bound += w[b..<b + block].reduce(0) { $0 + abs(Double($1)) } * half
                }
                if [.f32, .f16, .bf16].contains(e.ggmlType) {  // float activations: only their own rounding
                    bound = (e.ggmlType == .bf16 ? 1e-2 : e.ggmlType == .f16 ? 1e-3 : 1e-6) * magnitude(w, x) + 1e-30
                }
                let exact = exactDot(w, x)
                #expect(abs(ours - exact) <= bound, "\(name) row \(r) act \(a): ours \(ours), float \(exact), bound \(bound)")
            }
        }
    }

    /// Matrix-vector and matrix-matrix products are the vec-dot applied row by row, for whole and partial row ranges.
    @Test("matvec and matmul equal the row dots", arguments: QuantFixtures.names)
    func matrixProducts(name: String) {
        let e = QuantFixtures.entry(name)
        let rows = e.rows.count
        let w = e.rows.indices.flatMap { e.row($0) }
        let batch = e.activations.count
        let xs = (0..<batch).flatMap { e.converted($0) }
        var expected = [[Float]](repeating: [], count: batch)
        for b in 0..<batch {
            expected[b] = (0..<rows).map { Kernels.dot(e.ggmlType, weights: e.row($0), activations: e.converted(b), count: e.n, on: scalar) }
        }
        for b in 0..<batch {
            #expect(Kernels.matvec(e.ggmlType, weights: w, rows: 0..<rows, activations: e.converted(b), count: e.n, on: scalar) == expected[b])
            #expect(Kernels.matvec(e.ggmlType, weights: w, rows: 1..<3, activations: e.converted(b), count: e.n, on: scalar)
                    == Array(expected[b][1..<3]))
        }
        let y = Kernels.matmul(e.ggmlType, weights: w, rows: rows, activations: xs, batch: batch, count: e.n, on: scalar)
        #expect(y == (0..<batch).flatMap { expected[$0] })
        let part = Kernels.matmul(e.ggmlType, weights: w, rows: rows, rowRange: 1..<3, activations: xs, batch: batch,
                                  count: e.n, on: scalar)
        for b in 0..<batch {
            #expect(Array(part[b * rows..<(b + 1) * rows]) == [0] + expected[b][1..<3] + [0], "batch row \(b)")
        }
    }

    @Test("half precision conversion agrees with Swift's Float16")
    func halfConversion() {
        for bits in UInt16.min...UInt16.max {
            let h = Float16(bitPattern: bits)
            let f = pk_fp16_to_fp32(bits)
            if h.isNaN { #expect(f.isNaN); continue }
            #expect(f.bitPattern == Float(h).bitPattern, "half \(bits)")
            #expect(pk_fp32_to_fp16(f) == bits, "round trip \(bits)")
        }
        var rng = SplitMix64(seed: 3)
        var cases: [Float] = [0, -0, 65504, 65519.99, 65520, -65520, 1e-8, 2.98e-8, 2.99e-8, 6.1e-5, 6.0e-5, .infinity,
                              -.infinity, .leastNonzeroMagnitude, 1 + 1.0 / 2048, 1 + 3.0 / 2048]
        for _ in 0..<20000 { cases.append(Float(bitPattern: rng.next() & 0xffff_ffff) ) }
        for f in cases where !f.isNaN {
            #expect(pk_fp32_to_fp16(f) == Float16(f).bitPattern, "\(f) (\(f.bitPattern))")
        }
        #expect(Float16(bitPattern: pk_fp32_to_fp16(.nan)).isNaN)
    }

    @Test("bfloat16 conversion rounds to nearest even")
    func bfloat16Conversion() {
        #expect(pk_fp32_to_bf16(1.0) == 0x3f80)
        #expect(pk_fp32_to_bf16(Float(bitPattern: 0x3f80_8000)) == 0x3f80)  // tie, even stays
        #expect(pk_fp32_to_bf16(Float(bitPattern: 0x3f81_8000)) == 0x3f82)  // tie, odd rounds up
        #expect(pk_fp32_to_bf16(Float(bitPattern: 0x3f80_8001)) == 0x3f81)
        #expect(pk_bf16_to_fp32(0xc040) == -3.0)
        #expect(pk_bf16_to_fp32(pk_fp32_to_bf16(.nan)).isNaN)
    }

    @Test("the process-wide path is one this CPU can run; unknown names are refused")
    func pathSelection() {
        let current = Kernels.path
        #expect(KernelPath.available.map(\.name).contains(current))
        #expect(KernelPath.available.first?.name == "scalar")
        #expect(KernelPath(named: "sse9") == nil)
        #expect(!Kernels.forcePath("sse9"))
        #expect(Kernels.path == current)
        #expect(Kernels.forcePath(current))  // forcing the path in use changes nothing for concurrent tests
    }
}
