#ifndef PRECIS_PK_QUANTS_H
#define PRECIS_PK_QUANTS_H
// Quantized tensor kernels: dequantization, activation quantization, dot products and matrix products,
// over weights in GGUF (ggml) block layouts, used in place from the mapped file.
//
// Every function has a scalar reference (quants_ref.c) that is the spec; SIMD paths (one file per instruction
// set: quants_avx2.c, quants_avx512.c, quants_neon.c) must agree with it within per-type tolerances, and their
// activation quantizers byte for byte, except the x86 Q8_0/Q8_1 quantizers, which are llama.cpp's x86 ones
// (127/amax and round to nearest even instead of 1/d and roundf: a quant differs by one near a half). The x86
// Q4_1 and Q8_0 products are ggml's x86 vec_dot to the bit, in decode and in prefill alike. The path is picked once at first use from the CPU's features; the
// environment variable PRECIS_KERNELS=scalar|avx2|avx512|neon forces one. Tests and benchmarks run every path side
// by side through the `_with` functions, without touching the process-wide choice. No function allocates.
#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Tensor types, numbered as ggml's `ggml_type`.
typedef enum {
    PK_F32 = 0, PK_F16 = 1, PK_Q4_0 = 2, PK_Q4_1 = 3, PK_Q5_0 = 6, PK_Q5_1 = 7, PK_Q8_0 = 8, PK_Q8_1 = 9,
    PK_Q2_K = 10, PK_Q3_K = 11, PK_Q4_K = 12, PK_Q5_K = 13, PK_Q6_K = 14, PK_Q8_K = 15, PK_BF16 = 30,
} pk_type;

/// Elements per block and bytes per block of a type (0 for a type the kernels do not support).
int64_t pk_block_size(pk_type t);
size_t pk_block_bytes(pk_type t);
/// Bytes of a row of `n` elements (`n` a multiple of the block size).
size_t pk_row_bytes(pk_type t, int64_t n);

/// 1 when `t` can be a weight type of pk_vec_dot / pk_matvec / pk_matmul (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1,
/// Q8_0, Q4_K, Q5_K, Q6_K), else 0: check at load time, the products do nothing for other types.
int pk_supports(pk_type t);

/// Dequantizes `n` elements (a multiple of the block size) of type `t` into floats.
void pk_dequantize_row(pk_type t, const void *restrict src, float *restrict dst, int64_t n);

/// The type activations are converted to before a dot product with weights of type `t` (llama.cpp's
/// `vec_dot_type`): Q4_0, Q5_0, Q8_0 → Q8_0; Q4_1, Q5_1 → Q8_1; K-quants → Q8_K; F16 → F16; BF16 → BF16;
/// F32 → F32.
pk_type pk_vec_dot_type(pk_type t);

/// Converts `n` floats into the vec-dot type of weight type `t` (`pk_row_bytes(pk_vec_dot_type(t), n)` bytes).
void pk_quantize_activations(pk_type weight_type, const float *restrict x, void *restrict dst, int64_t n);

/// y[i - row0] = dot(row i of w, x) for rows i in [row0, row1). `w` points at row 0; rows are
/// `pk_row_bytes(weight_type, n)` apart; `xq` is one activation row from `pk_quantize_activations`.
void pk_matvec(pk_type weight_type, const void *restrict w, const void *restrict xq, float *restrict y,
               int64_t n, int64_t row0, int64_t row1);

/// Matrix product over a batch: Y[b * y_stride + i] = dot(row i of w, activation row b) for b in [0, batch)
/// and i in [row0, row1). Activation rows are `xq_stride` bytes apart. Blocked for the caches.
void pk_matmul(pk_type weight_type, const void *restrict w, const void *restrict xq, size_t xq_stride,
               float *restrict y, size_t y_stride, int64_t n, int64_t batch, int64_t row0, int64_t row1);

/// dot(w, xq) of one weight row and one activation row from `pk_quantize_activations` (`n` elements).
float pk_vec_dot(pk_type weight_type, const void *restrict w, const void *restrict xq, int64_t n);

/// IEEE half and bfloat16 conversions (float → half/bfloat16 rounds to nearest even, as ggml does).
float pk_fp16_to_fp32(uint16_t h);
uint16_t pk_fp32_to_fp16(float f);
float pk_bf16_to_fp32(uint16_t h);
uint16_t pk_fp32_to_bf16(float f);

/// One instruction-set path's kernels. The functions above use the process-wide path; the `_with` forms below run
/// on a given one without changing it (tests compare paths side by side; benchmarks time each).
typedef struct pk_kernels pk_kernels;

/// The kernels of the path `name` ("scalar", "avx2", "avx512", "neon"), or NULL when this CPU or build cannot run it.
const pk_kernels *pk_kernels_named(const char *name);
const char *pk_kernels_name(const pk_kernels *k);
void pk_quantize_activations_with(const pk_kernels *k, pk_type weight_type, const float *restrict x,
                                  void *restrict dst, int64_t n);
float pk_vec_dot_with(const pk_kernels *k, pk_type weight_type, const void *restrict w, const void *restrict xq,
                      int64_t n);
void pk_matvec_with(const pk_kernels *k, pk_type weight_type, const void *restrict w, const void *restrict xq,
                    float *restrict y, int64_t n, int64_t row0, int64_t row1);
void pk_matmul_with(const pk_kernels *k, pk_type weight_type, const void *restrict w, const void *restrict xq,
                    size_t xq_stride, float *restrict y, size_t y_stride, int64_t n, int64_t batch, int64_t row0,
                    int64_t row1);

/// pk_attention_rows_q8_0 (pk_ops.h) on a given path (NULL or a path without its own kernel: the reference).
void pk_attention_rows_q8_0_with(const pk_kernels *k, float *out, const float *q, size_t q_stride, const void *keys,
                                 const void *values, size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0,
                                 int64_t head_dim, float scale, void *scratch);
/// The kernel path in use: "scalar", "avx2", "avx512" or "neon".
const char *pk_kernel_path(void);
/// Forces a path by name; returns 0 on success, -1 when this CPU or build cannot run it.
int pk_force_kernel_path(const char *name);

#ifdef __cplusplus
}
#endif
#endif
