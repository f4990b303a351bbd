// Internal: the per-instruction-set entry points of the float ops (pk_ops.h), slots of each path's kernel table
// (quants_impl.h): the scalar reference in ops.c, the AVX2 versions in ops_avx2.c.
#ifndef PRECIS_OPS_INTERNAL_H
#define PRECIS_OPS_INTERNAL_H
#include <stdint.h>

/// y[i] = f16(x[i]).
typedef void (*pk_to_f16_fn)(const float *restrict x, uint16_t *restrict y, int64_t n);
/// pk_swiglu (pk_ops.h) for one instruction set.
typedef void (*pk_swiglu_fn)(const float *gate, const float *up, float *out, int64_t n);

/// pk_attention_head (pk_ops.h) for one instruction set.
typedef void (*pk_attention_head_fn)(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                                     const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim,
                                     float scale, int order, float *restrict scores, uint16_t *restrict q16);

/// The scalar references (ops.c); pk_attention_head_ref is also the AVX2 path's fallback for unusual head sizes.
void pk_to_f16_ref(const float *restrict x, uint16_t *restrict y, int64_t n);
void pk_swiglu_ref(const float *gate, const float *up, float *out, int64_t n);
void pk_attention_head_ref(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                           const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim, float scale,
                           int order, float *restrict scores, uint16_t *restrict q16);
void pk_attention_head_avx2(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                            const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim,
                            float scale, int order, float *restrict scores, uint16_t *restrict q16);
void pk_swiglu_avx2(const float *gate, const float *up, float *out, int64_t n);
void pk_to_f16_avx2(const float *restrict x, uint16_t *restrict y, int64_t n);
#endif
