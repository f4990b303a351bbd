// AVX2 + FMA + F16C path of the quantized kernels. Every function here is compiled for those instruction sets (the
// pragma below) and only ever called after dispatch.c has seen them in cpuid, so one binary runs everywhere.
//
// Integer products per 32-element block use vpmaddubsw (unsigned × signed bytes → 16-bit pairs) and vpmaddwd
// (→ 32-bit); a signed × signed product moves the weight's sign onto the activation first (vpsignb). Sums are
// exact integers, so the only difference from the scalar reference is the order of float additions.
#if defined(__x86_64__)
#include <immintrin.h>
#include "quants_impl.h"

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)

#define INLINE static inline __attribute__((always_inline))

// MARK: - Helpers

INLINE float h2f(pk_half h) { return _cvtsh_ss(h); }

INLINE float hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

INLINE int hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

/// Sum of unsigned × signed byte products, as 8 × int32 (pairs never saturate: |u| ≤ 128 here, |s| ≤ 127).
INLINE __m256i dot_us(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

/// Sum of signed × signed byte products (the sign of `w` moved onto `y`).
INLINE __m256i dot_ss(__m256i w, __m256i y) {
    return dot_us(_mm256_sign_epi8(w, w), _mm256_sign_epi8(y, w));
}

/// 16 bytes of nibble pairs → 32 bytes 0..15: the low nibbles (elements 0..15), then the high (16..31).
INLINE __m256i unpack_nibbles(const uint8_t *qs) {
    const __m128i b = _mm_loadu_si128((const __m128i *)qs);
    const __m256i v = _mm256_set_m128i(_mm_srli_epi16(b, 4), b);
    return _mm256_and_si256(v, _mm256_set1_epi8(0x0F));
}

/// 32 bits → 32 bytes, 0xFF where the bit is set (byte i from bit i).
INLINE __m256i expand_bits(const uint8_t *qh) {
    uint32_t x;
    memcpy(&x, qh, 4);
    const __m256i spread = _mm256_setr_epi64x(0x0000000000000000, 0x0101010101010101, 0x0202020202020202,
                                              0x0303030303030303);
    __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32((int)x), spread);  // byte i = byte i/8 of x
    bytes = _mm256_or_si256(bytes, _mm256_set1_epi64x((int64_t)0x7fbfdfeff7fbfdfeULL));  // all bits but i%8
    return _mm256_cmpeq_epi8(bytes, _mm256_set1_epi64x(-1));
}

INLINE __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }

INLINE void prefetch_rows(const uint8_t *p, size_t bytes) {
    for (size_t o = 0; o < bytes; o += 64) _mm_prefetch((const char *)p + o, _MM_HINT_T0);
}


// MARK: - Weight blocks as 32 bytes in element order
// Signed (-128..127) for the types paired with Q8_0; unsigned (0..31) for those paired with Q8_1.

INLINE __m256i w_q4_0(const pk_block_q4_0 *b) { return _mm256_sub_epi8(unpack_nibbles(b->qs), _mm256_set1_epi8(8)); }
INLINE __m256i w_q4_1(const pk_block_q4_1 *b) { return unpack_nibbles(b->qs); }
INLINE __m256i w_q5_0(const pk_block_q5_0 *b) {
    // (q | hi << 4) - 16: where the fifth bit is clear, q - 16 is q with the top four bits set.
    const __m256i hi = _mm256_andnot_si256(expand_bits(b->qh), _mm256_set1_epi8((char)0xF0));
    return _mm256_or_si256(unpack_nibbles(b->qs), hi);
}
INLINE __m256i w_q5_1(const pk_block_q5_1 *b) {
    const __m256i hi = _mm256_and_si256(expand_bits(b->qh), _mm256_set1_epi8(0x10));
    return _mm256_or_si256(unpack_nibbles(b->qs), hi);
}
INLINE __m256i w_q8_0(const pk_block_q8_0 *b) { return load32(b->qs); }

// MARK: - Activation quantization (bit-identical to the scalar reference)

/// roundf(v) for |v| < 2^23: trunc(v ± 0.49999997), ties going away from zero as in C's roundf.
INLINE __m256i round_away(__m256 v) {
    const __m256 half = _mm256_or_ps(_mm256_and_ps(v, _mm256_set1_ps(-0.0f)), _mm256_set1_ps(0.49999997f));
    return _mm256_cvttps_epi32(_mm256_add_ps(v, half));
}

