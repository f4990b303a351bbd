// Float ops of the forward pass: the scalar reference (the spec of ops_avx2.c; dispatch.c picks the path).
#include <math.h>
#include <string.h>
#include "ckernels.h"
#include "ops_internal.h"
#include "quants_impl.h"

// MARK: - Half precision

float pk_f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: mantissa · 2^-24
            float f = (float)mantissa * 0x1p-24f;
            return sign ? -f : f;
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t pk_f32_to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0));
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);  // ≥ 65520 rounds to infinity
    if (ax < 0x38800000u) {                                      // below 2^-14: subnormal half
        float a;
        memcpy(&a, &ax, 4);
        uint32_t m = (uint32_t)nearbyintf(a * 0x1p24f);  // units of 2^-24, ties to even
        return (uint16_t)(sign | m);
    }
    uint32_t r = ax + 0xfffu + ((ax >> 13) & 1u);  // round to nearest even at bit 13
    r -= 112u << 23;
    return (uint16_t)(sign | (r >> 13));
}

void pk_to_f16_ref(const float *restrict x, uint16_t *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = pk_f32_to_f16(x[i]);
}

// MARK: - llama.cpp's exponential
//
// ggml computes the exponentials of softmax and SiLU with its own vectorized approximation (ggml_v_expf: a
// degree-5 polynomial after reduction by ln 2, the scale built in the exponent bits), not with libm's expf, and
// the two differ in the last bit often enough to move greedy picks on a touchy model. This is the same
// arithmetic, one lane: every step is a rounded float operation or a fused multiply-add where ggml's is, so it
// gives the vector version's bits.
static float bits_to_float(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t float_to_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

float pk_expf(float x) {
    const float r = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, r);  // x / ln 2 + 1.5·2^23: the integer part lands in the low bits
    const float n = z - r;                       // round(x / ln 2)
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));  // x − n·ln 2, in two parts
    const uint32_t e = float_to_bits(z) << 23;
    const float k = bits_to_float(e + float_to_bits(1.0f));  // 2^n
    const float u = b * b;
    const float c5b = 0x1.ffffecp-1f * b;
    const float j = fmaf(fmaf(fmaf(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, fmaf(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                         u, c5b);  // e^b − 1
    if (!(fabsf(n) > 126.0f)) return fmaf(j, k, k);
    // 2^n out of the normal range: split the scale in two factors, or saturate.
    const uint32_t g = n <= 0.0f ? 0x82000000u : 0u;
    const float s1 = bits_to_float(g + 0x7f000000u);
    const float s2 = bits_to_float(e - g);
    if (fabsf(n) > 192.0f) return s1 * s1;
    return fmaf(s2, j, s2) * s1;
}

// MARK: - llama.cpp's f16 dot products
//
// Attention multiplies f16 by f16 in ggml's two orders. Decode (one query row) runs ggml_vec_dot_f16: four
// 8-lane accumulators over 32-element steps, element i of a step in accumulator (i mod 32) / 8, lane i mod 8;
// then (acc0 + acc2) + (acc1 + acc3), the two halves added, and two horizontal adds. Prompt batches run
// llamafile's tinyBLAS (ggml's GEMM for f16): one 8-lane accumulator, element i in lane i mod 8, then the halves
// added, then (l0 + l2) + (l1 + l3). Both are fused multiply-adds in sequence per lane.

/// The reduction of ggml_vec_dot_f16's 32 partial sums (m = 8·accumulator + lane).
static float reduce32(const float *a) {
    float c[8];
    for (int l = 0; l < 8; l++) c[l] = (a[l] + a[16 + l]) + (a[8 + l] + a[24 + l]);
    float t[4];
    for (int i = 0; i < 4; i++) t[i] = c[i] + c[i + 4];
    return (t[0] + t[1]) + (t[2] + t[3]);
}

/// The reduction of one 8-lane accumulator (tinyBLAS's hsum, ggml's hsum_float_8).
static float reduce8(const float *a) {
    float t[4];
    for (int i = 0; i < 4; i++) t[i] = a[i + 4] + a[i];
    return (t[0] + t[2]) + (t[1] + t[3]);
}

/// ggml_vec_dot_f16(n, x, y): the vector steps, then the remaining n mod 32 products in double.
static float dot_f16_ggml(const uint16_t *restrict x, const uint16_t *restrict y, int64_t n) {
    float a[32] = {0};
    const int64_t np = n & ~(int64_t)31;
    for (int64_t i = 0; i < np; i++) a[i & 31] = fmaf(pk_f16_to_f32(x[i]), pk_f16_to_f32(y[i]), a[i & 31]);
    double sum = reduce32(a);
    for (int64_t i = np; i < n; i++) sum += (double)(pk_f16_to_f32(x[i]) * pk_f16_to_f32(y[i]));
    return (float)sum;
}

/// tinyBLAS's dot (n a multiple of 8).
static float dot_f16_gemm(const uint16_t *restrict x, const uint16_t *restrict y, int64_t n) {
    float a[8] = {0};
    for (int64_t i = 0; i < n; i++) a[i & 7] = fmaf(pk_f16_to_f32(x[i]), pk_f16_to_f32(y[i]), a[i & 7]);
    return reduce8(a);
}

// MARK: - Norm, rope, activations

void pk_rmsnorm(const float *x, const float *restrict w, float *y, int64_t n, float eps) {
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / (double)n);
    const float scale = 1.0f / sqrtf(mean + eps);
    for (int64_t i = 0; i < n; i++) y[i] = (x[i] * scale) * w[i];
}

void pk_rope_table(float *restrict cs, int64_t pos, int64_t n_rot, float base, float freq_scale,
                   const float *restrict freq_factors) {
    const float theta_scale = powf(base, -2.0f / (float)n_rot);
    float theta = (float)pos;
    for (int64_t i = 0; i < n_rot / 2; i++) {
        float t = theta;
        if (freq_factors) t /= freq_factors[i];
        t *= freq_scale;
        cs[2 * i] = cosf(t);
        cs[2 * i + 1] = sinf(t);
        theta *= theta_scale;
    }
}

// The rotation as llama.cpp's compiled code rounds it: gcc contracts ggml's `x0*c - x1*s` and `x0*s + x1*c` into
// fma(c, x0, −(s·x1)) and fma(s, x0, c·x1) (checked against its tensors on the bundled model).
void pk_rope(float *x, int64_t n_heads, int64_t head_dim, int64_t n_rot, const float *restrict cs, int neox) {
    const int64_t half = n_rot / 2;
    for (int64_t h = 0; h < n_heads; h++) {
        float *v = x + h * head_dim;
        for (int64_t i = 0; i < half; i++) {
            const float c = cs[2 * i], s = cs[2 * i + 1];
            const int64_t a = neox ? i : 2 * i;
            const int64_t b = neox ? i + half : 2 * i + 1;
            const float x0 = v[a], x1 = v[b];
            const float s1 = s * x1, c1 = c * x1;
            v[a] = fmaf(c, x0, -s1);
            v[b] = fmaf(s, x0, c1);
        }
    }
}

/// silu(g)·u with llama.cpp's arithmetic: g / (1 + e^(0 − g)), e from pk_expf.
void pk_swiglu_ref(const float *gate, const float *up, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float g = gate[i];
        const float e = pk_expf(0.0f - g);
        const float silu = g / (1.0f + e);
        out[i] = silu * up[i];
    }
}

