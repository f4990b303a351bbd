#ifndef PRECIS_PK_OPS_H
#define PRECIS_PK_OPS_H
// Float operations of the forward pass (norms, rope, softmax, activations), owned by the engine's model code.
//
// The numerics are llama.cpp's CPU backend's (x86, AVX2), operation by operation, so that greedy decoding is
// token-exact with it: RMSNorm sums squares in double; RoPE angles are built by repeated multiplication in float
// and rotated with the fused multiply-adds gcc makes of ggml's expressions; SiLU and softmax use ggml's own
// exponential (pk_expf), softmax sums groups of 8 in double; attention rounds the query and the softmax weights
// to f16 before their products with the f16 KV cache, and sums those products in the order of the ggml kernel
// llama.cpp runs for them: ggml_vec_dot_f16 for one query row (decode), llamafile's tinyBLAS for a prompt batch.
//
// ops.c is the scalar reference. The f16 conversion of a row, SwiGLU and f16 attention (its softmax included) also
// have AVX2 versions (ops_avx2.c, used by the avx2 and avx512 paths), equal to the reference to the bit; they run
// on the kernel path of pk_quants.h (picked once from the CPU, PRECIS_KERNELS forces one), and the `_with` forms
// at the end run them on a given path (OpsPathTests compares every path with the reference).
#include <stdint.h>
#include <stddef.h>
#include "pk_quants.h"

#ifdef __cplusplus
extern "C" {
#endif

/// IEEE half precision <-> single precision, round to nearest even.
float pk_f16_to_f32(uint16_t h);
uint16_t pk_f32_to_f16(float f);
/// Converts `n` floats to halves.
void pk_f32_to_f16_row(const float *restrict x, uint16_t *restrict y, int64_t n);

/// y = x / sqrt(mean(x²) + eps) ⊙ w, for one row of `n` floats. `y` may equal `x`.
void pk_rmsnorm(const float *x, const float *restrict w, float *y, int64_t n, float eps);

/// The cos/sin table of one position: `cs[2i] = cos θᵢ, cs[2i+1] = sin θᵢ` for i in [0, n_rot/2), with
/// θᵢ = pos · freq_scale · base^(−2i/n_rot) / freq_factors[i] (`freq_factors` may be NULL).
void pk_rope_table(float *restrict cs, int64_t pos, int64_t n_rot, float base, float freq_scale,
                   const float *restrict freq_factors);

/// Rotates the first `n_rot` dimensions of each of `n_heads` heads of `head_dim` floats, in place.
/// `neox` = 0: pairs (x[2i], x[2i+1]) (llama); `neox` = 1: pairs (x[i], x[i + n_rot/2]) (NeoX, qwen2).
void pk_rope(float *x, int64_t n_heads, int64_t head_dim, int64_t n_rot, const float *restrict cs, int neox);

/// out = silu(gate) ⊙ up, silu(g) = g / (1 + e^(−g)) with e^x from pk_expf.
void pk_swiglu(const float *gate, const float *up, float *out, int64_t n);

/// e^x as ggml's vectorized expf computes it (ggml_v_expf, one lane): within about 1 ulp of expf, not equal.
float pk_expf(float x);

/// y += x.
void pk_add(float *restrict y, const float *restrict x, int64_t n);
/// y += b (a bias row) for each of `rows` rows of `n` floats, `stride` floats apart.
void pk_add_bias(float *y, const float *restrict b, int64_t n, int64_t rows, int64_t stride);

/// The summation orders of attention's f16 products (llama.cpp's two kernels for them).
enum {
    /// One query row at a time (decode): ggml_vec_dot_f16's four 8-lane accumulators.
    PK_ORDER_DOT = 0,
    /// A prompt batch (two or more rows): tinyBLAS's one 8-lane accumulator.
    PK_ORDER_GEMM = 1,
};

/// One query head attending over `n_kv` cached positions (causal: the caller passes the positions it may see).
///
/// `k` and `v` point at position 0 of this head's KV-head in f16 caches whose positions are `kv_stride` halves
/// apart. out[d] = Σⱼ f16(pⱼ) · v[j][d], p = softmax(scale · (f16(q) · k[j])), summed in the `order` (PK_ORDER_*)
/// of the batch the row belongs to. `scores` holds `n_kv` floats and `q16` `head_dim` halves of scratch.
void pk_attention_head(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                       const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim, float scale,
                       int order, float *restrict scores, uint16_t *restrict q16);

/// 1 when the query · key products of `order` use tinyBLAS's order (it needs head_dim a multiple of 8; llama.cpp
/// falls back to ggml_vec_dot_f16 otherwise).
int pk_attention_gemm_order(int order, int64_t head_dim);

/// In place: scores ← f16(softmax(scores)) as llama.cpp computes it (max subtracted, pk_expf, groups of 8 summed
/// in double, scaled by the float reciprocal, rounded to f16 for the product with the f16 values).
void pk_softmax_ggml(float *restrict scores, int64_t n);

/// Causal attention over a q8_0 KV cache, as llama.cpp's CPU flash attention computes it for q8_0 keys and values
/// (ggml_compute_forward_flash_attn_ext_f16_one_chunk; llama.cpp needs flash attention for a quantized V cache).
/// Row r of `n_rows` (consecutive positions), each of the `n_heads` query heads sharing one KV head, sees positions
/// [0, n_kv0 + r). Per query: the query quantized to q8_0 (pk_quantize_activations), sⱼ = scale · (k[j] · q) by
/// the q8_0 dot product (pk_vec_dot), then in position order an online softmax with libm's expf — when sⱼ is a new
/// maximum M, the output and the running sum are first multiplied by ms = e^(M_old − M) and the weight is 1, else
/// ms = 1 and the weight is e^(sⱼ − M) — out ← fma(dequantized v[j], weight, out), sum ← fma(sum, ms, weight);
/// finally out ← out · (1/sum). The query of row r, head h is at `q + r·q_stride + h·head_dim`, its output at the
/// same place in `out`; `k` and `v` point at this KV head's first block at position 0, positions `kv_stride` bytes
/// apart; `head_dim` is a multiple of 32. The x86 paths take up to 32 queries (rows × heads) together, each key
/// and value row read once for them; the reference in ops.c (the fallback of other paths) one query at a time:
/// AttentionQ8Tests holds them equal to the bit. `scratch` holds pk_attention_q8_0_scratch(n_rows · n_heads,
/// head_dim) bytes.
void pk_attention_rows_q8_0(float *out, const float *q, size_t q_stride, const void *k, const void *v,
                            size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0, int64_t head_dim,
                            float scale, void *scratch);
/// Scratch bytes of pk_attention_rows_q8_0 for `n_queries` = rows × heads.
size_t pk_attention_q8_0_scratch(int64_t n_queries, int64_t head_dim);

/// pk_f32_to_f16_row, pk_swiglu and pk_attention_head on a given path (pk_kernels_named; NULL: the reference).
void pk_f32_to_f16_row_with(const pk_kernels *k, const float *restrict x, uint16_t *restrict y, int64_t n);
void pk_swiglu_with(const pk_kernels *k, const float *gate, const float *up, float *out, int64_t n);
void pk_attention_head_with(const pk_kernels *k, float *restrict out, const float *restrict q,
                            const uint16_t *restrict keys, const uint16_t *restrict values, size_t kv_stride,
                            int64_t n_kv, int64_t head_dim, float scale, int order, float *restrict scores,
                            uint16_t *restrict q16);

#ifdef __cplusplus
}
#endif
#endif
