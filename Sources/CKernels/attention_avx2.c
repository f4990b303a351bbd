// AVX2 + FMA + F16C batched attention for prefill (pk_attention_rows in pk_ops.h).
//
// pk_attention_head_avx2 (ops_avx2.c) converts every key and value from f16 for each query; over a prompt that is
// most of attention's time. Here a block of keys is converted once into an L1-resident f32 block and every query
// of the call (rows × heads sharing the KV head) reads it. Each score, softmax weight and output element goes
// through exactly the operations of pk_attention_head_avx2, in the same order: the f16-rounded query, two FMA
// chains over pairs of 8-float vectors, the same horizontal sum, × scale; max, expf, a double sum, f16-rounded
// weights; FMAs over positions in increasing order, skipping zero weights. Converting f16 → f32 is exact, so
// the products are the same. AttentionTests checks the bits on every path.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "ops_internal.h"
#include "pk_ops.h"

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

static inline float hsum_like_head(__m256 a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Positions [j0, j1) of one head's f16 cache into `blk` as floats, `head_dim` per position.
static inline void convert_block(float *restrict blk, const uint16_t *restrict x, size_t stride, int64_t j0,
                                 int64_t j1, int64_t nv) {
    for (int64_t j = j0; j < j1; j++) {
        const uint16_t *xj = x + (size_t)j * stride;
        float *bj = blk + (j - j0) * nv * 8;
        for (int64_t i = 0; i < nv; i++)
            _mm256_storeu_ps(bj + 8 * i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(xj + 8 * i))));
    }
}