/// 4 × 8 int32 (each within int8) → 32 int8 in element order.
INLINE __m256i pack_i8(__m256i a, __m256i b, __m256i c, __m256i d) {
    const __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    const __m256i abcd = _mm256_packs_epi16(ab, cd);  // lane-interleaved: fix the order of the 4-byte groups
    return _mm256_permutevar8x32_epi32(abcd, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

INLINE float amax_32(const float *x, __m256 v[4]) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int k = 0; k < 4; k++) v[k] = _mm256_loadu_ps(x + 8 * k);
    __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v[0]), _mm256_andnot_ps(sign, v[1])),
                             _mm256_max_ps(_mm256_andnot_ps(sign, v[2]), _mm256_andnot_ps(sign, v[3])));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static void quantize_q8_0(const float *restrict x, void *restrict dst, int64_t n) {
    pk_block_q8_0 *restrict y = dst;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        __m256 v[4];
        const float amax = amax_32(x + i * PK_QK, v);
        const float d = amax / 127.0f;
        const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
        y[i].d = pk_f2h(d);
        const __m256i q = pack_i8(round_away(_mm256_mul_ps(v[0], id)), round_away(_mm256_mul_ps(v[1], id)),
                                  round_away(_mm256_mul_ps(v[2], id)), round_away(_mm256_mul_ps(v[3], id)));
        _mm256_storeu_si256((__m256i *)y[i].qs, q);
    }
}

static void quantize_q8_1(const float *restrict x, void *restrict dst, int64_t n) {
    pk_block_q8_1 *restrict y = dst;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        __m256 v[4];
        const float amax = amax_32(x + i * PK_QK, v);
        const float d = amax / 127.0f;
        const __m256 id = _mm256_set1_ps(d != 0.0f ? 1.0f / d : 0.0f);
        y[i].d = pk_f2h(d);
        const __m256i q0 = round_away(_mm256_mul_ps(v[0], id)), q1 = round_away(_mm256_mul_ps(v[1], id));
        const __m256i q2 = round_away(_mm256_mul_ps(v[2], id)), q3 = round_away(_mm256_mul_ps(v[3], id));
        const int sum = hsum_epi32(_mm256_add_epi32(_mm256_add_epi32(q0, q1), _mm256_add_epi32(q2, q3)));
        y[i].s = pk_f2h((float)sum * d);
        _mm256_storeu_si256((__m256i *)y[i].qs, pack_i8(q0, q1, q2, q3));
    }
}

static void quantize_q8_K(const float *restrict x, void *restrict dst, int64_t n) {
    pk_block_q8_K *restrict y = dst;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float *xb = x + i * PK_QK_K;
        __m256 m = _mm256_setzero_ps();
        for (int j = 0; j < PK_QK_K; j += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(xb + j)));
        __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        s = _mm_max_ps(s, _mm_movehl_ps(s, s));
        s = _mm_max_ss(s, _mm_movehdup_ps(s));
        const float amax = _mm_cvtss_f32(s);
        if (amax == 0.0f) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        float max = 0.0f;  // the first value of largest magnitude, as the reference picks it
        for (int j = 0; j < PK_QK_K; j++)
            if (__builtin_fabsf(xb[j]) == amax) {
                max = xb[j];
                break;
            }
        const float iscale = -127.0f / max;
        const __m256 vs = _mm256_set1_ps(iscale);
        const __m256i top = _mm256_set1_epi32(127);
        for (int j = 0; j < PK_QK_K; j += 32) {
            __m256i q[4];
            for (int k = 0; k < 4; k++) {
                const __m256 r = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(xb + j + 8 * k), vs),
                                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
                q[k] = _mm256_min_epi32(_mm256_cvtps_epi32(r), top);
            }
            _mm256_storeu_si256((__m256i *)(y[i].qs + j), pack_i8(q[0], q[1], q[2], q[3]));
        }
        for (int j = 0; j < PK_QK_K / 16; j++) {
            const __m128i b = _mm_loadu_si128((const __m128i *)(y[i].qs + 16 * j));
            const __m256i w = _mm256_cvtepi8_epi16(b);
            const __m256i p = _mm256_madd_epi16(w, _mm256_set1_epi16(1));
            y[i].bsums[j] = (int16_t)hsum_epi32(p);
        }
        y[i].d = 1.0f / iscale;
    }
}

static void quantize_f16(const float *restrict x, void *restrict dst, int64_t n) {
    pk_half *restrict y = dst;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) y[i] = pk_f2h(x[i]);
}

// MARK: - Float dot products

static float dot_f32(int64_t n, const void *restrict w, const void *restrict xv) {
    const float *a = w, *b = xv;
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 4; k++)
            acc[k] = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8 * k), _mm256_loadu_ps(b + i + 8 * k), acc[k]);
    float sum = hsum_ps(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

static float dot_f16(int64_t n, const void *restrict w, const void *restrict xv) {
    const pk_half *a = w, *b = xv;
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 4; k++) {
            const __m256 va = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(a + i + 8 * k)));
            const __m256 vb = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(b + i + 8 * k)));
            acc[k] = _mm256_fmadd_ps(va, vb, acc[k]);
        }
    float sum = hsum_ps(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
    for (; i < n; i++) sum += h2f(a[i]) * h2f(b[i]);
    return sum;
}

INLINE __m256 bf16x8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

static float dot_bf16(int64_t n, const void *restrict w, const void *restrict xv) {
    const uint16_t *a = w, *b = xv;
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 4; k++) acc[k] = _mm256_fmadd_ps(bf16x8(a + i + 8 * k), bf16x8(b + i + 8 * k), acc[k]);
    float sum = hsum_ps(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
    for (; i < n; i++) sum += pk_bf2f(a[i]) * pk_bf2f(b[i]);
    return sum;
}

