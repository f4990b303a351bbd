// Float ops of the forward pass: the scalar reference, and the dispatch of the f16 attention inner loops.
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "ckernels.h"
#include "ops_internal.h"

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

static float dot_f16_scalar(const uint16_t *restrict a, const uint16_t *restrict b, int64_t n) {
    float sum = 0;
    for (int64_t i = 0; i < n; i++) sum += pk_f16_to_f32(a[i]) * pk_f16_to_f32(b[i]);
    return sum;
}

static void axpy_f16_scalar(float *restrict y, float s, const uint16_t *restrict x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += s * pk_f16_to_f32(x[i]);
}

static void to_f16_scalar(const float *restrict x, uint16_t *restrict y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = pk_f32_to_f16(x[i]);
}

// MARK: - Dispatch

static void attention_head_scalar(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                                  const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim,
                                  float scale, float *restrict scores, uint16_t *restrict q16);

static void attention_rows_each(float *out, const float *q, size_t q_stride, const uint16_t *k, const uint16_t *v,
                                size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0, int64_t head_dim,
                                float scale, float *scratch);

static struct {
    pk_dot_f16_fn dot;
    pk_axpy_f16_fn axpy;
    pk_to_f16_fn to_f16;
    pk_attention_head_fn attention;
    pk_attention_rows_fn attention_rows;
    const char *name;
} ops = { dot_f16_scalar, axpy_f16_scalar, to_f16_scalar, attention_head_scalar, attention_rows_each, "scalar" };
static pthread_once_t ops_once = PTHREAD_ONCE_INIT;

static void ops_pick(void) {
    const char *forced = getenv("PRECIS_KERNELS");
    if (forced && strcmp(forced, "scalar") == 0) return;
#if defined(__x86_64__)
    uint32_t need = PK_CPU_AVX2 | PK_CPU_FMA | PK_CPU_F16C;
    if ((pk_cpu_features() & need) == need) {
        ops.dot = pk_dot_f16_avx2;
        ops.axpy = pk_axpy_f16_avx2;
        ops.to_f16 = pk_to_f16_avx2;
        ops.attention = pk_attention_head_avx2;
        ops.attention_rows = pk_attention_rows_avx2;
        ops.name = "avx2";
    }
#endif
}

const char *pk_ops_path(void) {
    pthread_once(&ops_once, ops_pick);
    return ops.name;
}

void pk_f32_to_f16_row(const float *restrict x, uint16_t *restrict y, int64_t n) {
    pthread_once(&ops_once, ops_pick);
    ops.to_f16(x, y, n);
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

void pk_rope(float *x, int64_t n_heads, int64_t head_dim, int64_t n_rot, const float *restrict cs, int neox) {
    const int64_t half = n_rot / 2;
    for (int64_t h = 0; h < n_heads; h++) {
        float *v = x + h * head_dim;
        for (int64_t i = 0; i < half; i++) {
            const float c = cs[2 * i], s = cs[2 * i + 1];
            const int64_t a = neox ? i : 2 * i;
            const int64_t b = neox ? i + half : 2 * i + 1;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * c - x1 * s;
            v[b] = x0 * s + x1 * c;
        }
    }
}

void pk_swiglu(const float *gate, const float *up, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float g = gate[i];
        out[i] = (g / (1.0f + expf(-g))) * up[i];
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

void pk_attention_head(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                       const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim, float scale,
                       float *restrict scores, uint16_t *restrict q16) {
    pthread_once(&ops_once, ops_pick);
    ops.attention(out, q, k, v, kv_stride, n_kv, head_dim, scale, scores, q16);
}

// The reference: every step spelled out, through the per-path f16 helpers.
static void attention_head_scalar(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                                  const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim,
                                  float scale, float *restrict scores, uint16_t *restrict q16) {
    ops.to_f16(q, q16, head_dim);
    float max = -INFINITY;
    for (int64_t j = 0; j < n_kv; j++) {
        const float s = ops.dot(q16, k + (size_t)j * kv_stride, head_dim) * scale;
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
    memset(out, 0, (size_t)head_dim * sizeof(float));
    for (int64_t j = 0; j < n_kv; j++) {
        const float p = pk_f16_to_f32(pk_f32_to_f16(scores[j] * inv));
        if (p != 0) ops.axpy(out, p, v + (size_t)j * kv_stride, head_dim);
    }
}

size_t pk_attention_rows_scratch(int64_t n_queries, int64_t n_kv, int64_t head_dim) {
    // Scores of every query, the rounded queries, one block of converted keys or values.
    return (size_t)(n_queries * n_kv + n_queries * head_dim + PK_ATTENTION_KV_BLOCK * head_dim);
}

void pk_attention_rows(float *out, const float *q, size_t q_stride, const uint16_t *k, const uint16_t *v,
                       size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0, int64_t head_dim,
                       float scale, float *scratch) {
    pthread_once(&ops_once, ops_pick);
    ops.attention_rows(out, q, q_stride, k, v, kv_stride, n_rows, n_heads, n_kv0, head_dim, scale, scratch);
}

// The reference: one pk_attention_head per (row, head).
static void attention_rows_each(float *out, const float *q, size_t q_stride, const uint16_t *k, const uint16_t *v,
                                size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0, int64_t head_dim,
                                float scale, float *scratch) {
    float *scores = scratch;
    uint16_t *q16 = (uint16_t *)(scratch + n_kv0 + n_rows);
    for (int64_t r = 0; r < n_rows; r++)
        for (int64_t h = 0; h < n_heads; h++) {
            const size_t at = (size_t)r * q_stride + (size_t)(h * head_dim);
            ops.attention(out + at, q + at, k, v, kv_stride, n_kv0 + r, head_dim, scale, scores, q16);
        }
}
