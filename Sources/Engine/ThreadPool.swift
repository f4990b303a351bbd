import CKernels

/// A persistent pool of threads for the row-parallel work of one forward pass (wraps CKernels' `pk_pool`).
///
/// Workers are created once and spin briefly between parallel regions, so the ~200 short regions of a decoded
/// token start without waking a thread each time (what `DispatchQueue.concurrentPerform` paid for). Chunks of work
/// are claimed by whichever thread is free: a core slowed by another process takes fewer, and both finish
/// together. One pool belongs to one `InferenceContext`; it is not for concurrent callers.
package final class ThreadPool {
    package let threads: Int
    private let pool: OpaquePointer?

    /// A pool of `threads` threads: the caller and `threads` − 1 workers. With one thread (or when a thread cannot
    /// be created) everything runs on the caller.
    package init(threads: Int) {
        precondition(threads > 0)
        pool = threads > 1 ? pk_pool_create(Int32(threads)) : nil
        self.threads = pool == nil ? 1 : threads
    }

    deinit { pk_pool_destroy(pool) }

    /// Calls `fn(ctx, begin, end, thread)` over [0, count) in chunks of `grain` items (boundaries at multiples of
    /// `grain`), on all threads; `thread` < `threads` indexes per-thread scratch. Returns when every chunk is done.
    /// The forward pass's work is a C function and a pointer to a plain struct: a Swift closure would need
    /// `withoutActuallyEscaping`, which allocates a context on every call.
    @inline(__always)
    func run(_ count: Int, grain: Int, _ fn: pk_pool_fn, _ ctx: UnsafeMutableRawPointer) {
        guard count > 0 else { return }
        guard let pool else { return fn(ctx, 0, Int64(count), 0) }
        pk_pool_run(pool, Int64(count), Int64(grain), fn, ctx)
    }

    /// Calls `fn(ctx, thread, thread + 1, thread)` once on every thread of the pool (wraps `pk_pool_run_each`).
    package func runOnEachThread(_ fn: pk_pool_fn, _ ctx: UnsafeMutableRawPointer) {
        guard let pool else { return fn(ctx, 0, 1, 0) }
        pk_pool_run_each(pool, fn, ctx)
    }

    package typealias Body = (Range<Int>, Int) -> Void

    /// `run` for a closure (allocates its context once per call: for tests and tools, not per token).
    package func run(_ count: Int, grain: Int, _ body: Body) {
        withoutActuallyEscaping(body) { escapable in
            var work = escapable
            withUnsafeMutablePointer(to: &work) { p in
                run(count, grain: grain, { ctx, begin, end, thread in
                    ctx!.assumingMemoryBound(to: Body.self).pointee(Int(begin)..<Int(end), Int(thread))
                }, p)
            }
        }
    }
}
