// The persistent thread pool of pk_pool.h.
//
// One word, `state`, holds the current job's chunk count (high 32 bits) and the next unclaimed chunk (low 32
// bits). A thread claims a chunk by compare-and-swap on it and reads the job's function only after a successful
// claim, so a worker that wakes late can only take chunks of the job in hand (a stale claim fails). `active`
// counts workers between their first claim attempt and their last; the caller, after failing to claim (every
// chunk taken), waits until it is zero, so when pk_pool_run returns every chunk has finished.
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include "pk_pool.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif

/// How long an idle worker spins before it sleeps: longer than the gaps between the parallel regions of one
/// token and between tokens (norms, sampling: tens of microseconds), short enough not to burn a core for long.
enum { SPIN_NS = 500 * 1000 };

typedef struct {
    pk_pool_fn fn;
    void *ctx;
    int64_t count, grain;
} job;

struct pk_pool {
    int threads;
    pthread_t *workers;
    job current;                    // written by the caller before `state` publishes it
    _Atomic uint64_t state;         // chunks << 32 | next
    _Atomic int active;             // workers inside the claim loop
    job each;                       // the pk_pool_run_each job, stable until `each_remaining` is 0
    _Atomic uint32_t each_generation;  // 0 at creation (calloc), bumped by each pk_pool_run_each
    _Atomic int each_remaining;
    _Atomic int stop;
    _Atomic int sleepers;
    pthread_mutex_t lock;
    pthread_cond_t wake;
};

typedef struct {
    pk_pool *pool;
    int index;
} worker_arg;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int has_chunks(uint64_t s) { return (uint32_t)s < (uint32_t)(s >> 32); }

/// Claims the next chunk of the current job; 0 when none is left.
static int claim(pk_pool *pool, job *out, int64_t *chunk) {
    uint64_t s = atomic_load(&pool->state);
    while (has_chunks(s)) {
        if (atomic_compare_exchange_weak(&pool->state, &s, s + 1)) {
            *out = pool->current;
            *chunk = (int64_t)(uint32_t)s;
            return 1;
        }
    }
    return 0;
}

static void run_chunks(pk_pool *pool, int thread) {
    job j;
    int64_t c;
    while (claim(pool, &j, &c)) {
        const int64_t begin = c * j.grain;
        const int64_t end = begin + j.grain < j.count ? begin + j.grain : j.count;
        j.fn(j.ctx, begin, end, thread);
    }
}

static int has_work(pk_pool *pool, uint32_t seen_each) {
    return has_chunks(atomic_load(&pool->state)) || atomic_load(&pool->each_generation) != seen_each ||
           atomic_load(&pool->stop);
}

static void *worker_main(void *p) {
    worker_arg arg = *(worker_arg *)p;
    free(p);
    pk_pool *pool = arg.pool;
    // The generation this worker has run: the pool's initial 0, not whatever it is by the time the thread starts.
    // pk_pool_run_each may already have published generation 1 and be waiting for this worker; reading it here
    // would mark it seen, and the caller would wait forever. No later generation can pass a worker unseen: each
    // waits until every worker has run the one before.
    uint32_t seen_each = 0;
    for (;;) {
        // Spin for a while, then sleep until the caller publishes work.
        if (!has_work(pool, seen_each)) {
            const uint64_t deadline = now_ns() + SPIN_NS;
            for (unsigned i = 1; !has_work(pool, seen_each); i++) {
                cpu_relax();
                if (i % 256 == 0 && now_ns() > deadline) {
                    pthread_mutex_lock(&pool->lock);
                    atomic_fetch_add(&pool->sleepers, 1);
                    while (!has_work(pool, seen_each)) pthread_cond_wait(&pool->wake, &pool->lock);
                    atomic_fetch_sub(&pool->sleepers, 1);
                    pthread_mutex_unlock(&pool->lock);
                    break;
                }
            }
        }
        if (atomic_load(&pool->stop)) return NULL;
        const uint32_t each = atomic_load(&pool->each_generation);
        if (each != seen_each) {
            seen_each = each;
            pool->each.fn(pool->each.ctx, arg.index, arg.index + 1, arg.index);
            atomic_fetch_sub(&pool->each_remaining, 1);
        }
        atomic_fetch_add(&pool->active, 1);
        run_chunks(pool, arg.index);
        atomic_fetch_sub(&pool->active, 1);
    }
}

static void wake_sleepers(pk_pool *pool) {
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->lock);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->lock);
    }
}

pk_pool *pk_pool_create(int threads) {
    if (threads < 1) threads = 1;
    pk_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->threads = threads;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pool->workers = calloc((size_t)threads, sizeof(pthread_t));
    if (!pool->workers) {
        free(pool);
        return NULL;
    }
    for (int i = 1; i < threads; i++) {
        worker_arg *arg = malloc(sizeof *arg);
        if (arg) *arg = (worker_arg){pool, i};
        if (!arg || pthread_create(&pool->workers[i], NULL, worker_main, arg) != 0) {
            free(arg);
            pool->threads = i;  // the workers started so far
            pk_pool_destroy(pool);
            return NULL;
        }
    }
    return pool;
}

void pk_pool_destroy(pk_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    atomic_store(&pool->stop, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 1; i < pool->threads; i++) pthread_join(pool->workers[i], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->lock);
    free(pool->workers);
    free(pool);
}

int pk_pool_threads(const pk_pool *pool) { return pool->threads; }

void pk_pool_run(pk_pool *pool, int64_t count, int64_t grain, pk_pool_fn fn, void *ctx) {
    if (count <= 0) return;
    if (grain < 1) grain = 1;
    const int64_t chunks = (count + grain - 1) / grain;
    if (pool->threads == 1 || chunks == 1) {
        fn(ctx, 0, count, 0);
        return;
    }
    pool->current = (job){fn, ctx, count, grain};
    atomic_store(&pool->state, (uint64_t)chunks << 32);
    wake_sleepers(pool);
    run_chunks(pool, 0);
    while (atomic_load(&pool->active) != 0) cpu_relax();
}

void pk_pool_run_each(pk_pool *pool, pk_pool_fn fn, void *ctx) {
    if (pool->threads > 1) {
        pool->each = (job){fn, ctx, pool->threads, 1};
        atomic_store(&pool->each_remaining, pool->threads - 1);
        atomic_fetch_add(&pool->each_generation, 1);
        wake_sleepers(pool);
    }
    fn(ctx, 0, 1, 0);
    while (atomic_load(&pool->each_remaining) != 0) cpu_relax();
}