// MARK: - 32-element block types: R weight rows × B activation rows at a time
//
// A micro-kernel decodes each weight block once for B activation rows and loads each activation block once for R
// weight rows, keeping R·B float accumulators in registers. Row panels are sized so their weights stay in L1
// while the whole batch of activations streams past them from L2 (prefill); with B = 1 it is the matvec of decode.

#define TILE(T, WT, XT, DECODE, SIGNED, HAS_MIN)                                                                   \
    INLINE void tile_##T(const uint8_t *restrict w, size_t row_bytes, const uint8_t *restrict xq,                  \
                         size_t xq_stride, float *restrict y, size_t y_stride, int64_t nb, const int R,           \
                         const int B) {                                                                         \
        __m256 acc[4][4];                                                                                         \
        float macc[4][4];                                                                                         \
        for (int r = 0; r < R; r++)                                                                               \
            for (int b = 0; b < B; b++) {                                                                         \
                acc[r][b] = _mm256_setzero_ps();                                                                  \
                macc[r][b] = 0.0f;                                                                                \
            }                                                                                                     \
        for (int64_t ib = 0; ib < nb; ib++) {                                                                     \
            __m256i wq[4], wabs[4];                                                                               \
            __m256 wd[4];                                                                                         \
            float wm[4];                                                                                          \
            for (int r = 0; r < R; r++) {                                                                         \
                const WT *blk = (const WT *)(w + (size_t)r * row_bytes) + ib;                                     \
                wq[r] = DECODE(blk);                                                                              \
                if (SIGNED) wabs[r] = _mm256_sign_epi8(wq[r], wq[r]);                                             \
                wd[r] = _mm256_set1_ps(h2f(blk->d));                                                              \
                if (HAS_MIN) wm[r] = h2f(((const pk_block_q4_1 *)(const void *)blk)->m);                          \
            }                                                                                                     \
            for (int b = 0; b < B; b++) {                                                                         \
                const XT *xb = (const XT *)(xq + (size_t)b * xq_stride) + ib;                                     \
                const __m256i yq = load32(xb->qs);                                                                \
                const __m256 yd = _mm256_set1_ps(h2f(xb->d));                                                     \
                float ys = 0.0f;                                                                                  \
                if (HAS_MIN) ys = h2f(((const pk_block_q8_1 *)(const void *)xb)->s);                              \
                for (int r = 0; r < R; r++) {                                                                     \
                    const __m256i p = SIGNED ? dot_us(wabs[r], _mm256_sign_epi8(yq, wq[r])) : dot_us(wq[r], yq);  \
                    acc[r][b] = _mm256_fmadd_ps(_mm256_mul_ps(wd[r], yd), _mm256_cvtepi32_ps(p), acc[r][b]);      \
                    if (HAS_MIN) macc[r][b] += wm[r] * ys;                                                        \
                }                                                                                                 \
            }                                                                                                     \
        }                                                                                                         \
        for (int b = 0; b < B; b++)                                                                               \
            for (int r = 0; r < R; r++) y[(size_t)b * y_stride + (size_t)r] = hsum_ps(acc[r][b]) + macc[r][b];   \
    }                                                                                                             \
    static float dot_##T(int64_t n, const void *restrict w, const void *restrict x) {                            \
        float y;                                                                                                  \
        tile_##T(w, 0, x, 0, &y, 0, n / PK_QK, 1, 1);                                                             \
        return y;                                                                                                 \
    }                                                                                                             \
    static void matmul_##T(const void *restrict w, size_t row_bytes, const void *restrict xq, size_t xq_stride,   \
                           float *restrict y, size_t y_stride, int64_t n, int64_t batch, int64_t nrows) {        \
        const uint8_t *w8 = w, *x8 = xq;                                                                          \
        const int64_t nb = n / PK_QK;                                                                             \
        const int64_t panel = panel_rows(row_bytes);                                                              \
        for (int64_t p0 = 0; p0 < nrows; p0 += panel) {                                                           \
            const int64_t p1 = p0 + panel < nrows ? p0 + panel : nrows;                                           \
            int64_t b = 0;                                                                                        \
            for (; b + 2 <= batch; b += 2) {                                                                      \
                int64_t r = p0;                                                                                   \
                for (; r + 4 <= p1; r += 4)                                                                       \
                    tile_##T(w8 + r * row_bytes, row_bytes, x8 + b * xq_stride, xq_stride, y + b * y_stride + r, \
                             y_stride, nb, 4, 2);                                                                 \
                for (; r < p1; r++)                                                                               \
                    tile_##T(w8 + r * row_bytes, row_bytes, x8 + b * xq_stride, xq_stride, y + b * y_stride + r, \
                             y_stride, nb, 1, 2);                                                                 \
            }                                                                                                     \
            for (; b < batch; b++) {                                                                              \
                int64_t r = p0;                                                                                   \
                for (; r + 4 <= p1; r += 4) {                                                                     \
                    if (batch == 1 && r + 12 <= nrows) prefetch_rows(w8 + (r + 8) * row_bytes, 4 * row_bytes);    \
                    tile_##T(w8 + r * row_bytes, row_bytes, x8 + b * xq_stride, xq_stride, y + b * y_stride + r, \
                             y_stride, nb, 4, 1);                                                                 \
                }                                                                                                 \
                for (; r < p1; r++)                                                                               \
                    tile_##T(w8 + r * row_bytes, row_bytes, x8 + b * xq_stride, xq_stride, y + b * y_stride + r, \
                             y_stride, nb, 1, 1);                                                                 \
            }                                                                                                     \
        }                                                                                                         \
    }                                                                                                             \
    static void matvec_##T(const void *restrict w, size_t row_bytes, const void *restrict xq, float *restrict y,  \
                           int64_t n, int64_t nrows) {                                                            \
        matmul_##T(w, row_bytes, xq, 0, y, 0, n, 1, nrows);                                                       \
    }

