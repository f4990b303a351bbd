import CKernels

// Parallel work of the forward pass as a plain struct run by a C entry point on the context's thread pool
// (`ThreadPool.run`): no closure context, so a decoded token allocates nothing (ProjectionJob is the other one).

/// Causal grouped-query attention of a batch: row b sees positions 0...start + b; query head h reads KV head
/// h / group. Either one (row, query head) per item (`pk_attention_head`, f16 decode) or, with `rowsPerItem` > 0,
/// one (KV head, block of rows) per item, all its query heads together (`pk_attention_rows`, prefill: the same
/// bits; `pk_attention_rows_q8_0` for a q8_0 cache, decode too, so each key and value row is read once per group).
struct AttentionJob {
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
    var rowsPerItem: Int
    var scale: Float
    var order: Int32                          // PK_ORDER_DOT (a decoded token) or PK_ORDER_GEMM (a prompt)
    var scratch: UnsafeMutablePointer<Float>  // [threads, scratchStride]
    var scratchStride: Int

    var items: Int {
        rowsPerItem > 0 ? (heads / group) * ((rows + rowsPerItem - 1) / rowsPerItem) : rows * heads
    }

    static let entry: pk_pool_fn = { ctx, begin, end, thread in
        let j = ctx!.assumingMemoryBound(to: AttentionJob.self).pointee
        let hd = j.headDimension
        let scratch = j.scratch + Int(thread) * j.scratchStride
        let keys = j.keys.assumingMemoryBound(to: UInt16.self), values = j.values.assumingMemoryBound(to: UInt16.self)
        for item in Int(begin)..<Int(end) {
            if j.rowsPerItem > 0 {
                let blocks = (j.rows + j.rowsPerItem - 1) / j.rowsPerItem
                let g = item / blocks, r0 = (item % blocks) * j.rowsPerItem
                let rows = min(j.rowsPerItem, j.rows - r0)
                let at = r0 * j.queryWidth + g * j.group * hd
                if j.cacheType == .q8_0 {
                    // llama.cpp's flash-attention arithmetic: `order` does not apply (it sums a prompt's rows as it
                    // sums a decoded token's).
                    let headBytes = j.rowBytes / (j.kvWidth / hd)
                    pk_attention_rows_q8_0(j.out + at, j.q + at, j.queryWidth, j.keys + g * headBytes,
                                           j.values + g * headBytes, j.rowBytes, Int64(rows), Int64(j.group),
                                           Int64(j.start + r0 + 1), Int64(hd), j.scale, scratch)
                } else {
                    pk_attention_rows(j.out + at, j.q + at, j.queryWidth, keys + g * hd, values + g * hd, j.kvWidth,
                                      Int64(rows), Int64(j.group), Int64(j.start + r0 + 1), Int64(hd), j.scale, j.order,
                                      scratch)
                }
            } else {
                let b = item / j.heads, h = item % j.heads
                let kvOffset = (h / j.group) * hd
                let halves = UnsafeMutableRawPointer(scratch + j.start + b + 1).assumingMemoryBound(to: UInt16.self)
                pk_attention_head(j.out + b * j.queryWidth + h * hd, j.q + b * j.queryWidth + h * hd,
                                  keys + kvOffset, values + kvOffset, j.kvWidth, Int64(j.start + b + 1),
                                  Int64(hd), j.scale, j.order, scratch, halves)
            }
        }
    }
}
