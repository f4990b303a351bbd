// Kernel micro-benchmark: matvec (decode) and matmul (prefill) throughput of each kernel path on the bundled
// model's shapes (SmolLM2-135M: dim 576, FFN 1536, 3 KV heads × 64, vocab 49152; Q4_1 weights, Q8_0 output).
//
//   swift run -c release KernelBench [--threads N] [--path scalar|avx2|…] [--batch 512] [--seconds 0.5]
//
// Weights are random (the kernels' speed does not depend on values) with sane scales. "decode sweep" runs one
// matvec over every matrix of all 30 layers plus the output matrix, each allocated separately (about 97 MB, far
// beyond L3), as one decoded token reads them: its time bounds decode speed from the kernels alone.
import Dispatch
import Engine
import Foundation

struct Options {
    var threads = 1
    var paths: [KernelPath] = KernelPath.available
    var batch = 512
    var seconds = 0.5

    init(_ args: [String]) {
        var i = 0
        while i < args.count {
            let value = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--threads": threads = max(1, Int(value) ?? 1); i += 1
            case "--batch": batch = max(1, Int(value) ?? 512); i += 1
            case "--seconds": seconds = Double(value) ?? 0.5; i += 1
            case "--path":
                guard let p = KernelPath(named: value) else {
                    FileHandle.standardError.write(Data("kernel path '\(value)' cannot run here\n".utf8))
                    exit(2)
                }
                paths = [p]
                i += 1
            default:
                FileHandle.standardError.write(Data("usage: KernelBench [--threads N] [--path NAME] [--batch N] [--seconds S]\n".utf8))
                exit(2)
            }
            i += 1
        }
    }
}

/// A weight matrix of random blocks with sane half-precision scales, in its own allocation.
final class Matrix: @unchecked Sendable {  // read-only after init; shared by the worker threads
    let type: GGMLType
    let rows: Int
    let columns: Int
    let rowBytes: Int
    let bytes: UnsafeMutableRawPointer

    init(_ type: GGMLType, rows: Int, columns: Int, seed: UInt64) {
        self.type = type
        self.rows = rows
        self.columns = columns
        rowBytes = Kernels.rowBytes(type, count: columns)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: rowBytes * rows, alignment: 64)
        var state = seed
        let words = bytes.bindMemory(to: UInt64.self, capacity: rowBytes * rows / 8)
        for i in 0..<rowBytes * rows / 8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            words[i] = state ^ (state >> 29)
        }
        let block = type.bytesPerBlock
        let halves: [Int] = type == .q4_1 ? [0, 2] : [0]
        for b in 0..<rowBytes * rows / block {
            for offset in halves {
                bytes.storeBytes(of: Float16(0.01).bitPattern, toByteOffset: b * block + offset, as: UInt16.self)
            }
        }
    }
    deinit { bytes.deallocate() }
    var byteCount: Int { rowBytes * rows }
}

/// Activation rows converted for a weight type, `stride` bytes apart.
final class Activations: @unchecked Sendable {
    let stride: Int
    let bytes: UnsafeMutableRawPointer
    init(for type: GGMLType, columns: Int, batch: Int, path: KernelPath) {
        stride = Kernels.rowBytes(Kernels.vecDotType(type), count: columns)
        bytes = UnsafeMutableRawPointer.allocate(byteCount: stride * batch, alignment: 64)
        var x = [Float](repeating: 0, count: columns)
        for b in 0..<batch {
            for i in 0..<columns { x[i] = Float(sin(Double(b * columns + i) * 0.37)) }
            path.convertActivations(type, x, into: bytes + b * stride, count: columns)
        }
    }
    deinit { bytes.deallocate() }
}

/// Rows [0, rows) split over `threads` in multiples of 8, so the 8-row kernels see whole groups.
func split(_ rows: Int, _ threads: Int, _ t: Int) -> Range<Int> {
    let per = (rows / threads + 7) / 8 * 8
    let lo = min(rows, t * per), hi = t == threads - 1 ? rows : min(rows, (t + 1) * per)
    return lo..<hi
}

/// Best time of repeated runs of `body` over at least `seconds` (the minimum filters out other processes).
func measure(seconds: Double, _ body: () -> Void) -> Double {
    body()  // warm up
    var best = Double.infinity
    let start = DispatchTime.now().uptimeNanoseconds
    repeat {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    } while Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 < seconds
    return best
}

func run(_ threads: Int, _ body: @Sendable (Int) -> Void) {
    if threads == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: body) }
}