/// Weight rows per panel: about 16 KiB of weights, half of L1, so they are read from memory once per batch.
static inline int64_t panel_rows(size_t row_bytes) {
    int64_t rows = (int64_t)((16u << 10) / (row_bytes ? row_bytes : 1));
    rows &= ~(int64_t)3;
    return rows < 4 ? 4 : rows;
}

TILE(q4_0, pk_block_q4_0, pk_block_q8_0, w_q4_0, 1, 0)
TILE(q5_0, pk_block_q5_0, pk_block_q8_0, w_q5_0, 1, 0)
TILE(q8_0, pk_block_q8_0, pk_block_q8_0, w_q8_0, 1, 0)
TILE(q4_1, pk_block_q4_1, pk_block_q8_1, w_q4_1, 0, 1)
TILE(q5_1, pk_block_q5_1, pk_block_q8_1, w_q5_1, 0, 1)

// MARK: - Decode: Q4_1 matrix × one Q8_1 vector, two rows per vector
//
// The 16 nibble bytes of row r and of row r + 1 share one vector: low nibbles [r | r+1] meet the activation's
// first 16 bytes broadcast to both halves, high nibbles its last 16. The scales of both rows are converted in one
// vcvtph2ps ([d, m] pairs), multiplied by the activation's [d, s], and spread over the halves by one permute.
// The activation's scales are converted once per call into a stack array. Rows ahead are prefetched: decode
// streams the weights from memory once per token.

enum { MATVEC_MAX_BLOCKS = 512 };

INLINE __m256i load_pair16(const uint8_t *a, const uint8_t *b) {
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)a)),
                                   _mm_loadu_si128((const __m128i *)b), 1);
}


