#ifndef PRECIS_PK_POOL_H
#define PRECIS_PK_POOL_H
// A persistent thread pool for the row-parallel work of one forward pass (matrix rows, attention heads).
//
// Decode runs about 200 small parallel regions per token (a few microseconds each), too short to pay for waking
// threads every time: the pool's workers are created once, spin briefly on an atomic generation counter after
// each region (so the next one starts without a system call) and sleep on a condition variable only after a quiet
// spell. Work is claimed in chunks from an atomic counter, so a core that another process slows down takes fewer
// chunks and both finish together; the caller works too and never waits for a worker that has not started.
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pk_pool pk_pool;

/// Runs items [begin, end) on thread `thread` (0 is the caller, 1... the workers: an index for per-thread scratch).
typedef void (*pk_pool_fn)(void *ctx, int64_t begin, int64_t end, int thread);

/// A pool running work on `threads` threads: the caller and `threads` − 1 workers created now. NULL if a thread
/// cannot be created.
pk_pool *pk_pool_create(int threads);
/// Stops and joins the workers.
void pk_pool_destroy(pk_pool *pool);
int pk_pool_threads(const pk_pool *pool);

/// Calls `fn` over items [0, count) in chunks of `grain` items (the last may be shorter; every chunk boundary is a
/// multiple of `grain`) claimed by whichever thread is free, and returns when all are done. With one thread, or
/// one chunk, everything runs on the caller. Not reentrant: one caller at a time.
void pk_pool_run(pk_pool *pool, int64_t count, int64_t grain, pk_pool_fn fn, void *ctx);

/// Calls `fn(ctx, t, t + 1, t)` once on every thread t of the pool (waking sleeping workers) and returns when all
/// have run: for per-thread setup and for tests.
void pk_pool_run_each(pk_pool *pool, pk_pool_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
