// AVX2 + FMA + F16C paths of the float ops (ops_internal.h). Compiled for those features only inside this file;
// the x86 kernel tables (quants_x86.inc) point at them, and dispatch.c picks those only when the CPU has them. Each
// computes the scalar reference's numbers (ops.c), bit for bit: the same rounded operations lane by lane, the same
// sums in the same order (OpsPathTests).
#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>
#include <string.h>
#include "ops_internal.h"
#include "pk_ops.h"

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

void pk_to_f16_avx2(const float *restrict x, uint16_t *restrict y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < n; i++) y[i] = pk_f32_to_f16(x[i]);
}

/// pk_expf on 8 lanes (ggml_v_expf's arithmetic; see ops.c).
static inline __m256 expf8(__m256 x) {
    const __m256 r = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), r);
    const __m256 n = _mm256_sub_ps(z, r);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1))));
    const __m256 big = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.f), n), _mm256_set1_ps(126), _CMP_GT_OQ);
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    if (!_mm256_movemask_ps(big)) return _mm256_fmadd_ps(j, k, k);
    const __m256i g = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                       _mm256_set1_epi32((int)0x82000000u));
    const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(g, _mm256_set1_epi32(0x7f000000)));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, g));
    const __m256 huge = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.f), n), _mm256_set1_ps(192), _CMP_GT_OQ);
    return _mm256_or_ps(
        _mm256_and_ps(huge, _mm256_mul_ps(s1, s1)),
        _mm256_andnot_ps(huge, _mm256_or_ps(_mm256_and_ps(big, _mm256_mul_ps(_mm256_fmadd_ps(s2, j, s2), s1)),
                                            _mm256_andnot_ps(big, _mm256_fmadd_ps(k, j, k)))));
}

void pk_swiglu_avx2(const float *gate, const float *up, float *out, int64_t n) {
    const __m256 one = _mm256_set1_ps(1), zero = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 silu = _mm256_div_ps(g, _mm256_add_ps(one, expf8(_mm256_sub_ps(zero, g))));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(silu, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) {
        const float g = gate[i];
        const float silu = g / (1.0f + pk_expf(0.0f - g));
        out[i] = silu * up[i];
    }
}

static inline __m256 load_h8(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }

/// One 8-lane accumulator's sum: the halves, then (l0 + l2) + (l1 + l3) (ggml's hsum_float_8, tinyBLAS's hsum).
static inline float hsum8(__m256 v) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(v, 1), _mm256_castps256_ps128(v));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/// ggml_vec_dot_f16's reduction of its four accumulators.
static inline float reduce4x8(__m256 s0, __m256 s1, __m256 s2, __m256 s3) {
    s0 = _mm256_add_ps(s0, s2);
    s1 = _mm256_add_ps(s1, s3);
    s0 = _mm256_add_ps(s0, s1);
    const __m128 t0 = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    const __m128 t1 = _mm_hadd_ps(t0, t0);
    return _mm_cvtss_f32(_mm_hadd_ps(t1, t1));
}

enum { MAX_HEAD_DIM = 256 };