static void matvec_q4_1_pairs(const void *restrict w, size_t row_bytes, const void *restrict xq, float *restrict y,
                              int64_t n, int64_t nrows) {
    const int64_t nb = n / PK_QK;
    if (nb > MATVEC_MAX_BLOCKS || nrows < 4) {
        matmul_q4_1(w, row_bytes, xq, 0, y, 0, n, 1, nrows);
        return;
    }
    const pk_block_q8_1 *restrict x = xq;
    float ds[2 * MATVEC_MAX_BLOCKS + 4];  // [d, s] of each activation block
    for (int64_t ib = 0; ib < nb; ib++) {
        ds[2 * ib] = h2f(x[ib].d);
        ds[2 * ib + 1] = h2f(x[ib].s);
    }
    const __m256i low4 = _mm256_set1_epi8(0x0F), ones = _mm256_set1_epi16(1);
    const __m256i spread = _mm256_setr_epi32(0, 0, 0, 0, 2, 2, 2, 2);
    const uint8_t *w8 = w;
    int64_t r = 0;
    for (; r + 4 <= nrows; r += 4) {  // two pairs share the activation loads
        const uint8_t *row0 = w8 + (size_t)r * row_bytes;
        prefetch_rows(row0 + 8 * row_bytes, 4 * row_bytes);
        const pk_block_q4_1 *b0 = (const pk_block_q4_1 *)row0, *b1 = (const pk_block_q4_1 *)(row0 + row_bytes);
        const pk_block_q4_1 *b2 = (const pk_block_q4_1 *)(row0 + 2 * row_bytes);
        const pk_block_q4_1 *b3 = (const pk_block_q4_1 *)(row0 + 3 * row_bytes);
        __m256 acc01 = _mm256_setzero_ps(), acc23 = _mm256_setzero_ps();
        __m128 macc01 = _mm_setzero_ps(), macc23 = _mm_setzero_ps();
        for (int64_t ib = 0; ib < nb; ib++) {
            const __m256i ylo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)x[ib].qs));
            const __m256i yhi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(x[ib].qs + 16)));
            const __m128 yds = _mm_castpd_ps(_mm_load1_pd((const double *)(ds + 2 * ib)));  // [yd, ys, yd, ys]
            const __m256i q01 = load_pair16(b0[ib].qs, b1[ib].qs), q23 = load_pair16(b2[ib].qs, b3[ib].qs);
            const __m256i p01 = _mm256_madd_epi16(
                _mm256_add_epi16(_mm256_maddubs_epi16(_mm256_and_si256(q01, low4), ylo),
                                 _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q01, 4), low4), yhi)), ones);
            const __m256i p23 = _mm256_madd_epi16(
                _mm256_add_epi16(_mm256_maddubs_epi16(_mm256_and_si256(q23, low4), ylo),
                                 _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q23, 4), low4), yhi)), ones);
            uint32_t dm0, dm1, dm2, dm3;
            memcpy(&dm0, &b0[ib], 4);
            memcpy(&dm1, &b1[ib], 4);
            memcpy(&dm2, &b2[ib], 4);
            memcpy(&dm3, &b3[ib], 4);
            const __m256 dm = _mm256_cvtph_ps(_mm_set_epi32((int)dm3, (int)dm2, (int)dm1, (int)dm0));
            const __m256 sc = _mm256_mul_ps(dm, _mm256_set_m128(yds, yds));  // [d·yd, m·ys] of rows 0..3
            const __m128 sc01 = _mm256_castps256_ps128(sc), sc23 = _mm256_extractf128_ps(sc, 1);
            macc01 = _mm_add_ps(macc01, sc01);
            macc23 = _mm_add_ps(macc23, sc23);
            acc01 = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(_mm256_castps128_ps256(sc01), spread),
                                    _mm256_cvtepi32_ps(p01), acc01);
            acc23 = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(_mm256_castps128_ps256(sc23), spread),
                                    _mm256_cvtepi32_ps(p23), acc23);
        }
        // acc01: lanes 0..3 row r, 4..7 row r+1 (acc23 likewise); macc: lanes 1 and 3 hold the min terms.
        const __m128 h01 = _mm_hadd_ps(_mm256_castps256_ps128(acc01), _mm256_extractf128_ps(acc01, 1));
        const __m128 h23 = _mm_hadd_ps(_mm256_castps256_ps128(acc23), _mm256_extractf128_ps(acc23, 1));
        const __m128 sums = _mm_hadd_ps(h01, h23);  // [r, r+1, r+2, r+3]
        const __m128 mins = _mm_shuffle_ps(macc01, macc23, _MM_SHUFFLE(3, 1, 3, 1));
        _mm_storeu_ps(y + r, _mm_add_ps(sums, mins));
    }
    if (r < nrows) matmul_q4_1(w8 + (size_t)r * row_bytes, row_bytes, xq, 0, y + r, 0, n, 1, nrows - r);
}

// MARK: - Prefill: 8 weight rows per vector lane group
//
// For a batch, each group of 8 weight rows is decoded once (per chunk of the row and per tile of the batch) into
// a small stack buffer in an interleaved layout: for block ib and element group k (4 elements), 32 bytes holding
// those 4 weights of rows 0..7, one row per 32-bit lane. One activation's 4 bytes broadcast to every lane then
// give, through vpmaddubsw + vpmaddwd, the partial dots of all 8 rows at once: the float work per block (scale,
// convert, accumulate) is shared by 8 rows, nothing needs a horizontal sum, and the 8 results are stored as one
// vector (Y's rows are contiguous). The decoded chunk (≤ 10 KiB) stays in L1 while a tile of activation rows
// (≤ 64, ~110 KiB at n = 1536) is reused from L2 for every group of rows.

enum { GEMM_CHUNK_BLOCKS = 32, GEMM_BATCH_TILE = 64, GEMM_MIN_BATCH = 4 };