func report(_ path: KernelPath, _ name: String, _ seconds: Double, bytes: Int, ops: Double) {
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    let numbers = String(format: "%11.1f µs %8.2f GB/s %8.1f GOP/s", seconds * 1e6, Double(bytes) / seconds / 1e9,
                         ops / seconds / 1e9)
    print(pad(path.name, 7) + pad(name, 40) + numbers)
}

let options = Options(Array(CommandLine.arguments.dropFirst()))
let threads = options.threads
print("KernelBench: threads \(threads), batch \(options.batch), default path \(Kernels.path), CPU \(CPUFeatures.current.names.joined(separator: " "))")
let shapes: [(String, GGMLType, Int, Int)] = [
    ("attn q/o   576x576 Q4_1", .q4_1, 576, 576),
    ("ffn gate/up 1536x576 Q4_1", .q4_1, 1536, 576),
    ("ffn down   576x1536 Q4_1", .q4_1, 576, 1536),
    ("output 49152x576 Q8_0", .q8_0, 49152, 576),
]
// The decode sweep: 30 layers of q, k, v, o, gate, up, down, then the output matrix.
let layerShapes: [(Int, Int)] = [(576, 576), (192, 576), (192, 576), (576, 576), (1536, 576), (1536, 576), (576, 1536)]
var sweep: [Matrix] = []
for layer in 0..<30 {
    for (i, (r, c)) in layerShapes.enumerated() { sweep.append(Matrix(.q4_1, rows: r, columns: c, seed: UInt64(layer * 10 + i))) }
}
sweep.append(Matrix(.q8_0, rows: 49152, columns: 576, seed: 999))
let sweepBytes = sweep.reduce(0) { $0 + $1.byteCount }
let sweepOps = sweep.reduce(0.0) { $0 + 2.0 * Double($1.rows * $1.columns) }

for path in options.paths {
    let batchSeconds = path.name == "scalar" ? options.seconds / 4 : options.seconds
    for (name, type, rows, columns) in shapes {
        let m = Matrix(type, rows: rows, columns: columns, seed: 1)
        let x1 = Activations(for: type, columns: columns, batch: 1, path: path)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: rows * options.batch)
        defer { y.deallocate() }
        let yBox = UnsafeSendable(y)
        let t = measure(seconds: options.seconds) {
            run(threads) { i in
                let r = split(rows, threads, i)
                path.matvec(type, weights: m.bytes, activations: x1.bytes, into: yBox.value + r.lowerBound,
                            count: columns, rows: r)
            }
        }
        report(path, "matvec " + name, t, bytes: m.byteCount, ops: 2.0 * Double(rows * columns))
        // Prefill: the output matrix only ever multiplies the last position, so a small batch there.
        let batch = type == .q8_0 ? min(16, options.batch) : options.batch
        if path.name == "scalar" && type == .q8_0 { continue }
        let xs = Activations(for: type, columns: columns, batch: batch, path: path)
        let tb = measure(seconds: batchSeconds) {
            run(threads) { i in
                path.matmul(type, weights: m.bytes, activations: xs.bytes, activationStride: xs.stride,
                            into: yBox.value, yStride: rows, count: columns, batch: batch, rows: split(rows, threads, i))
            }
        }
        report(path, "matmul×\(batch) " + name, tb, bytes: m.byteCount, ops: 2.0 * Double(rows * columns * batch))
    }
    // Decode sweep: one token's worth of weight reads, from memory.
    let xq1 = Activations(for: .q4_1, columns: 576, batch: 1, path: path)
    let xq1536 = Activations(for: .q4_1, columns: 1536, batch: 1, path: path)
    let xq8 = Activations(for: .q8_0, columns: 576, batch: 1, path: path)
    let y = UnsafeMutablePointer<Float>.allocate(capacity: 49152)
    defer { y.deallocate() }
    let yBox = UnsafeSendable(y)
    let t = measure(seconds: max(options.seconds, 1)) {
        for m in sweep {
            let x = m.type == .q8_0 ? xq8 : (m.columns == 1536 ? xq1536 : xq1)
            run(threads) { i in
                let r = split(m.rows, threads, i)
                path.matvec(m.type, weights: m.bytes, activations: x.bytes, into: yBox.value + r.lowerBound,
                            count: m.columns, rows: r)
            }
        }
    }
    report(path, "decode sweep (\(sweepBytes / 1_000_000) MB)", t, bytes: sweepBytes, ops: sweepOps)
    print("\(path.name): decode sweep = \(Int(1 / t)) tokens/s from the matrix kernels alone")
}

/// A pointer handed to worker threads that write disjoint parts of it.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
