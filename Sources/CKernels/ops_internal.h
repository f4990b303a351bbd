// Internal: the per-instruction-set entry points of the float ops (pk_ops.h), picked once in ops.c.
#ifndef PRECIS_OPS_INTERNAL_H
#define PRECIS_OPS_INTERNAL_H
#include <stdint.h>

/// Σ f16(a[i]) · f16(b[i]) in float.
typedef float (*pk_dot_f16_fn)(const uint16_t *restrict a, const uint16_t *restrict b, int64_t n);
/// y[i] += s · f16(x[i]).
typedef void (*pk_axpy_f16_fn)(float *restrict y, float s, const uint16_t *restrict x, int64_t n);
/// y[i] = f16(x[i]).
typedef void (*pk_to_f16_fn)(const float *restrict x, uint16_t *restrict y, int64_t n);

/// pk_attention_head (pk_ops.h) for one instruction set.
typedef void (*pk_attention_head_fn)(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                                     const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim,
                                     float scale, float *restrict scores, uint16_t *restrict q16);

/// pk_attention_rows (pk_ops.h) for one instruction set.
typedef void (*pk_attention_rows_fn)(float *out, const float *q, size_t q_stride, const uint16_t *k,
                                     const uint16_t *v, size_t kv_stride, int64_t n_rows, int64_t n_heads,
                                     int64_t n_kv0, int64_t head_dim, float scale, float *scratch);

void pk_attention_head_avx2(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                            const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim,
                            float scale, float *restrict scores, uint16_t *restrict q16);
float pk_dot_f16_avx2(const uint16_t *restrict a, const uint16_t *restrict b, int64_t n);
void pk_axpy_f16_avx2(float *restrict y, float s, const uint16_t *restrict x, int64_t n);
void pk_to_f16_avx2(const float *restrict x, uint16_t *restrict y, int64_t n);

/// Keys (and values) converted per block of this many positions in pk_attention_rows.
enum { PK_ATTENTION_KV_BLOCK = 64 };
void pk_attention_rows_avx2(float *out, const float *q, size_t q_stride, const uint16_t *k, const uint16_t *v,
                            size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0, int64_t head_dim,
                            float scale, float *scratch);
#endif