void pk_add(float *restrict y, const float *restrict x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
}

void pk_add_bias(float *y, const float *restrict b, int64_t n, int64_t rows, int64_t stride) {
    for (int64_t r = 0; r < rows; r++) {
        float *row = y + r * stride;
        for (int64_t i = 0; i < n; i++) row[i] += b[i];
    }
}

// MARK: - Attention

int pk_attention_gemm_order(int order, int64_t head_dim) { return order == PK_ORDER_GEMM && head_dim % 8 == 0; }

void pk_softmax_ggml(float *restrict scores, int64_t n) {
    float max = -INFINITY;
    for (int64_t j = 0; j < n; j++)
        if (scores[j] > max) max = scores[j];
    // ggml_vec_soft_max_f32: 8 exponentials at a time, each group's sum added in double (the row is padded with
    // masked positions whose exponential is 0, so a last partial group is summed as a whole one).
    double sum = 0;
    for (int64_t j0 = 0; j0 < n; j0 += 8) {
        float e[8] = {0};
        for (int64_t j = j0; j < j0 + 8 && j < n; j++) {
            e[j - j0] = pk_expf(scores[j] - max);
            scores[j] = e[j - j0];
        }
        sum += (double)reduce8(e);
    }
    const float inv = (float)(1.0 / sum);
    for (int64_t j = 0; j < n; j++) scores[j] = pk_f16_to_f32(pk_f32_to_f16(scores[j] * inv));
}