/// Head sizes that are a multiple of 8 up to 256 here (the query in registers, the value accumulators on the
/// stack); others through the reference.
void pk_attention_head_avx2(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                            const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim,
                            float scale, int order, float *restrict scores, uint16_t *restrict q16) {
    if (head_dim % 8 != 0 || head_dim > MAX_HEAD_DIM) {
        pk_attention_head_ref(out, q, k, v, kv_stride, n_kv, head_dim, scale, order, scores, q16);
        return;
    }
    const int64_t nv = head_dim / 8;
    const int gemm = order == PK_ORDER_GEMM;
    pk_to_f16_avx2(q, q16, head_dim);
    __m256 qv[MAX_HEAD_DIM / 8];
    for (int64_t i = 0; i < nv; i++) qv[i] = load_h8(q16 + 8 * i);

    // Scores: f16(q) · k[j], scaled.
    const int64_t np = (head_dim & ~(int64_t)31) / 8;  // vectors in ggml_vec_dot_f16's 32-element steps
    float max = -INFINITY;
    for (int64_t j = 0; j < n_kv; j++) {
        const uint16_t *kj = k + (size_t)j * kv_stride;
        float s;
        if (gemm) {
            __m256 a = _mm256_setzero_ps();
            for (int64_t i = 0; i < nv; i++) a = _mm256_fmadd_ps(load_h8(kj + 8 * i), qv[i], a);
            s = hsum8(a);
        } else {
            __m256 a[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
            for (int64_t i = 0; i < np; i += 4)
                for (int t = 0; t < 4; t++) a[t] = _mm256_fmadd_ps(load_h8(kj + 8 * (i + t)), qv[i + t], a[t]);
            double sum = reduce4x8(a[0], a[1], a[2], a[3]);
            for (int64_t e = np * 8; e < head_dim; e++) sum += (double)(pk_f16_to_f32(kj[e]) * pk_f16_to_f32(q16[e]));
            s = (float)sum;
        }
        s *= scale;
        scores[j] = s;
        if (s > max) max = s;
    }

    // Softmax: exponentials 8 at a time (a last partial group padded with −∞, whose exponential is 0), each
    // group's sum added in double; weights rounded to f16.
    double sum = 0;
    const __m256 vmax = _mm256_set1_ps(max);
    for (int64_t j = 0; j < n_kv; j += 8) {
        float tail[8];
        const int whole = j + 8 <= n_kv;
        if (!whole) {
            for (int t = 0; t < 8; t++) tail[t] = j + t < n_kv ? scores[j + t] : -INFINITY;
        }
        const __m256 e = expf8(_mm256_sub_ps(_mm256_loadu_ps(whole ? scores + j : tail), vmax));
        if (whole) {
            _mm256_storeu_ps(scores + j, e);
        } else {
            _mm256_storeu_ps(tail, e);
            for (int t = 0; j + t < n_kv; t++) scores[j + t] = tail[t];
        }
        sum += (double)hsum8(e);
    }
    const __m256 inv = _mm256_set1_ps((float)(1.0 / sum));
    int64_t j = 0;
    for (; j + 8 <= n_kv; j += 8) {
        const __m256 p = _mm256_mul_ps(_mm256_loadu_ps(scores + j), inv);
        _mm256_storeu_ps(scores + j, _mm256_cvtph_ps(_mm256_cvtps_ph(p, _MM_FROUND_TO_NEAREST_INT)));
    }
    for (; j < n_kv; j++) scores[j] = pk_f16_to_f32(pk_f32_to_f16(scores[j] * _mm256_cvtss_f32(inv)));

    // out[d] = Σⱼ v[j][d] · p[j]: position j goes to partial sum j mod 8 (tinyBLAS) or j mod 32 (ggml_vec_dot_f16),
    // a row of head_dim floats each, then the partial sums are reduced in the kernel's order.
    const int64_t width = gemm ? 8 : 32;
    _Alignas(32) float acc[32 * MAX_HEAD_DIM];
    for (int64_t m = 0; m < width; m++) {  // partial sum m: positions m, m + width, …, in registers
        __m256 a[MAX_HEAD_DIM / 8];
        for (int64_t i = 0; i < nv; i++) a[i] = _mm256_setzero_ps();
        for (j = m; j < n_kv; j += width) {
            const float p = scores[j];
            if (p == 0) continue;
            const __m256 pv = _mm256_set1_ps(p);
            const uint16_t *vj = v + (size_t)j * kv_stride;
            for (int64_t i = 0; i < nv; i++) a[i] = _mm256_fmadd_ps(load_h8(vj + 8 * i), pv, a[i]);
        }
        for (int64_t i = 0; i < nv; i++) _mm256_store_ps(acc + m * head_dim + 8 * i, a[i]);
    }
    for (int64_t i = 0; i < nv; i++) {
#define A(m) _mm256_load_ps(acc + (m) * head_dim + 8 * i)
        __m256 r;
        if (gemm) {
            const __m256 t0 = _mm256_add_ps(A(4), A(0)), t1 = _mm256_add_ps(A(5), A(1));
            const __m256 t2 = _mm256_add_ps(A(6), A(2)), t3 = _mm256_add_ps(A(7), A(3));
            r = _mm256_add_ps(_mm256_add_ps(t0, t2), _mm256_add_ps(t1, t3));
        } else {
            __m256 c[8];
            for (int l = 0; l < 8; l++)
                c[l] = _mm256_add_ps(_mm256_add_ps(A(l), A(16 + l)), _mm256_add_ps(A(8 + l), A(24 + l)));
            __m256 t[4];
            for (int l = 0; l < 4; l++) t[l] = _mm256_add_ps(c[l], c[l + 4]);
            r = _mm256_add_ps(_mm256_add_ps(t[0], t[1]), _mm256_add_ps(t[2], t[3]));
        }
#undef A
        _mm256_storeu_ps(out + 8 * i, r);
    }
}

#pragma clang attribute pop
#endif
