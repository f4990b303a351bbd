import Engine
import Foundation
import Testing
import TestSupport

@Suite struct ModelTests {
    @Test func bundledModelConfigurationComesFromMetadata() throws {
        let path = Fixtures.modelPath
        try #require(FileManager.default.fileExists(atPath: path), "the bundled model is missing: run `make model`")
        let model = try Model(path: path)
        let c = model.config
        #expect(c.architecture == .llama)
        #expect(c.layerCount == 30)
        #expect(c.embeddingLength == 576)
        #expect(c.feedForwardLength == 1536)
        #expect(c.headCount == 9 && c.kvHeadCount == 3 && c.headDimension == 64)
        #expect(c.ropeDimensions == 64 && c.ropeBase == 100_000 && c.ropeStyle == .normal)
        #expect(c.contextLength == 8192 && c.vocabularySize == 49152)
        #expect(abs(c.normEpsilon - 1e-5) < 1e-9)
        #expect(model.weights.outputIsTied)
        #expect(model.weights.tokenEmbedding.type == .q8_0)
        #expect(model.weights.layers[0].query.type == .q4_1)
        #expect(model.weights.ropeFrequencyFactors == nil)
    }

    /// A tiny llama file written here: every tensor and key the architecture needs, F32 weights.
    static func tinyLlama(mutate: (inout GGUFBuilder) -> Void = { _ in }) -> GGUFBuilder {
        var b = GGUFBuilder()
        let e: UInt64 = 32, ff: UInt64 = 64, vocab: UInt64 = 16
        b.metadata = [
            ("general.architecture", .string("llama")),
            ("llama.block_count", .uint32(1)), ("llama.context_length", .uint32(64)),
            ("llama.embedding_length", .uint32(UInt32(e))), ("llama.feed_forward_length", .uint32(UInt32(ff))),
            ("llama.attention.head_count", .uint32(4)), ("llama.attention.head_count_kv", .uint32(2)),
            ("llama.attention.layer_norm_rms_epsilon", .float32(1e-5)), ("llama.vocab_size", .uint32(UInt32(vocab))),
        ]
        func tensor(_ name: String, _ shape: [UInt64]) -> GGUFBuilder.Tensor {
            let count = Int(shape.reduce(1, *))
            let values = (0..<count).map { Float(($0 * 37) % 17) / 17 - 0.5 }
            return GGUFBuilder.Tensor(name: name, shape: shape, type: 0, data: values.withUnsafeBytes { Array($0) })
        }
        b.tensors = [
            tensor("token_embd.weight", [e, vocab]), tensor("output_norm.weight", [e]),
            tensor("blk.0.attn_norm.weight", [e]), tensor("blk.0.ffn_norm.weight", [e]),
            tensor("blk.0.attn_q.weight", [e, e]), tensor("blk.0.attn_k.weight", [e, 16]),
            tensor("blk.0.attn_v.weight", [e, 16]), tensor("blk.0.attn_output.weight", [e, e]),
            tensor("blk.0.ffn_gate.weight", [e, ff]), tensor("blk.0.ffn_up.weight", [e, ff]),
            tensor("blk.0.ffn_down.weight", [ff, e]),
        ]
        mutate(&b)
        return b
    }

    private func write(_ b: GGUFBuilder) throws -> String {
        let dir = try Fixtures.temporaryDirectory("model")
        return try b.write(to: dir.appendingPathComponent("m.gguf")).path
    }

    @Test func loadsATinyFileAndComputesFiniteLogits() throws {
        let model = try Model(path: write(Self.tinyLlama()))
        #expect(model.config.headDimension == 8)
        #expect(model.weights.outputIsTied)
        let context = InferenceContext(model: model, contextLength: 16, threads: 2, batchSize: 4)
        let prompt: [Int32] = [1, 2, 3, 4, 5, 6]
        try prompt.withUnsafeBufferPointer { try context.evaluate($0) }
        #expect(context.position == 6)
        context.withLogits { logits in
            #expect(logits.count == 16)
            let finite = logits.allSatisfy { $0.isFinite }
            #expect(finite)
        }
    }

