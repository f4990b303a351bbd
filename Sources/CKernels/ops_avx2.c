// AVX2 + FMA + F16C paths of the f16 attention loops (ops_internal.h). Compiled for those features only
// inside this file; ops.c calls them only when the CPU has them.
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include "ops_internal.h"
#include "pk_ops.h"

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

float pk_dot_f16_avx2(const uint16_t *restrict a, const uint16_t *restrict b, int64_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 a0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i)));
        __m256 b0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i)));
        __m256 a1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i + 8)));
        __m256 b1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i + 8)));
        acc0 = _mm256_fmadd_ps(a0, b0, acc0);
        acc1 = _mm256_fmadd_ps(a1, b1, acc1);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 a0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i)));
        __m256 b0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i)));
        acc0 = _mm256_fmadd_ps(a0, b0, acc0);
    }
    __m256 acc = _mm256_add_ps(acc0, acc1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float sum = _mm_cvtss_f32(s);
    for (; i < n; i++) sum += pk_f16_to_f32(a[i]) * pk_f16_to_f32(b[i]);
    return sum;
}

void pk_axpy_f16_avx2(float *restrict y, float s, const uint16_t *restrict x, int64_t n) {
    const __m256 vs = _mm256_set1_ps(s);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 vx = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i)));
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(vs, vx, _mm256_loadu_ps(y + i)));
    }
    for (; i < n; i++) y[i] += s * pk_f16_to_f32(x[i]);
}

void pk_to_f16_avx2(const float *restrict x, uint16_t *restrict y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < n; i++) y[i] = pk_f32_to_f16(x[i]);
}

/// The whole head in registers when head_dim is a multiple of 8 and at most 128 (query and output accumulators
/// stay in 16 vectors at most); the same arithmetic as the scalar reference, summed in a different order.
void pk_attention_head_avx2(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                            const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim,
                            float scale, float *restrict scores, uint16_t *restrict q16) {
    if (head_dim % 8 != 0 || head_dim > 128) {
        // Unusual head sizes: the step-by-step loops.
        pk_to_f16_avx2(q, q16, head_dim);
        float max = -INFINITY;
        for (int64_t j = 0; j < n_kv; j++) {
            const float s = pk_dot_f16_avx2(q16, k + (size_t)j * kv_stride, head_dim) * scale;
            scores[j] = s;
            if (s > max) max = s;
        }
        double sum = 0;
        for (int64_t j = 0; j < n_kv; j++) {
            const float e = expf(scores[j] - max);
            scores[j] = e;
            sum += (double)e;
        }
        const float inv = (float)(1.0 / sum);
        for (int64_t d = 0; d < head_dim; d++) out[d] = 0;
        for (int64_t j = 0; j < n_kv; j++) {
            const float p = pk_f16_to_f32(pk_f32_to_f16(scores[j] * inv));
            if (p != 0) pk_axpy_f16_avx2(out, p, v + (size_t)j * kv_stride, head_dim);
        }
        return;
    }
    const int64_t nv = head_dim / 8;
    __m256 qv[16], acc[16];
    for (int64_t i = 0; i < nv; i++) {
        // The query rounded to f16, as the product with the f16 keys does.
        qv[i] = _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(q + 8 * i), _MM_FROUND_TO_NEAREST_INT));
        acc[i] = _mm256_setzero_ps();
    }
    float max = -INFINITY;
    for (int64_t j = 0; j < n_kv; j++) {
        const uint16_t *kj = k + (size_t)j * kv_stride;
        __m256 a = _mm256_setzero_ps(), b = _mm256_setzero_ps();
        int64_t i = 0;
        for (; i + 1 < nv; i += 2) {
            a = _mm256_fmadd_ps(qv[i], _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kj + 8 * i))), a);
            b = _mm256_fmadd_ps(qv[i + 1], _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kj + 8 * i + 8))), b);
        }
        if (i < nv) a = _mm256_fmadd_ps(qv[i], _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kj + 8 * i))), a);
        a = _mm256_add_ps(a, b);
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        s = _mm_add_ss(s, _mm_movehdup_ps(s));
        const float score = _mm_cvtss_f32(s) * scale;
        scores[j] = score;
        if (score > max) max = score;
    }
    double sum = 0;
    for (int64_t j = 0; j < n_kv; j++) {
        const float e = expf(scores[j] - max);
        scores[j] = e;
        sum += (double)e;
    }
    const float inv = (float)(1.0 / sum);
    // Softmax weights rounded to f16, as the product with the f16 values does; in blocks of 8.
    int64_t j = 0;
    for (; j + 8 <= n_kv; j += 8) {
        __m256 p8 = _mm256_mul_ps(_mm256_loadu_ps(scores + j), _mm256_set1_ps(inv));
        p8 = _mm256_cvtph_ps(_mm256_cvtps_ph(p8, _MM_FROUND_TO_NEAREST_INT));
        _mm256_storeu_ps(scores + j, p8);
    }
    for (; j < n_kv; j++) scores[j] = pk_f16_to_f32(pk_f32_to_f16(scores[j] * inv));
    for (j = 0; j < n_kv; j++) {
        const float p = scores[j];
        if (p == 0) continue;
        const __m256 pv = _mm256_set1_ps(p);
        const uint16_t *vj = v + (size_t)j * kv_stride;
        for (int64_t i = 0; i < nv; i++) {
            acc[i] = _mm256_fmadd_ps(pv, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vj + 8 * i))), acc[i]);
        }
    }
    for (int64_t i = 0; i < nv; i++) _mm256_storeu_ps(out + 8 * i, acc[i]);
}

#pragma clang attribute pop
#endif
