#ifndef PRECIS_CKERNELS_H
#define PRECIS_CKERNELS_H
// Hot loops of the engine, with runtime CPU dispatch. Public names carry the `pk_` prefix.
#include <stdint.h>
#include <stddef.h>
#include "pk_quants.h"
#include "pk_ops.h"
#include "pk_pool.h"

#ifdef __cplusplus
extern "C" {
#endif

/// CPU features the kernels can use, as bits of `pk_cpu_features()`.
enum {
    PK_CPU_AVX2        = 1u << 0,
    PK_CPU_FMA         = 1u << 1,
    PK_CPU_F16C        = 1u << 2,
    PK_CPU_AVX512F     = 1u << 3,
    PK_CPU_AVX512BW    = 1u << 4,
    PK_CPU_AVX512VNNI  = 1u << 5,
    PK_CPU_AVX512BF16  = 1u << 6,
    PK_CPU_AVXVNNI     = 1u << 7,
    PK_CPU_NEON        = 1u << 8,
    PK_CPU_NEON_DOTPROD = 1u << 9,
};

/// The features of the CPU this process runs on (cpuid on x86-64; compile-time on arm64).
uint32_t pk_cpu_features(void);

#ifdef __cplusplus
}
#endif
#endif
