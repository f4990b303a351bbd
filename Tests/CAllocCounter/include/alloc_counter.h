#ifndef PRECIS_ALLOC_COUNTER_H
#define PRECIS_ALLOC_COUNTER_H
// Counts heap allocations of the whole test process (malloc, calloc, realloc, memalign and friends), for tests
// that prove a hot path allocates nothing. The functions interpose glibc's and forward to its `__libc_*` entry
// points; counting is one relaxed atomic add.
#include <stdint.h>

/// Allocations since the process started (all threads).
uint64_t precis_allocation_count(void);
/// Allocations made by the calling thread since it started (not disturbed by tests running in parallel).
uint64_t precis_thread_allocation_count(void);

#endif