// The reference: every step spelled out.
void pk_attention_head_ref(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                           const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim, float scale,
                           int order, float *restrict scores, uint16_t *restrict q16) {
    const int gemm_k = pk_attention_gemm_order(order, head_dim);
    pk_to_f16_ref(q, q16, head_dim);
    for (int64_t j = 0; j < n_kv; j++) {
        const uint16_t *kj = k + (size_t)j * kv_stride;
        scores[j] = (gemm_k ? dot_f16_gemm(kj, q16, head_dim) : dot_f16_ggml(kj, q16, head_dim)) * scale;
    }
    pk_softmax_ggml(scores, n_kv);
    // out[d] = Σⱼ v[j][d] · p[j] over the padded row: gemm order always (its length is a multiple of 8); no
    // leftovers in the decode order (a multiple of 32).
    const int gemm_v = order == PK_ORDER_GEMM;
    const int width = gemm_v ? 8 : 32;
    for (int64_t d = 0; d < head_dim; d++) {
        float a[32] = {0};
        for (int64_t j = 0; j < n_kv; j++)
            a[j % width] = fmaf(pk_f16_to_f32(v[(size_t)j * kv_stride + d]), scores[j], a[j % width]);
        out[d] = gemm_v ? reduce8(a) : reduce32(a);
    }
}

// MARK: - Attention over a q8_0 cache (llama.cpp's flash attention arithmetic)

size_t pk_attention_q8_0_scratch(int64_t n_queries, int64_t head_dim) {
    // The quantized queries a SIMD kernel takes at once (the reference: one), then one dequantized value row (the
    // reference's).
    const int64_t n = n_queries < PK_ATTENTION_Q8_0_QUERIES ? n_queries : PK_ATTENTION_Q8_0_QUERIES;
    const size_t q_bytes = pk_row_bytes(PK_Q8_0, head_dim);
    return ((size_t)(n > 1 ? n : 1) * q_bytes + 63) / 64 * 64 + (size_t)head_dim * sizeof(float) + 64;
}

// The reference: one head at a time, every step spelled out.
static void attention_head_q8_0_ref(float *restrict out, const float *restrict q, const void *k, const void *v,
                                    size_t kv_stride, int64_t n_kv, int64_t head_dim, float scale, void *scratch) {
    uint8_t *q8 = scratch;
    float *v32 = (float *)(q8 + (pk_row_bytes(PK_Q8_0, head_dim) + 63) / 64 * 64);
    // The process-wide path's quantizer and dot product: on x86 they round and sum as llama.cpp's.
    pk_quantize_activations(PK_Q8_0, q, q8, head_dim);
    for (int64_t d = 0; d < head_dim; d++) out[d] = 0.0f;
    float sum = 0.0f, max = -INFINITY;
    const uint8_t *kj = k, *vj = v;
    for (int64_t j = 0; j < n_kv; j++, kj += kv_stride, vj += kv_stride) {
        const float s = pk_vec_dot(PK_Q8_0, kj, q8, head_dim) * scale;
        float ms = 1.0f, vs = 1.0f;
        if (s > max) {
            const float old = max;
            max = s;
            ms = expf(old - max);
            for (int64_t d = 0; d < head_dim; d++) out[d] *= ms;
        } else {
            vs = expf(s - max);
        }
        pk_dequantize_row(PK_Q8_0, vj, v32, head_dim);
        for (int64_t d = 0; d < head_dim; d++) out[d] = fmaf(v32[d], vs, out[d]);
        sum = fmaf(sum, ms, vs);
    }
    const float inv = sum == 0.0f ? 0.0f : 1.0f / sum;
    for (int64_t d = 0; d < head_dim; d++) out[d] *= inv;
}

void pk_attention_rows_q8_0_ref(float *out, const float *q, size_t q_stride, const void *k, const void *v,
                                size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0, int64_t head_dim,
                                float scale, void *scratch) {
    for (int64_t r = 0; r < n_rows; r++)
        for (int64_t h = 0; h < n_heads; h++) {
            const size_t at = (size_t)r * q_stride + (size_t)(h * head_dim);
            attention_head_q8_0_ref(out + at, q + at, k, v, kv_stride, n_kv0 + r, head_dim, scale, scratch);
        }
}
