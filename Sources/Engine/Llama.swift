import CKernels

/// The forward pass of the llama family (`llama`, and `qwen2` with its QKV biases and NeoX RoPE), over a batch of
/// tokens at consecutive positions after those in the context's KV cache.
///
/// Per block: x += Wo · attention(rope(Wq · n), rope(Wk · n), Wv · n) with n = rmsnorm(x) ⊙ attn_norm, then
/// x += Wdown · (silu(Wgate · m) ⊙ Wup · m) with m = rmsnorm(x) ⊙ ffn_norm; finally logits = Wout · rmsnorm(x).
/// Each projection is one matrix × matrix product over the batch (`pk_matmul`), rows split over threads.
enum Llama {
    /// Which batch rows get logits.
    enum LogitRows { case none, last, all }

    /// `promptOrder`: sum attention's products as llama.cpp does for a prompt batch (tinyBLAS) rather than for one
    /// decoded token (ggml_vec_dot_f16); true for every batch of a prompt of two or more tokens, even a last
    /// batch of one, since llama.cpp evaluates the prompt in one batch of up to 512.
    static func forward(context ctx: InferenceContext, tokens: UnsafeBufferPointer<Int32>, logits rows: LogitRows,
                        promptOrder: Bool) {
        let c = ctx.model.config
        let w = ctx.model.weights
        let n = tokens.count
        let start = ctx.position
        let embd = c.embeddingLength
        let eps = c.normEpsilon
        precondition(n > 0 && n <= ctx.batchCapacity && start + n <= ctx.contextLength)

        // Token embeddings: rows of the (possibly quantized) table, dequantized.
        let table = w.tokenEmbedding
        for (b, token) in tokens.enumerated() {
            pk_dequantize_row(table.kernelType, table.base + Int(token) * table.rowBytes, ctx.x + b * embd, Int64(embd))
        }

        // RoPE angles of the batch's positions.
        let rot = c.ropeDimensions
        withOptionalBuffer(w.ropeFrequencyFactors) { factors in
            for b in 0..<n {
                pk_rope_table(ctx.ropeTable + b * rot, Int64(start + b), Int64(rot), c.ropeBase, c.ropeFrequencyScale, factors)
            }
        }

        for l in 0..<c.layerCount {
            let layer = w.layers[l]
            attentionBlock(ctx, layer: layer, index: l, count: n, start: start,
                           order: promptOrder ? Int32(PK_ORDER_GEMM) : Int32(PK_ORDER_DOT))

            // Feed-forward: x += Wdown · (silu(Wgate · m) ⊙ Wup · m).
            layer.feedForwardNorm.withUnsafeBufferPointer { norm in
                for b in 0..<n { pk_rmsnorm(ctx.x + b * embd, norm.baseAddress!, ctx.xb + b * embd, Int64(embd), eps) }
            }
            project(ctx, input: ctx.xb, count: n, (layer.gate, ctx.gate), (layer.up, ctx.up))
            let ff = c.feedForwardLength
            pk_swiglu(ctx.gate, ctx.up, ctx.gate, Int64(n * ff))
            project(ctx, input: ctx.gate, count: n, (layer.down, ctx.projected))
            pk_add(ctx.x, ctx.projected, Int64(n * embd))
        }

        // Logits of the rows asked for.
        switch rows {
        case .none:
            return
        case .last:
            w.outputNorm.withUnsafeBufferPointer { norm in
                pk_rmsnorm(ctx.x + (n - 1) * embd, norm.baseAddress!, ctx.xb, Int64(embd), eps)
            }
            project(ctx, input: ctx.xb, count: 1, (w.output, ctx.logits))
        case .all:
            w.outputNorm.withUnsafeBufferPointer { norm in
                for b in 0..<n { pk_rmsnorm(ctx.x + b * embd, norm.baseAddress!, ctx.xb + b * embd, Int64(embd), eps) }
            }
            project(ctx, input: ctx.xb, count: n, (w.output, ctx.batchLogits!))
        }
    }