    @Test func aWrongShapeIsAClearError() throws {
        let path = try write(Self.tinyLlama { b in
            b.tensors[5] = GGUFBuilder.Tensor(name: "blk.0.attn_k.weight", shape: [32, 8], type: 0,
                                              data: [UInt8](repeating: 0, count: 32 * 8 * 4))
        })
        #expect(throws: EngineError.missingTensor(path: path, name: "blk.0.attn_k.weight",
                                                   reason: "has shape [32, 8], expected [32, 16]")) {
            try Model(path: path)
        }
    }

    @Test func aMissingTensorOrKeyIsAClearError() throws {
        let noFFN = try write(Self.tinyLlama { b in b.tensors.removeAll { $0.name == "blk.0.ffn_up.weight" } })
        #expect(throws: EngineError.missingTensor(path: noFFN, name: "blk.0.ffn_up.weight", reason: "is missing")) {
            try Model(path: noFFN)
        }
        let noHeads = try write(Self.tinyLlama { b in b.metadata.removeAll { $0.0 == "llama.attention.head_count" } })
        #expect(throws: EngineError.missingMetadata(path: noHeads, key: "llama.attention.head_count")) {
            try Model(path: noHeads)
        }
        let other = try write(Self.tinyLlama { b in b.metadata[0] = ("general.architecture", .string("mamba")) })
        #expect(throws: EngineError.unsupportedArchitecture(path: other, architecture: "mamba")) {
            try Model(path: other)
        }
    }

    /// Metadata a hostile file can claim: each is one line naming the file and the key, never a trap. Before the
    /// bounds, a block count of 2³² − 1 trapped reserving the layers, and 2³² heads of 2³² overflowed `queryWidth`.
    @Test func hostileCountsAreClearErrors() throws {
        let cases: [(key: String, value: GGUFBuilder.Value, extra: [(String, GGUFBuilder.Value)])] = [
            ("llama.block_count", .uint32(.max), []),
            ("llama.block_count", .uint32(4000), []),  // within the limit, but 11 tensors cannot hold 4000 blocks
            ("llama.attention.head_count", .uint64(1 << 32), [("llama.attention.key_length", .uint64(1 << 32))]),
            ("llama.attention.head_count", .uint32(4096), [("llama.attention.key_length", .uint32(4096))]),
            ("llama.attention.head_count_kv", .uint64(1 << 40), []),
            ("llama.attention.key_length", .uint64(1 << 40), []),
            ("llama.embedding_length", .uint64(1 << 62), []),
            ("llama.feed_forward_length", .int64(.max), []),
            ("llama.context_length", .uint64(1 << 40), []),
            ("llama.vocab_size", .uint32(.max), []),
            ("llama.rope.dimension_count", .uint32(.max), []),
        ]
        for c in cases {
            let path = try write(Self.tinyLlama { b in
                for (key, value) in [(c.key, c.value)] + c.extra {
                    b.metadata.removeAll { $0.0 == key }
                    b.metadata.append((key, value))
                }
            })
            do {
                _ = try Model(path: path)
                Issue.record("\(c.key) = \(c.value) loaded")
            } catch {
                guard case .invalidMetadata(path, c.key, _) = error else {
                    Issue.record("\(c.key) = \(c.value): \(error)")
                    continue
                }
                #expect(error.description.hasPrefix("\(path): metadata key '\(c.key)' "))
                #expect(!error.description.contains("\n"))
            }
        }
    }

    /// A matrix of a type the kernels can dequantize but not multiply (Q8_1: no product) is refused at load; it
    /// loaded before, and every projection through it left its output unwritten.
    @Test func aMatrixWithoutAProductIsAClearError() throws {
        let q8_1: UInt32 = 9  // 36 bytes per 32 elements
        let path = try write(Self.tinyLlama { b in
            let i = b.tensors.firstIndex { $0.name == "blk.0.attn_q.weight" }!
            b.tensors[i] = GGUFBuilder.Tensor(name: "blk.0.attn_q.weight", shape: [32, 32], type: q8_1,
                                              data: [UInt8](repeating: 0, count: 32 * 36))
        })
        #expect(throws: EngineError.unsupportedTensorType(path: path, tensor: "blk.0.attn_q.weight", type: q8_1)) {
            try Model(path: path)
        }
        #expect(EngineError.unsupportedTensorType(path: path, tensor: "blk.0.attn_q.weight", type: q8_1).description
                == "\(path): tensor 'blk.0.attn_q.weight' has unsupported type Q8_1 (9)")
        // As a token embedding with its own output matrix, it is only dequantized: that loads.
        let embedding = try write(Self.tinyLlama { b in
            b.tensors[0] = GGUFBuilder.Tensor(name: "token_embd.weight", shape: [32, 16], type: q8_1,
                                              data: [UInt8](repeating: 0, count: 16 * 36))
            b.tensors.append(GGUFBuilder.Tensor(name: "output.weight", shape: [32, 16], type: 0,
                                                data: [UInt8](repeating: 0, count: 16 * 32 * 4)))
        })
        #expect(try Model(path: embedding).weights.outputIsTied == false)
    }

    @Test func contextOverflowAndBadTokensThrow() throws {
        let model = try Model(path: write(Self.tinyLlama()))
        let context = InferenceContext(model: model, contextLength: 4, threads: 1, batchSize: 4)
        let five: [Int32] = [1, 2, 3, 4, 5]
        #expect(throws: EngineError.contextFull(capacity: 4, needed: 5)) {
            try five.withUnsafeBufferPointer { try context.evaluate($0) }
        }
        #expect(throws: EngineError.invalidToken(id: 16, vocabularySize: 16)) { try context.evaluate(token: 16) }
        #expect(throws: EngineError.invalidToken(id: -1, vocabularySize: 16)) { try context.evaluate(token: -1) }
    }

    /// Random-weight Llama-3-style and qwen2 files (scripts/fixtures/make_golden_tiny.py, rebuilt here by
    /// `TinyGoldenModels`): logits at every prompt position within 1e-3 of the logit range of llama.cpp's, and the
    /// same greedy tokens.
    ///
    /// Tolerance: F16 weights and activations rounded to f16 as llama.cpp does; what remains is summation order
    /// in f32 over rows of 64–96 terms, about 1e-6 relative, amplified through 2 layers: well under 1e-3 of
    /// the range (about 10).
    @Test(arguments: ["tiny_llama3", "tiny_qwen2"])
    func tinyModelMatchesLlamaCpp(name: String) throws {
        let golden = try Golden.load("\(name).json", as: GoldenCase.self)
        let arch = try #require(golden.architecture.flatMap(TinyGoldenModels.Architecture.init(rawValue:)))
        let (file, sums) = TinyGoldenModels.build(arch, seed: try #require(golden.seed))
        // The rebuilt weights are the ones llama.cpp ran (sums of exact multiples of 1/1024: no rounding slack).
        #expect(sums == golden.tensor_sums)
        let model = try Model(path: write(file))
        let reference = try #require(golden.logits)
        let all = reference.flatMap { $0 }
        let range = all.max()! - all.min()!
        let tolerance = 1e-3 * range
        for threads in [1, 2] {
            let context = InferenceContext(model: model, contextLength: 64, threads: threads, batchSize: 8)
            var worst: Float = 0
            try golden.prompt_tokens.withUnsafeBufferPointer { tokens in
                try context.evaluate(tokens) { i, logits in
                    for (a, b) in zip(logits, reference[i]) { worst = max(worst, abs(a - b)) }
                }
            }
            print("\(name), \(threads) threads: max logit difference \(worst) (range \(range), tolerance \(tolerance))")
            #expect(worst <= tolerance)
            let (steps, _) = try Golden.compareGreedy(context, golden, label: name)
            #expect(steps == golden.steps.count)
        }
    }
}
