import CKernels

/// One worker's state for running a `Model`: the KV cache and every scratch buffer, allocated once for a context
/// length and a prompt batch size, so evaluating a token allocates nothing.
///
/// Not thread-safe: one context belongs to one worker. Inside an evaluation, matrix rows and attention heads are
/// split over `threads` by the context's own persistent `ThreadPool`.
public final class InferenceContext {
    public let model: Model
    public let contextLength: Int
    public let threads: Int
    /// Prompt tokens evaluated per forward pass (matrix × matrix).
    public let batchCapacity: Int
    public let cache: KVCache
    let pool: ThreadPool
    /// Tokens in the cache: the position of the next token.
    public internal(set) var position = 0

    // Scratch, one row per batch token: [batchCapacity, width] floats.
    let x: UnsafeMutablePointer<Float>          // residual stream, [B, nEmbd]
    let xb: UnsafeMutablePointer<Float>         // normed input, [B, nEmbd]
    let q: UnsafeMutablePointer<Float>          // [B, queryWidth]
    let k: UnsafeMutablePointer<Float>          // [B, kvWidth]
    let v: UnsafeMutablePointer<Float>          // [B, kvWidth]
    let attention: UnsafeMutablePointer<Float>  // attention output, [B, queryWidth]
    let projected: UnsafeMutablePointer<Float>  // a projection back to the stream, [B, nEmbd]
    let gate: UnsafeMutablePointer<Float>       // [B, nFF]
    let up: UnsafeMutablePointer<Float>         // [B, nFF]
    /// Activations converted for the kernels (`pk_quantize_activations`), rows `activationStride` bytes apart.
    let activations: UnsafeMutableRawPointer
    let activationStride: Int
    let ropeTable: UnsafeMutablePointer<Float>  // [B, ropeDimensions] (cos, sin pairs)
    /// Attention scratch of each thread, `attentionScratchStride` floats apart: over an f16 cache one query's
    /// scores and its f16 copy, [threads, contextLength + headDim / 2]; over a q8_0 cache
    /// pk_attention_q8_0_scratch(AttentionJob.q8_0Rows · group, headDim) bytes per thread.
    let attentionScratch: UnsafeMutablePointer<Float>
    let attentionScratchStride: Int
    /// Logits of the last evaluated token, [vocab].
    let logits: UnsafeMutablePointer<Float>
    /// Logits of every token of a batch, [B, vocab], allocated on first use.
    var batchLogits: UnsafeMutablePointer<Float>?

    /// Prompt tokens per forward pass unless told otherwise. 128 prefills as fast as 256 (bundled model, 512-token
    /// prompt: 278 vs 278 tokens/s with 1 thread, 517 vs 497 with 2; 64 is 5% slower) and halves the batch
    /// scratch (3.7 MB for SmolLM2), which counts against a filled context's peak memory.
    public static let defaultBatchSize = 128