    /// x += Wo · attention over the cache, for the batch's rows.
    private static func attentionBlock(_ ctx: InferenceContext, layer: LayerWeights, index l: Int, count n: Int, start: Int,
                                       order: Int32) {
        let c = ctx.model.config
        let embd = c.embeddingLength
        layer.attentionNorm.withUnsafeBufferPointer { norm in
            for b in 0..<n { pk_rmsnorm(ctx.x + b * embd, norm.baseAddress!, ctx.xb + b * embd, Int64(embd), c.normEpsilon) }
        }
        project(ctx, input: ctx.xb, count: n, (layer.query, ctx.q), (layer.key, ctx.k), (layer.value, ctx.v))
        let qw = c.queryWidth, kw = c.kvWidth, hd = c.headDimension
        if let bq = layer.queryBias, let bk = layer.keyBias, let bv = layer.valueBias {
            addBias(ctx.q, bq, rows: n)
            addBias(ctx.k, bk, rows: n)
            addBias(ctx.v, bv, rows: n)
        }

        // RoPE on queries and keys, then keys and values into the cache (f16 or q8_0).
        let neox: Int32 = c.ropeStyle == .neox ? 1 : 0
        let rot = c.ropeDimensions
        let cache = ctx.cache
        for b in 0..<n {
            let table = ctx.ropeTable + b * rot
            pk_rope(ctx.q + b * qw, Int64(c.headCount), Int64(hd), Int64(rot), table, neox)
            pk_rope(ctx.k + b * kw, Int64(c.kvHeadCount), Int64(hd), Int64(rot), table, neox)
            cache.store(ctx.k + b * kw, at: cache.keys(layer: l, position: start + b))
            cache.store(ctx.v + b * kw, at: cache.values(layer: l, position: start + b))
        }

        // Causal grouped-query attention: row b sees positions 0...start + b; query head h reads KV head
        // h / (heads / kvHeads). f16: one item per row and head; q8_0: one per KV head and block of rows.
        let group = c.headCount / c.kvHeadCount
        var job = AttentionJob(out: ctx.attention, q: ctx.q, keys: UnsafeRawPointer(cache.keys(layer: l, position: 0)),
                               values: UnsafeRawPointer(cache.values(layer: l, position: 0)), cacheType: cache.type,
                               rowBytes: cache.rowBytes, queryWidth: qw,
                               kvWidth: kw, heads: c.headCount, group: group, headDimension: hd, start: start,
                               rows: n, scale: 1 / Float(hd).squareRoot(), order: order, scratch: ctx.attentionScratch,
                               scratchStride: ctx.attentionScratchStride)
        ctx.parallel(job.items, grain: 1, AttentionJob.entry, &job)

        project(ctx, input: ctx.attention, count: n, (layer.attentionOutput, ctx.projected))
        pk_add(ctx.x, ctx.projected, Int64(n * embd))
    }

    private static func addBias(_ y: UnsafeMutablePointer<Float>, _ bias: [Float], rows: Int) {
        bias.withUnsafeBufferPointer { b in
            pk_add_bias(y, b.baseAddress!, Int64(b.count), Int64(rows), Int64(b.count))
        }
    }

    typealias Projection = (matrix: WeightMatrix, output: UnsafeMutablePointer<Float>)

    /// output[b, i] = row i of matrix · input row b, for up to three matrices reading the same input (Q, K, V or
    /// gate, up): the input is converted for the kernels once and the matrices' rows together are split over the
    /// threads in one parallel region. Output rows are `matrix.rows` floats apart.
    static func project(_ ctx: InferenceContext, input: UnsafeMutablePointer<Float>, count n: Int,
                        _ a: Projection, _ b: Projection? = nil, _ c: Projection? = nil) {
        let type = a.matrix.kernelType
        let dotType = pk_vec_dot_type(type)
        if let b, pk_vec_dot_type(b.matrix.kernelType) != dotType {
            project(ctx, input: input, count: n, a)
            project(ctx, input: input, count: n, b)
            if let c { project(ctx, input: input, count: n, c) }
            return
        }
        if let c, pk_vec_dot_type(c.matrix.kernelType) != dotType {
            project(ctx, input: input, count: n, a, b)
            project(ctx, input: input, count: n, c)
            return
        }
        let columns = a.matrix.columns
        let stride = ctx.activationStride
        for r in 0..<n {
            pk_quantize_activations(type, input + r * columns, ctx.activations + r * stride, Int64(columns))
        }
        var job = ProjectionJob(a, b, c, count: n, activations: UnsafeRawPointer(ctx.activations), stride: stride)
        ctx.parallel(job.totalRows, grain: ctx.rowGrain(job.totalRows), ProjectionJob.entry, &job)
    }

    private static func withOptionalBuffer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let array else { return body(nil) }
        return array.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