/// 8 vectors of 8 dwords, transposed: out[k] holds dword k of v[0..7].
INLINE void transpose8x8(const __m256i v[8], __m256i out[8]) {
    __m256i t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_epi32(v[2 * i], v[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_epi32(v[2 * i], v[2 * i + 1]);
    }
    u[0] = _mm256_unpacklo_epi64(t[0], t[2]); u[1] = _mm256_unpackhi_epi64(t[0], t[2]);
    u[2] = _mm256_unpacklo_epi64(t[1], t[3]); u[3] = _mm256_unpackhi_epi64(t[1], t[3]);
    u[4] = _mm256_unpacklo_epi64(t[4], t[6]); u[5] = _mm256_unpackhi_epi64(t[4], t[6]);
    u[6] = _mm256_unpacklo_epi64(t[5], t[7]); u[7] = _mm256_unpackhi_epi64(t[5], t[7]);
    for (int k = 0; k < 4; k++) {
        out[k] = _mm256_permute2x128_si256(u[k], u[k + 4], 0x20);
        out[k + 4] = _mm256_permute2x128_si256(u[k], u[k + 4], 0x31);
    }
}

// Unsigned decodings (0..15 or 0..31) and the offset the signed types subtract: Q4_0 = u − 8, Q5_0 = u − 16.
INLINE __m256i u_q4_0(const pk_block_q4_0 *b) { return unpack_nibbles(b->qs); }
INLINE __m256i u_q5_0(const pk_block_q5_0 *b) {
    return _mm256_or_si256(unpack_nibbles(b->qs), _mm256_and_si256(expand_bits(b->qh), _mm256_set1_epi8(0x10)));
}

/// Σ of the 32 int8 of an activation block.
INLINE int sum_i8(const int8_t *q) { return hsum_epi32(dot_us(_mm256_set1_epi8(1), load32(q))); }

#define GEMM(T, WT, XT, UDECODE, OFFSET, HAS_MIN, K_PER_MADD)                                                       \
    static void gemm_##T(const uint8_t *restrict w, size_t row_bytes, const uint8_t *restrict xq,                 \
                         size_t xq_stride, float *restrict y, size_t y_stride, int64_t nb, int64_t batch,         \
                         int64_t groups) {                                                                        \
        __m256i wq[GEMM_CHUNK_BLOCKS * 8];                                                                        \
        __m256 wd[GEMM_CHUNK_BLOCKS], wm[GEMM_CHUNK_BLOCKS];                                                      \
        const __m256i ones = _mm256_set1_epi16(1);                                                                \
        for (int64_t b0 = 0; b0 < batch; b0 += GEMM_BATCH_TILE) {                                                 \
            const int64_t b1 = b0 + GEMM_BATCH_TILE < batch ? b0 + GEMM_BATCH_TILE : batch;                       \
            for (int64_t g = 0; g < groups; g++) {                                                                \
                const uint8_t *wg = w + (size_t)g * 8 * row_bytes;                                                \
                for (int64_t c0 = 0; c0 < nb; c0 += GEMM_CHUNK_BLOCKS) {                                          \
                    const int64_t nc = c0 + GEMM_CHUNK_BLOCKS < nb ? GEMM_CHUNK_BLOCKS : nb - c0;                 \
                    for (int64_t ib = 0; ib < nc; ib++) {                                                         \
                        __m256i v[8];                                                                             \
                        float d[8], m[8];                                                                         \
                        for (int r = 0; r < 8; r++) {                                                             \
                            const WT *blk = (const WT *)(wg + (size_t)r * row_bytes) + c0 + ib;                   \
                            v[r] = UDECODE(blk);                                                                  \
                            d[r] = h2f(blk->d);                                                                   \
                            if (HAS_MIN) m[r] = h2f(((const pk_block_q4_1 *)(const void *)blk)->m);              \
                        }                                                                                         \
                        transpose8x8(v, wq + ib * 8);                                                             \
                        wd[ib] = _mm256_loadu_ps(d);                                                              \
                        if (HAS_MIN) wm[ib] = _mm256_loadu_ps(m);                                                 \
                    }                                                                                             \
                    for (int64_t b = b0; b < b1; b++) {                                                           \
                        const XT *xb = (const XT *)(xq + (size_t)b * xq_stride) + c0;                             \
                        __m256 acc = _mm256_setzero_ps();                                                         \
                        for (int64_t ib = 0; ib < nc; ib++) {                                                     \
                            const int8_t *yq = xb[ib].qs;                                                         \
                            __m256i s32 = _mm256_setzero_si256();                                                 \
                            for (int k0 = 0; k0 < 8; k0 += K_PER_MADD) {                                          \
                                __m256i s16 = _mm256_setzero_si256();                                             \
                                for (int k = k0; k < k0 + K_PER_MADD; k++) {                                      \
                                    int32_t y4;                                                                   \
                                    memcpy(&y4, yq + 4 * k, 4);                                                   \
                                    s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(wq[ib * 8 + k],              \
                                                                                     _mm256_set1_epi32(y4)));     \
                                }                                                                                 \
                                s32 = _mm256_add_epi32(s32, _mm256_madd_epi16(s16, ones));                        \
                            }                                                                                     \
                            if (OFFSET) s32 = _mm256_sub_epi32(s32, _mm256_set1_epi32(OFFSET * sum_i8(yq)));      \
                            const __m256 scale = _mm256_mul_ps(wd[ib], _mm256_set1_ps(h2f(xb[ib].d)));            \
                            acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s32), scale, acc);                           \
                            if (HAS_MIN)                                                                          \
                                acc = _mm256_fmadd_ps(wm[ib],                                                     \
                                    _mm256_set1_ps(h2f(((const pk_block_q8_1 *)(const void *)(xb + ib))->s)), acc); \
                        }                                                                                         \
                        float *out = y + (size_t)b * y_stride + (size_t)g * 8;                                    \
                        if (c0 > 0) acc = _mm256_add_ps(acc, _mm256_loadu_ps(out));                               \
                        _mm256_storeu_ps(out, acc);                                                               \
                    }                                                                                             \
                }                                                                                                 \
            }                                                                                                     \
        }                                                                                                         \
    }

GEMM(q4_0, pk_block_q4_0, pk_block_q8_0, u_q4_0, 8, 0, 8)
GEMM(q5_0, pk_block_q5_0, pk_block_q8_0, u_q5_0, 16, 0, 4)
GEMM(q4_1, pk_block_q4_1, pk_block_q8_1, w_q4_1, 0, 1, 8)
GEMM(q5_1, pk_block_q5_1, pk_block_q8_1, w_q5_1, 0, 1, 4)

