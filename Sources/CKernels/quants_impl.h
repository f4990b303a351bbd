#ifndef PRECIS_QUANTS_IMPL_H
#define PRECIS_QUANTS_IMPL_H
// Internal to the quantized kernels: ggml's block layouts, half-precision conversion, the per-path kernel table.
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "ops_internal.h"
#include "pk_quants.h"

#define PK_QK 32     // elements per block of the 32-element types
#define PK_QK_K 256  // elements per super-block of the K-quants

typedef uint16_t pk_half;

// Block layouts, byte for byte as ggml stores them (little-endian, no padding).
typedef struct { pk_half d; uint8_t qs[16]; } pk_block_q4_0;                          // 18 bytes
typedef struct { pk_half d, m; uint8_t qs[16]; } pk_block_q4_1;                       // 20 bytes
typedef struct { pk_half d; uint8_t qh[4]; uint8_t qs[16]; } pk_block_q5_0;           // 22 bytes
typedef struct { pk_half d, m; uint8_t qh[4]; uint8_t qs[16]; } pk_block_q5_1;        // 24 bytes
typedef struct { pk_half d; int8_t qs[32]; } pk_block_q8_0;                           // 34 bytes
typedef struct { pk_half d, s; int8_t qs[32]; } pk_block_q8_1;                        // 36 bytes; s = d * sum(qs)
// K-quants: 8 sub-blocks of 32 with 6-bit scales and mins packed in 12 bytes.
typedef struct { pk_half d, dmin; uint8_t scales[12]; uint8_t qs[128]; } pk_block_q4_K;              // 144 bytes
typedef struct { pk_half d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } pk_block_q5_K; // 176
// Q6_K: 16 sub-blocks of 16 with 8-bit signed scales; low 4 bits in ql, high 2 bits in qh.
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; pk_half d; } pk_block_q6_K;     // 210 bytes
// Q8_K (activations only): float scale, and the sums of each 16 quants for the K-quants' min terms.
typedef struct { float d; int8_t qs[256]; int16_t bsums[16]; } pk_block_q8_K;                       // 292 bytes

_Static_assert(sizeof(pk_block_q4_0) == 18, "q4_0 layout");
_Static_assert(sizeof(pk_block_q4_1) == 20, "q4_1 layout");
_Static_assert(sizeof(pk_block_q5_0) == 22, "q5_0 layout");
_Static_assert(sizeof(pk_block_q5_1) == 24, "q5_1 layout");
_Static_assert(sizeof(pk_block_q8_0) == 34, "q8_0 layout");
_Static_assert(sizeof(pk_block_q8_1) == 36, "q8_1 layout");
_Static_assert(sizeof(pk_block_q4_K) == 144, "q4_K layout");
_Static_assert(sizeof(pk_block_q5_K) == 176, "q5_K layout");
_Static_assert(sizeof(pk_block_q6_K) == 210, "q6_K layout");
_Static_assert(sizeof(pk_block_q8_K) == 292, "q8_K layout");

