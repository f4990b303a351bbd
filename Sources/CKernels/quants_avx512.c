// AVX-512 path of the quantized kernels: the AVX2 kernels (quants_x86.inc) with every byte product through
// AVX-512 VNNI's vpdpbusd (256-bit, EVEX-encoded with AVX-512VL), which does vpmaddubsw + vpmaddwd + vpaddd in one
// instruction without 16-bit saturation. Chosen when cpuid reports AVX-512F, BW and VNNI (every such CPU has VL).
//
// This machine (AMD EPYC, AVX2 only) cannot run it: it is compiled and reviewed, and its tests
// (KernelPathTests) run wherever the CPU has AVX-512 VNNI.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "quants_impl.h"

#define PK_X86_VNNI 1
#define PK_X86_TABLE pk_kernels_avx512
#define PK_X86_NAME "avx512"
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni"))), apply_to = function)
#include "quants_x86.inc"
#endif
