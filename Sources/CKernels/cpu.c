// Runtime CPU feature detection for kernel dispatch.
#include "ckernels.h"

uint32_t pk_cpu_features(void) {
    uint32_t f = 0;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2")) f |= PK_CPU_AVX2;
    if (__builtin_cpu_supports("fma")) f |= PK_CPU_FMA;
    if (__builtin_cpu_supports("f16c")) f |= PK_CPU_F16C;
    if (__builtin_cpu_supports("avx512f")) f |= PK_CPU_AVX512F;
    if (__builtin_cpu_supports("avx512bw")) f |= PK_CPU_AVX512BW;
    if (__builtin_cpu_supports("avx512vnni")) f |= PK_CPU_AVX512VNNI;
    if (__builtin_cpu_supports("avx512bf16")) f |= PK_CPU_AVX512BF16;
    if (__builtin_cpu_supports("avxvnni")) f |= PK_CPU_AVXVNNI;
#elif defined(__aarch64__)
    f |= PK_CPU_NEON;
#if defined(__ARM_FEATURE_DOTPROD)
    f |= PK_CPU_NEON_DOTPROD;
#endif
#endif
    return f;
}