/// Q8_0 × Q8_0 in the same layout: weights are signed, so each group of 4 keeps |w| beside w and the
/// activation takes w's sign (vpsignb) before vpmaddubsw; pair sums reach 2·128·127, so every group goes to
/// 32 bits at once.
static void gemm_q8_0(const uint8_t *restrict w, size_t row_bytes, const uint8_t *restrict xq, size_t xq_stride,
                      float *restrict y, size_t y_stride, int64_t nb, int64_t batch, int64_t groups) {
    __m256i wq[GEMM_CHUNK_BLOCKS * 8], wa[GEMM_CHUNK_BLOCKS * 8];
    __m256 wd[GEMM_CHUNK_BLOCKS];
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t b0 = 0; b0 < batch; b0 += GEMM_BATCH_TILE) {
        const int64_t b1 = b0 + GEMM_BATCH_TILE < batch ? b0 + GEMM_BATCH_TILE : batch;
        for (int64_t g = 0; g < groups; g++) {
            const uint8_t *wg = w + (size_t)g * 8 * row_bytes;
            for (int64_t c0 = 0; c0 < nb; c0 += GEMM_CHUNK_BLOCKS) {
                const int64_t nc = c0 + GEMM_CHUNK_BLOCKS < nb ? GEMM_CHUNK_BLOCKS : nb - c0;
                for (int64_t ib = 0; ib < nc; ib++) {
                    __m256i v[8];
                    float d[8];
                    for (int r = 0; r < 8; r++) {
                        const pk_block_q8_0 *blk = (const pk_block_q8_0 *)(wg + (size_t)r * row_bytes) + c0 + ib;
                        v[r] = load32(blk->qs);
                        d[r] = h2f(blk->d);
                    }
                    transpose8x8(v, wq + ib * 8);
                    for (int k = 0; k < 8; k++) wa[ib * 8 + k] = _mm256_sign_epi8(wq[ib * 8 + k], wq[ib * 8 + k]);
                    wd[ib] = _mm256_loadu_ps(d);
                }
                for (int64_t b = b0; b < b1; b++) {
                    const pk_block_q8_0 *xb = (const pk_block_q8_0 *)(xq + (size_t)b * xq_stride) + c0;
                    __m256 acc = _mm256_setzero_ps();
                    for (int64_t ib = 0; ib < nc; ib++) {
                        __m256i s32 = _mm256_setzero_si256();
                        for (int k = 0; k < 8; k++) {
                            int32_t y4;
                            memcpy(&y4, xb[ib].qs + 4 * k, 4);
                            const __m256i ys = _mm256_sign_epi8(_mm256_set1_epi32(y4), wq[ib * 8 + k]);
                            s32 = _mm256_add_epi32(s32, _mm256_madd_epi16(_mm256_maddubs_epi16(wa[ib * 8 + k], ys), ones));
                        }
                        const __m256 scale = _mm256_mul_ps(wd[ib], _mm256_set1_ps(h2f(xb[ib].d)));
                        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s32), scale, acc);
                    }
                    float *out = y + (size_t)b * y_stride + (size_t)g * 8;
                    if (c0 > 0) acc = _mm256_add_ps(acc, _mm256_loadu_ps(out));
                    _mm256_storeu_ps(out, acc);
                }
            }
        }
    }
}

/// The batch path: groups of 8 rows through the interleaved kernel, the remaining rows through the tiles.
#define MATMUL_BATCHED(T)                                                                                         \
    static void matmul_batched_##T(const void *restrict w, size_t row_bytes, const void *restrict xq,             \
                                   size_t xq_stride, float *restrict y, size_t y_stride, int64_t n,               \
                                   int64_t batch, int64_t nrows) {                                                \
        if (batch < GEMM_MIN_BATCH) {                                                                             \
            matmul_##T(w, row_bytes, xq, xq_stride, y, y_stride, n, batch, nrows);                                \
            return;                                                                                               \
        }                                                                                                         \
        const int64_t groups = nrows / 8;                                                                         \
        gemm_##T(w, row_bytes, xq, xq_stride, y, y_stride, n / PK_QK, batch, groups);                             \
        if (groups * 8 < nrows)                                                                                   \
            matmul_##T((const uint8_t *)w + (size_t)groups * 8 * row_bytes, row_bytes, xq, xq_stride,             \
                       y + groups * 8, y_stride, n, batch, nrows - groups * 8);                                   \
    }

MATMUL_BATCHED(q4_0)
MATMUL_BATCHED(q5_0)
MATMUL_BATCHED(q4_1)
MATMUL_BATCHED(q5_1)
MATMUL_BATCHED(q8_0)

// MARK: - K-quants × Q8_K