void pk_attention_rows_avx2(float *out, const float *q, size_t q_stride, const uint16_t *k, const uint16_t *v,
                            size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0, int64_t head_dim,
                            float scale, float *scratch) {
    if (head_dim % 8 != 0 || head_dim > 128) {
        // Unusual head sizes: one head at a time, as decode does.
        float *scores = scratch;
        uint16_t *q16 = (uint16_t *)(scratch + n_kv0 + n_rows);
        for (int64_t r = 0; r < n_rows; r++)
            for (int64_t h = 0; h < n_heads; h++) {
                const size_t at = (size_t)r * q_stride + (size_t)(h * head_dim);
                pk_attention_head_avx2(out + at, q + at, k, v, kv_stride, n_kv0 + r, head_dim, scale, scores, q16);
            }
        return;
    }
    const int64_t nv = head_dim / 8;
    const int64_t nq = n_rows * n_heads;
    const int64_t n_kv = n_kv0 + n_rows - 1;  // positions the last row sees
    float *scores = scratch;                  // [nq][n_kv]
    float *qr = scores + nq * n_kv;           // [nq][head_dim], rounded to f16
    float *blk = qr + nq * head_dim;          // [KV_BLOCK][head_dim]

    for (int64_t r = 0; r < n_rows; r++)
        for (int64_t h = 0; h < n_heads; h++) {
            const float *qi = q + (size_t)r * q_stride + (size_t)(h * head_dim);
            float *dst = qr + (r * n_heads + h) * head_dim;
            for (int64_t i = 0; i < nv; i++)
                _mm256_storeu_ps(dst + 8 * i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(qi + 8 * i),
                                                                              _MM_FROUND_TO_NEAREST_INT)));
        }

    // Scores, a block of keys at a time.
    for (int64_t j0 = 0; j0 < n_kv; j0 += PK_ATTENTION_KV_BLOCK) {
        const int64_t j1 = j0 + PK_ATTENTION_KV_BLOCK < n_kv ? j0 + PK_ATTENTION_KV_BLOCK : n_kv;
        convert_block(blk, k, kv_stride, j0, j1, nv);
        const int64_t r0 = j0 - n_kv0 + 1 > 0 ? j0 - n_kv0 + 1 : 0;  // rows that see position j0
        for (int64_t r = r0; r < n_rows; r++) {
            const int64_t jend = n_kv0 + r < j1 ? n_kv0 + r : j1;
            for (int64_t h = 0; h < n_heads; h++) {
                const int64_t qi = r * n_heads + h;
                __m256 qv[16];
                for (int64_t i = 0; i < nv; i++) qv[i] = _mm256_loadu_ps(qr + qi * head_dim + 8 * i);
                float *si = scores + qi * n_kv;
                for (int64_t j = j0; j < jend; j++) {
                    const float *kj = blk + (j - j0) * head_dim;
                    __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps();
                    int64_t i = 0;
                    for (; i + 1 < nv; i += 2) {
                        a = _mm256_fmadd_ps(qv[i], _mm256_loadu_ps(kj + 8 * i), a);
                        b = _mm256_fmadd_ps(qv[i + 1], _mm256_loadu_ps(kj + 8 * i + 8), b);
                    }
                    if (i < nv) a = _mm256_fmadd_ps(qv[i], _mm256_loadu_ps(kj + 8 * i), a);
                    si[j] = hsum_like_head(_mm256_add_ps(a, b)) * scale;
                }
            }
        }
    }

    // Softmax of each query over the positions it sees; weights rounded to f16.
    for (int64_t r = 0; r < n_rows; r++)
        for (int64_t h = 0; h < n_heads; h++) {
            float *si = scores + (r * n_heads + h) * n_kv;
            const int64_t n = n_kv0 + r;
            float max = -INFINITY;
            for (int64_t j = 0; j < n; j++)
                if (si[j] > max) max = si[j];
            double sum = 0;
            for (int64_t j = 0; j < n; j++) {
                const float e = expf(si[j] - max);
                si[j] = e;
                sum += (double)e;
            }
            const float inv = (float)(1.0 / sum);
            int64_t j = 0;
            for (; j + 8 <= n; j += 8) {
                __m256 p8 = _mm256_mul_ps(_mm256_loadu_ps(si + j), _mm256_set1_ps(inv));
                p8 = _mm256_cvtph_ps(_mm256_cvtps_ph(p8, _MM_FROUND_TO_NEAREST_INT));
                _mm256_storeu_ps(si + j, p8);
            }
            for (; j < n; j++) si[j] = pk_f16_to_f32(pk_f32_to_f16(si[j] * inv));
        }

    // Weighted values, a block of positions at a time; the outputs hold the running sums between blocks.
    for (int64_t j0 = 0; j0 < n_kv; j0 += PK_ATTENTION_KV_BLOCK) {
        const int64_t j1 = j0 + PK_ATTENTION_KV_BLOCK < n_kv ? j0 + PK_ATTENTION_KV_BLOCK : n_kv;
        convert_block(blk, v, kv_stride, j0, j1, nv);
        const int64_t r0 = j0 - n_kv0 + 1 > 0 ? j0 - n_kv0 + 1 : 0;
        for (int64_t r = r0; r < n_rows; r++) {
            const int64_t jend = n_kv0 + r < j1 ? n_kv0 + r : j1;
            for (int64_t h = 0; h < n_heads; h++) {
                const float *pi = scores + (r * n_heads + h) * n_kv;
                float *o = out + (size_t)r * q_stride + (size_t)(h * head_dim);
                __m256 acc[16];
                for (int64_t i = 0; i < nv; i++) acc[i] = j0 == 0 ? _mm256_setzero_ps() : _mm256_loadu_ps(o + 8 * i);
                for (int64_t j = j0; j < jend; j++) {
                    const float p = pi[j];
                    if (p == 0) continue;
                    const __m256 pv = _mm256_set1_ps(p);
                    const float *vj = blk + (j - j0) * head_dim;
                    for (int64_t i = 0; i < nv; i++) acc[i] = _mm256_fmadd_ps(pv, _mm256_loadu_ps(vj + 8 * i), acc[i]);
                }
                for (int64_t i = 0; i < nv; i++) _mm256_storeu_ps(o + 8 * i, acc[i]);
            }
        }
    }
}

#pragma clang attribute pop
#endif