/// IEEE half → float, exact (subnormals, infinities and NaNs included).
static inline float pk_h2f(pk_half h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        float f = (float)man * 0x1p-24f;  // zero or subnormal: man * 2^-24, exact
        memcpy(&bits, &f, 4);
        bits |= sign;
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 112u) << 23) | (man << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// float → IEEE half, rounding to nearest even (as F16C's vcvtps2ph with rounding mode 0, which ggml uses).
static inline pk_half pk_f2h(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return (pk_half)(sign | 0x7e00u);       // NaN
    if (ax >= 0x477ff000u) return (pk_half)(sign | 0x7c00u);      // ≥ 65520 (or inf) rounds to inf
    if (ax < 0x38800000u) {                                        // below 2^-14: subnormal or zero
        float af;
        memcpy(&af, &ax, 4);
        float r = af * 0x1p24f;                                    // exact; in [0, 1024)
        uint32_t m = (uint32_t)((r + 8388608.0f) - 8388608.0f);    // round to nearest even integer
        return (pk_half)(sign | m);                                // m == 1024 is the smallest normal
    }
    ax += 0xfffu + ((ax >> 13) & 1u);                              // round to nearest even at bit 13
    return (pk_half)(sign | ((ax - 0x38000000u) >> 13));           // rebias exponent 127 → 15
}

static inline float pk_bf2f(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

/// float → bfloat16, rounding to nearest even; NaNs stay quiet NaNs (as ggml's `ggml_compute_fp32_to_bf16`).
static inline uint16_t pk_f2bf(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 64u);
    return (uint16_t)((u + (0x7fffu + ((u >> 16) & 1u))) >> 16);
}

/// Rounds half away from zero, as C's roundf (llama.cpp's reference quantizers use roundf).
static inline int pk_roundf_int(float x) { return (int)__builtin_roundf(x); }

/// Round to nearest, ties to even, by the float magic-number trick (llama.cpp's `nearest_int`, used by Q8_K).
static inline int pk_nearest_int(float fval) {
    float val = fval + 12582912.0f;
    int32_t i;
    memcpy(&i, &val, 4);
    return (i & 0x007fffff) - 0x00400000;
}

// 6-bit scale j and min j of a Q4_K / Q5_K super-block.
static inline void pk_scale_min_k4(int j, const uint8_t *restrict q, uint8_t *restrict d, uint8_t *restrict m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = (uint8_t)((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
        *m = (uint8_t)((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
    }
}

// The kernel table of one instruction-set path. Slots are indexed by pk_type (values up to PK_BF16).
#define PK_TYPE_SLOTS 31

/// Dot product of `n` elements of a weight row `w` with an activation row `x` in the weight's vec-dot type.
typedef float (*pk_vec_dot_fn)(int64_t n, const void *restrict w, const void *restrict x);
/// Converts `n` floats into one row of a vec-dot type.
typedef void (*pk_quantize_fn)(const float *restrict x, void *restrict dst, int64_t n);
/// y[r] = dot(w row r, xq) for r in [0, nrows); rows `row_bytes` apart.
typedef void (*pk_matvec_fn)(const void *restrict w, size_t row_bytes, const void *restrict xq, float *restrict y,
                             int64_t n, int64_t nrows);
/// Y[b * y_stride + r] = dot(w row r, activation row b) for r in [0, nrows), b in [0, batch).
typedef void (*pk_matmul_fn)(const void *restrict w, size_t row_bytes, const void *restrict xq, size_t xq_stride,
                             float *restrict y, size_t y_stride, int64_t n, int64_t batch, int64_t nrows);

/// Queries a SIMD pk_attention_rows_q8_0 takes at once (its scratch holds that many quantized queries).
#define PK_ATTENTION_Q8_0_QUERIES 32
/// pk_attention_rows_q8_0 (pk_ops.h) for one instruction set; `scratch` holds
/// pk_attention_q8_0_scratch(n_rows · n_heads, head_dim) bytes.
typedef void (*pk_attention_q8_0_fn)(float *out, const float *q, size_t q_stride, const void *k, const void *v,
                                     size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0,
                                     int64_t head_dim, float scale, void *scratch);

typedef struct pk_kernels {
    const char *name;
    pk_attention_q8_0_fn attention_q8_0;     // NULL: ops.c's reference
    // The float ops of pk_ops.h; NULL: ops.c's reference.
    pk_to_f16_fn to_f16;
    pk_swiglu_fn swiglu;
    pk_attention_head_fn attention_f16;
    pk_vec_dot_fn vec_dot[PK_TYPE_SLOTS];    // by weight type
    pk_quantize_fn quantize[PK_TYPE_SLOTS];  // by vec-dot type (F32, F16, BF16, Q8_0, Q8_1, Q8_K)
    pk_matvec_fn matvec[PK_TYPE_SLOTS];      // by weight type; NULL: rows of vec_dot
    pk_matmul_fn matmul[PK_TYPE_SLOTS];      // by weight type; NULL: tiles of vec_dot
} pk_kernel_table;

extern const pk_kernel_table pk_kernels_scalar;
#if defined(__x86_64__)
extern const pk_kernel_table pk_kernels_avx2;
extern const pk_kernel_table pk_kernels_avx512;
#endif
#if defined(__aarch64__)
extern const pk_kernel_table pk_kernels_neon;
#endif

/// pk_attention_rows_q8_0's reference (ops.c): one head at a time.
void pk_attention_rows_q8_0_ref(float *out, const float *q, size_t q_stride, const void *k, const void *v,
                                size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0, int64_t head_dim,
                                float scale, void *scratch);

// Scalar reference kernels (quants_ref.c), also the fallback of the SIMD tables for what they do not cover.
void pk_ref_quantize_q8_0(const float *restrict x, void *restrict dst, int64_t n);
void pk_ref_quantize_q8_1(const float *restrict x, void *restrict dst, int64_t n);
void pk_ref_quantize_q8_K(const float *restrict x, void *restrict dst, int64_t n);
void pk_ref_quantize_f16(const float *restrict x, void *restrict dst, int64_t n);
void pk_ref_quantize_bf16(const float *restrict x, void *restrict dst, int64_t n);
void pk_ref_quantize_f32(const float *restrict x, void *restrict dst, int64_t n);
float pk_ref_dot_f32(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_f16(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_bf16(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_q4_0(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_q4_1(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_q5_0(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_q5_1(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_q8_0(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_q4_K(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_q5_K(int64_t n, const void *restrict w, const void *restrict x);
float pk_ref_dot_q6_K(int64_t n, const void *restrict w, const void *restrict x);

#endif
