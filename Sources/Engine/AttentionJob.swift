import CKernels

// Parallel work of the forward pass as a plain struct run by a C entry point on the context's thread pool
// (`ThreadPool.run`): no closure context, so a decoded token allocates nothing (ProjectionJob is the other one).

/// Causal grouped-query attention of a batch: row b sees positions 0...start + b; query head h reads KV head
/// h / group. Over an f16 cache one item is one (row, query head) (`pk_attention_head`), KV head by KV head; over a q8_0 cache one item
/// is one KV head and a block of `q8_0Rows` rows, all its query heads together (`pk_attention_rows_q8_0`, decode
/// too: each key and value row is read once for the block's queries).
struct AttentionJob {
    /// Rows per item over a q8_0 cache: 8 rows × SmolLM2's 3 query heads per KV head are 24 queries, within the
    /// 32 the x86 kernel takes per pass.
    static let q8_0Rows = 8

    var out: UnsafeMutablePointer<Float>    // [B, queryWidth]
    var q: UnsafeMutablePointer<Float>      // [B, queryWidth], after RoPE
    var keys: UnsafeRawPointer              // this layer's cache at position 0, [position][kvWidth]
    var values: UnsafeRawPointer
    var cacheType: KVCacheType
    var rowBytes: Int                       // bytes between positions in the cache
    var queryWidth: Int
    var kvWidth: Int
    var heads: Int
    var group: Int
    var headDimension: Int
    var start: Int
    var rows: Int
    var scale: Float
    var order: Int32                          // PK_ORDER_DOT (a decoded token) or PK_ORDER_GEMM (a prompt)
    var scratch: UnsafeMutablePointer<Float>  // [threads, scratchStride]: f16, a query's scores, then its halves
    var scratchStride: Int

    var items: Int {
        cacheType == .q8_0 ? (heads / group) * ((rows + Self.q8_0Rows - 1) / Self.q8_0Rows) : rows * heads
    }

    static let entry: pk_pool_fn = { ctx, begin, end, thread in
        let j = ctx!.assumingMemoryBound(to: AttentionJob.self).pointee
        let hd = j.headDimension
        let scratch = j.scratch + Int(thread) * j.scratchStride
        if j.cacheType == .q8_0 {
            // llama.cpp's flash-attention arithmetic: `order` does not apply (it sums a prompt's rows as it sums a
            // decoded token's).
            let headBytes = j.rowBytes / (j.kvWidth / hd)
            let blocks = (j.rows + q8_0Rows - 1) / q8_0Rows
            for item in Int(begin)..<Int(end) {
                let g = item / blocks, r0 = (item % blocks) * q8_0Rows
                let rows = min(q8_0Rows, j.rows - r0)
                let at = r0 * j.queryWidth + g * j.group * hd
                pk_attention_rows_q8_0(j.out + at, j.q + at, j.queryWidth, j.keys + g * headBytes,
                                       j.values + g * headBytes, j.rowBytes, Int64(rows), Int64(j.group),
                                       Int64(j.start + r0 + 1), Int64(hd), j.scale, scratch)
            }
            return
        }
        let keys = j.keys.assumingMemoryBound(to: UInt16.self), values = j.values.assumingMemoryBound(to: UInt16.self)
        // Items in KV-head-major order (all rows of KV head 0's query heads, then KV head 1's, …): a thread's
        // consecutive items read the same key and value rows while they are in cache (prefill of a long prompt,
        // 1920 tokens at 1 thread: 6-9% faster than row-major, as fast as before the rows kernel went).
        let perKVHead = j.rows * j.group
        for item in Int(begin)..<Int(end) {
            let g = item / perKVHead, b = (item % perKVHead) / j.group, h = g * j.group + item % j.group
            let positions = j.start + b + 1
            let halves = UnsafeMutableRawPointer(scratch + positions).assumingMemoryBound(to: UInt16.self)
            let at = b * j.queryWidth + h * hd
            pk_attention_head(j.out + at, j.q + at, keys + g * hd, values + g * hd, j.kvWidth, Int64(positions),
                              Int64(hd), j.scale, j.order, scratch, halves)
        }
    }
}
