// Interposes the allocation functions of glibc to count calls; see alloc_counter.h.
#include "alloc_counter.h"
#if defined(__linux__) && defined(__GLIBC__)
#include <errno.h>
#include <stddef.h>
#include <stdatomic.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static _Atomic uint64_t allocations;
// Initial-exec TLS: this file is linked into the test executable, so reading it never allocates (no recursion).
static __thread uint64_t thread_allocations __attribute__((tls_model("initial-exec")));

static inline void count(void) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    thread_allocations++;
}

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    count();
    void *p = __libc_memalign(alignment, size);
    if (!p && size) return ENOMEM;
    *out = p;
    return 0;
}

uint64_t precis_allocation_count(void) { return atomic_load_explicit(&allocations, memory_order_relaxed); }
uint64_t precis_thread_allocation_count(void) { return thread_allocations; }
#else
// Not counted on this platform.
uint64_t precis_allocation_count(void) { return UINT64_MAX; }
uint64_t precis_thread_allocation_count(void) { return UINT64_MAX; }
#endif