    /// - Parameters:
    ///   - contextLength: positions the KV cache holds (at most the model's context length is sensible).
    ///   - threads: threads for row-parallel work (1 runs everything on the caller's thread).
    ///   - batchSize: prompt tokens per forward pass.
    ///   - cacheType: how the KV cache stores keys and values (f16 when the model's heads do not fit q8_0 blocks).
    public init(model: Model, contextLength: Int, threads: Int = 1, batchSize: Int = defaultBatchSize,
                cacheType: KVCacheType = .defaultType) {
        precondition(contextLength > 0 && threads > 0 && batchSize > 0)
        let c = model.config
        self.model = model
        self.contextLength = contextLength
        self.threads = threads
        batchCapacity = batchSize
        pool = ThreadPool(threads: threads)
        cache = KVCache(layerCount: c.layerCount, capacity: contextLength, width: c.kvWidth,
                        type: cacheType.supports(headDimension: c.headDimension) ? cacheType : .f16)
        func floats(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: n)
            p.initialize(repeating: 0, count: n)
            return p
        }
        x = floats(batchSize * c.embeddingLength)
        xb = floats(batchSize * c.embeddingLength)
        q = floats(batchSize * c.queryWidth)
        k = floats(batchSize * c.kvWidth)
        v = floats(batchSize * c.kvWidth)
        attention = floats(batchSize * c.queryWidth)
        projected = floats(batchSize * c.embeddingLength)
        gate = floats(batchSize * c.feedForwardLength)
        up = floats(batchSize * c.feedForwardLength)
        var stride = 0
        let w = model.weights
        var matrices = [w.output]
        for layer in w.layers {
            matrices += [layer.query, layer.key, layer.value, layer.attentionOutput, layer.gate, layer.up, layer.down]
        }
        for m in matrices {
            let bytes = pk_row_bytes(pk_vec_dot_type(m.kernelType), Int64(m.columns))
            stride = max(stride, (bytes + 63) / 64 * 64)
        }
        activationStride = stride
        activations = .allocate(byteCount: batchSize * stride, alignment: 64)
        activations.initializeMemory(as: UInt8.self, repeating: 0, count: batchSize * stride)
        ropeTable = floats(batchSize * c.ropeDimensions)
        let group = c.headCount / c.kvHeadCount
        let perThread = cache.type == .f16
            ? contextLength + (c.headDimension + 1) / 2
            : (pk_attention_q8_0_scratch(Int64(AttentionJob.q8_0Rows * group), Int64(c.headDimension)) + 3) / 4
        attentionScratchStride = (perThread + 15) / 16 * 16
        attentionScratch = floats(threads * attentionScratchStride)
        logits = floats(c.vocabularySize)
    }

    deinit {
        for p in [x, xb, q, k, v, attention, projected, gate, up, ropeTable, attentionScratch, logits] { p.deallocate() }
        activations.deallocate()
        batchLogits?.deallocate()
    }

    /// Forgets the cached tokens.
    public func reset() { position = 0 }

    /// Evaluates `tokens` after the cached ones, in batches of `batchCapacity`; afterwards `withLogits` reads the
    /// logits of the last token.
    public func evaluate(_ tokens: UnsafeBufferPointer<Int32>) throws(EngineError) {
        try run(tokens, allLogits: nil)
    }

    /// Evaluates `tokens` and calls `perToken` with the logits after each of them (in order): for golden tests.
    public func evaluate(_ tokens: UnsafeBufferPointer<Int32>,
                         perToken: (_ index: Int, _ logits: UnsafeBufferPointer<Float>) -> Void) throws(EngineError) {
        try withoutActuallyEscaping(perToken) { (perToken) throws(EngineError) in
            try run(tokens, allLogits: perToken)
        }
    }

    /// Evaluates one token: the decode step.
    public func evaluate(token: Int32) throws(EngineError) {
        var t = token
        try withUnsafePointer(to: &t) { (p) throws(EngineError) in
            try run(UnsafeBufferPointer(start: p, count: 1), allLogits: nil)
        }
    }

    /// The logits after the last evaluated token, [vocab].
    public func withLogits<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: logits, count: model.config.vocabularySize))
    }

    private func run(_ tokens: UnsafeBufferPointer<Int32>,
                     allLogits: ((Int, UnsafeBufferPointer<Float>) -> Void)?) throws(EngineError) {
        guard !tokens.isEmpty else { return }
        guard position + tokens.count <= contextLength else {
            throw .contextFull(capacity: contextLength, needed: position + tokens.count)
        }
        let vocab = model.config.vocabularySize
        for t in tokens where t < 0 || Int(t) >= vocab {
            throw .invalidToken(id: t, vocabularySize: vocab)
        }
        if allLogits != nil && batchLogits == nil {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: batchCapacity * vocab)
            p.initialize(repeating: 0, count: batchCapacity * vocab)
            batchLogits = p
        }
        var start = 0
        while start < tokens.count {
            let count = min(batchCapacity, tokens.count - start)
            let batch = UnsafeBufferPointer(rebasing: tokens[start..<(start + count)])
            let isLast = start + count == tokens.count
            Llama.forward(context: self, tokens: batch, logits: allLogits != nil ? .all : (isLast ? .last : .none),
                          promptOrder: tokens.count > 1)
            if let allLogits, let all = batchLogits {
                for i in 0..<count {
                    allLogits(start + i, UnsafeBufferPointer(start: all + i * vocab, count: vocab))
                }
                if isLast { logits.update(from: all + (count - 1) * vocab, count: vocab) }
            }
            position += count
            start += count
        }
    }

    /// Runs `fn(ctx, begin, end, thread)` over `count` items in chunks of `grain` items on the context's threads
    /// (`thread` indexes per-thread scratch). Runs on the caller's thread when one thread is asked for.
    @inline(__always)
    func parallel(_ count: Int, grain: Int, _ fn: pk_pool_fn, _ ctx: UnsafeMutableRawPointer) {
        pool.run(count, grain: grain, fn, ctx)
    }

    /// Calls `fn(ctx, thread, thread + 1, thread)` once on each of the context's threads (0 is the caller): for
    /// tests that look at per-thread state, such as allocation counters.
    package func runOnEachThread(_ fn: pk_pool_fn, _ ctx: UnsafeMutableRawPointer) {
        pool.runOnEachThread(fn, ctx)
    }

    /// Matrix rows per chunk of parallel work: about three chunks per thread, so a thread slowed by another
    /// process takes fewer and both finish together, in multiples of 16 rows, so that each row goes through the
    /// same kernel code (and gets the same bits) whatever the number of threads.
    func rowGrain(_ rows: Int) -> Int {
        let chunks = 3 * pool.threads
        return max(16, ((rows + chunks - 1) / chunks + 15) / 16 * 16)
    }
}
