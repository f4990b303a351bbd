// AVX2 + FMA + F16C path of the quantized kernels (the kernels themselves: quants_x86.inc).
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "quants_impl.h"

#define PK_X86_VNNI 0
#define PK_X86_TABLE pk_kernels_avx2
#define PK_X86_NAME "avx2"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#include "quants_x86.inc"
#endif