static float dot_q4_K(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q4_K *restrict x = w;
    const pk_block_q8_K *restrict y = xq;
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256 acc = _mm256_setzero_ps();
    float summins = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; j++) pk_scale_min_k4(j, x[i].scales, &sc[j], &mn[j]);
        int32_t summ = 0;
        for (int j = 0; j < 8; j++) summ += mn[j] * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            const __m256i q = load32(x[i].qs + 32 * j);
            const __m256i lo = _mm256_and_si256(q, low4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            const __m256i plo = _mm256_maddubs_epi16(lo, load32(y[i].qs + 64 * j));
            const __m256i phi = _mm256_maddubs_epi16(hi, load32(y[i].qs + 64 * j + 32));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(plo, _mm256_set1_epi16(sc[2 * j])));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(phi, _mm256_set1_epi16(sc[2 * j + 1])));
        }
        const float d = h2f(x[i].d) * y[i].d;
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        summins += h2f(x[i].dmin) * y[i].d * (float)summ;
    }
    return hsum_ps(acc) - summins;
}

static float dot_q5_K(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q5_K *restrict x = w;
    const pk_block_q8_K *restrict y = xq;
    const __m256i low4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    float summins = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; j++) pk_scale_min_k4(j, x[i].scales, &sc[j], &mn[j]);
        int32_t summ = 0;
        for (int j = 0; j < 8; j++) summ += mn[j] * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
        const __m256i qh = load32(x[i].qh);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            const __m256i q = load32(x[i].qs + 32 * j);
            // Fifth bits: bit 2j of qh[l] for sub-block 2j, bit 2j + 1 for 2j + 1 (16-bit shifts, then one bit per byte).
            const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * j)), one), 4);
            const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srl_epi16(qh, _mm_cvtsi32_si128(2 * j + 1)), one), 4);
            const __m256i lo = _mm256_or_si256(_mm256_and_si256(q, low4), h0);
            const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), low4), h1);
            const __m256i plo = _mm256_maddubs_epi16(lo, load32(y[i].qs + 64 * j));
            const __m256i phi = _mm256_maddubs_epi16(hi, load32(y[i].qs + 64 * j + 32));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(plo, _mm256_set1_epi16(sc[2 * j])));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(phi, _mm256_set1_epi16(sc[2 * j + 1])));
        }
        const float d = h2f(x[i].d) * y[i].d;
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        summins += h2f(x[i].dmin) * y[i].d * (float)summ;
    }
    return hsum_ps(acc) - summins;
}

static float dot_q6_K(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q6_K *restrict x = w;
    const pk_block_q8_K *restrict y = xq;
    const __m256i low4 = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3), m32 = _mm256_set1_epi8(32);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        __m256i sumi = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = x[i].ql + 64 * half, *qhp = x[i].qh + 32 * half;
            const int8_t *sc = x[i].scales + 8 * half, *q8 = y[i].qs + 128 * half;
            const __m256i l0 = load32(ql), l1 = load32(ql + 32), qh = load32(qhp);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, low4), _mm256_slli_epi16(_mm256_and_si256(qh, three), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, low4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), three), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), three), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), three), 4));
            for (int k = 0; k < 4; k++) {
                const __m256i yk = load32(q8 + 32 * k);
                // Σ (q − 32)·y = Σ q·y − 32·Σ y, both in 16-bit pairs (|·| ≤ 16002 and 8128).
                const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q[k], yk), _mm256_maddubs_epi16(m32, yk));
                const __m256i scales = _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scales));
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(x[i].d) * y[i].d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum_ps(acc);
}

#pragma clang attribute pop

const pk_kernel_table pk_kernels_avx2 = {
    .name = "avx2",
    .vec_dot = {
        [PK_F32] = dot_f32, [PK_F16] = dot_f16, [PK_BF16] = dot_bf16,
        [PK_Q4_0] = dot_q4_0, [PK_Q4_1] = dot_q4_1, [PK_Q5_0] = dot_q5_0, [PK_Q5_1] = dot_q5_1, [PK_Q8_0] = dot_q8_0,
        [PK_Q4_K] = dot_q4_K, [PK_Q5_K] = dot_q5_K, [PK_Q6_K] = dot_q6_K,
    },
    .quantize = {
        [PK_F32] = pk_ref_quantize_f32, [PK_F16] = quantize_f16, [PK_BF16] = pk_ref_quantize_bf16,
        [PK_Q8_0] = quantize_q8_0, [PK_Q8_1] = quantize_q8_1, [PK_Q8_K] = quantize_q8_K,
    },
    .matvec = {
        [PK_Q4_0] = matvec_q4_0, [PK_Q4_1] = matvec_q4_1_pairs, [PK_Q5_0] = matvec_q5_0, [PK_Q5_1] = matvec_q5_1,
        [PK_Q8_0] = matvec_q8_0,
    },
    .matmul = {
        [PK_Q4_0] = matmul_batched_q4_0, [PK_Q4_1] = matmul_batched_q4_1, [PK_Q5_0] = matmul_batched_q5_0,
        [PK_Q5_1] = matmul_batched_q5_1, [PK_Q8_0] = matmul_batched_q8_0,
    },
};
#endif
