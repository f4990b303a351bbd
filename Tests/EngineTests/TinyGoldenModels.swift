import Foundation
import TestSupport

/// The two random-weight files of scripts/fixtures/make_golden_tiny.py, rebuilt here value for value so no weights
/// are committed: a Llama-3-style `llama` file (RoPE frequency factors, separate output matrix, F32 embedding, F16
/// matrices) and a `qwen2` file (QKV biases, NeoX RoPE, tied F16 embedding, one F32 matrix).
///
/// The script draws every value from SplitMix64 as a multiple of 1/1024 in [-1, 1) scaled by a power of two, so
/// the values are exact in F16 and F32 and both sides get identical tensors; `tensor_sums` in the JSON fixture lets
/// the test check that.
enum TinyGoldenModels {
    static let vocabulary = 128, width = 64, heads = 4, kvHeads = 2, feedForward = 96, layers = 2
    static var headDimension: Int { width / heads }

    enum Architecture: String { case llama, qwen2 }

    /// The file, and the sum of each tensor's values.
    static func build(_ arch: Architecture, seed: UInt64) -> (GGUFBuilder, [String: Double]) {
        var rng = SplitMix64(seed: seed)
        var sums: [String: Double] = [:]
        var b = GGUFBuilder()
        let a = arch.rawValue
        b.metadata = [
            ("general.architecture", .string(a)),
            ("\(a).block_count", .uint32(UInt32(layers))),
            ("\(a).context_length", .uint32(512)),
            ("\(a).embedding_length", .uint32(UInt32(width))),
            ("\(a).feed_forward_length", .uint32(UInt32(feedForward))),
            ("\(a).attention.head_count", .uint32(UInt32(heads))),
            ("\(a).attention.head_count_kv", .uint32(UInt32(kvHeads))),
            ("\(a).rope.dimension_count", .uint32(UInt32(headDimension))),
            ("\(a).attention.layer_norm_rms_epsilon", .float32(arch == .qwen2 ? 1e-6 : 1e-5)),
            ("\(a).rope.freq_base", .float32(arch == .qwen2 ? 1_000_000 : 500_000)),
            ("\(a).vocab_size", .uint32(UInt32(vocabulary))),
            ("tokenizer.ggml.model", .string("none")),
        ]

        func uniform(_ n: Int) -> [Double] {
            (0..<n).map { _ in Double(Int(rng.next() >> 53) - 1024) / 1024 }
        }
        func add(_ name: String, _ shape: [Int], _ values: [Double], f16: Bool) {
            sums[name] = values.reduce(0, +)
            let data: [UInt8] = f16
                ? values.map { Float16($0).bitPattern }.withUnsafeBytes { Array($0) }
                : values.map { Float($0).bitPattern }.withUnsafeBytes { Array($0) }
            // numpy's (rows, cols) is ggml's [cols, rows].
            b.tensors.append(GGUFBuilder.Tensor(name: name, shape: shape.reversed().map(UInt64.init),
                                                type: f16 ? 1 : 0, data: data))
        }
        func matrix(_ name: String, _ rows: Int, _ cols: Int, f16: Bool = true, scale: Double = 0.25) {
            add(name, [rows, cols], uniform(rows * cols).map { $0 * scale }, f16: f16)
        }
        func vector(_ name: String, _ n: Int, center: Double, spread: Double) {
            add(name, [n], uniform(n).map { center + spread * $0 }, f16: false)
        }

        let kvWidth = kvHeads * headDimension
        if arch == .qwen2 {
            matrix("token_embd.weight", vocabulary, width)  // tied: also the output matrix
        } else {
            matrix("token_embd.weight", vocabulary, width, f16: false, scale: 2)
            matrix("output.weight", vocabulary, width)
            add("rope_freqs.weight", [8], [1, 1, 1, 1.5, 2, 4, 8, 8], f16: false)
        }
        vector("output_norm.weight", width, center: 1, spread: 0.125)
        for i in 0..<layers {
            let p = "blk.\(i)."
            vector(p + "attn_norm.weight", width, center: 1, spread: 0.125)
            matrix(p + "attn_q.weight", width, width)
            matrix(p + "attn_k.weight", kvWidth, width)
            matrix(p + "attn_v.weight", kvWidth, width)
            if arch == .qwen2 {
                vector(p + "attn_q.bias", width, center: 0, spread: 0.25)
                vector(p + "attn_k.bias", kvWidth, center: 0, spread: 0.25)
                vector(p + "attn_v.bias", kvWidth, center: 0, spread: 0.25)
            }
            matrix(p + "attn_output.weight", width, width, f16: !(arch == .qwen2 && i == 0))
            vector(p + "ffn_norm.weight", width, center: 1, spread: 0.125)
            matrix(p + "ffn_gate.weight", feedForward, width)
            matrix(p + "ffn_up.weight", feedForward, width)
            matrix(p + "ffn_down.weight", width, feedForward)
        }
        return (b, sums)
    }
}
