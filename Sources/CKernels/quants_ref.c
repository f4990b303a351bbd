// Scalar reference of the quantized kernels: the spec every SIMD path is tested against.
//
// Layouts, dequantization, activation quantization and dot products follow ggml's block formats and its reference
// (`*_ref`, `*_generic`) code: integer dot per block, times the block scales, accumulated in float. The SIMD paths
// change only the order of float additions.
#include "quants_impl.h"

// MARK: - Sizes

int64_t pk_block_size(pk_type t) {
    switch (t) {
    case PK_F32: case PK_F16: case PK_BF16: return 1;
    case PK_Q4_0: case PK_Q4_1: case PK_Q5_0: case PK_Q5_1: case PK_Q8_0: case PK_Q8_1: return PK_QK;
    case PK_Q4_K: case PK_Q5_K: case PK_Q6_K: case PK_Q8_K: return PK_QK_K;
    default: return 0;
    }
}

size_t pk_block_bytes(pk_type t) {
    switch (t) {
    case PK_F32: return 4;
    case PK_F16: case PK_BF16: return 2;
    case PK_Q4_0: return sizeof(pk_block_q4_0);
    case PK_Q4_1: return sizeof(pk_block_q4_1);
    case PK_Q5_0: return sizeof(pk_block_q5_0);
    case PK_Q5_1: return sizeof(pk_block_q5_1);
    case PK_Q8_0: return sizeof(pk_block_q8_0);
    case PK_Q8_1: return sizeof(pk_block_q8_1);
    case PK_Q4_K: return sizeof(pk_block_q4_K);
    case PK_Q5_K: return sizeof(pk_block_q5_K);
    case PK_Q6_K: return sizeof(pk_block_q6_K);
    case PK_Q8_K: return sizeof(pk_block_q8_K);
    default: return 0;
    }
}

size_t pk_row_bytes(pk_type t, int64_t n) {
    int64_t bs = pk_block_size(t);
    return bs == 0 ? 0 : (size_t)(n / bs) * pk_block_bytes(t);
}

pk_type pk_vec_dot_type(pk_type t) {
    switch (t) {
    case PK_Q4_0: case PK_Q5_0: case PK_Q8_0: return PK_Q8_0;
    case PK_Q4_1: case PK_Q5_1: return PK_Q8_1;
    case PK_Q4_K: case PK_Q5_K: case PK_Q6_K: return PK_Q8_K;
    default: return t;  // F32, F16, BF16 pair with themselves
    }
}

// MARK: - Half precision

float pk_fp16_to_fp32(uint16_t h) { return pk_h2f(h); }
uint16_t pk_fp32_to_fp16(float f) { return pk_f2h(f); }
float pk_bf16_to_fp32(uint16_t h) { return pk_bf2f(h); }
uint16_t pk_fp32_to_bf16(float f) { return pk_f2bf(f); }

// MARK: - Dequantization

static void dequant_q4_0(const pk_block_q4_0 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = pk_h2f(x[i].d);
        for (int j = 0; j < 16; j++) {
            y[i * 32 + j] = (float)((x[i].qs[j] & 0x0F) - 8) * d;
            y[i * 32 + j + 16] = (float)((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

static void dequant_q4_1(const pk_block_q4_1 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = pk_h2f(x[i].d), m = pk_h2f(x[i].m);
        for (int j = 0; j < 16; j++) {
            y[i * 32 + j] = (float)(x[i].qs[j] & 0x0F) * d + m;
            y[i * 32 + j + 16] = (float)(x[i].qs[j] >> 4) * d + m;
        }
    }
}

static void dequant_q5_0(const pk_block_q5_0 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = pk_h2f(x[i].d);
        uint32_t qh;
        memcpy(&qh, x[i].qh, 4);
        for (int j = 0; j < 16; j++) {
            const int hi0 = (int)((qh >> j) << 4) & 0x10;     // bit j → fifth bit of element j
            const int hi1 = (int)(qh >> (j + 12)) & 0x10;     // bit j + 16 → fifth bit of element j + 16
            y[i * 32 + j] = (float)(((x[i].qs[j] & 0x0F) | hi0) - 16) * d;
            y[i * 32 + j + 16] = (float)(((x[i].qs[j] >> 4) | hi1) - 16) * d;
        }
    }
}

static void dequant_q5_1(const pk_block_q5_1 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = pk_h2f(x[i].d), m = pk_h2f(x[i].m);
        uint32_t qh;
        memcpy(&qh, x[i].qh, 4);
        for (int j = 0; j < 16; j++) {
            const int hi0 = (int)((qh >> j) << 4) & 0x10;
            const int hi1 = (int)(qh >> (j + 12)) & 0x10;
            y[i * 32 + j] = (float)((x[i].qs[j] & 0x0F) | hi0) * d + m;
            y[i * 32 + j + 16] = (float)((x[i].qs[j] >> 4) | hi1) * d + m;
        }
    }
}

static void dequant_q8_0(const pk_block_q8_0 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = pk_h2f(x[i].d);
        for (int j = 0; j < 32; j++) y[i * 32 + j] = (float)x[i].qs[j] * d;
    }
}

static void dequant_q8_1(const pk_block_q8_1 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = pk_h2f(x[i].d);
        for (int j = 0; j < 32; j++) y[i * 32 + j] = (float)x[i].qs[j] * d;
    }
}

static void dequant_q4_K(const pk_block_q4_K *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = pk_h2f(x[i].d), dmin = pk_h2f(x[i].dmin);
        const uint8_t *q = x[i].qs;
        for (int j = 0; j < 4; j++) {  // 64 elements: sub-block 2j from the low nibbles, 2j + 1 from the high
            uint8_t sc, m;
            pk_scale_min_k4(2 * j, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            pk_scale_min_k4(2 * j + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)(q[l] & 0x0F) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)(q[l] >> 4) - m2;
            q += 32;
        }
    }
}

static void dequant_q5_K(const pk_block_q5_K *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = pk_h2f(x[i].d), dmin = pk_h2f(x[i].dmin);
        const uint8_t *ql = x[i].qs, *qh = x[i].qh;
        uint8_t u1 = 1, u2 = 2;  // the bits of qh that hold the fifth bit of sub-blocks 2j and 2j + 1
        for (int j = 0; j < 4; j++) {
            uint8_t sc, m;
            pk_scale_min_k4(2 * j, x[i].scales, &sc, &m);
            const float d1 = d * sc, m1 = dmin * m;
            pk_scale_min_k4(2 * j + 1, x[i].scales, &sc, &m);
            const float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (float)((ql[l] & 0x0F) + (qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (float)((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
            ql += 32;
            u1 = (uint8_t)(u1 << 2);
            u2 = (uint8_t)(u2 << 2);
        }
    }
}

static void dequant_q6_K(const pk_block_q6_K *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = pk_h2f(x[i].d);
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        const int8_t *sc = x[i].scales;
        for (int half = 0; half < 2; half++) {  // 128 elements: 4 runs of 32 from one 64-byte ql run, 32-byte qh run
            for (int l = 0; l < 32; l++) {
                const int is = l / 16;
                const int q1 = (int)((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = (int)((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = (int)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = (int)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * (float)sc[is] * (float)q1;
                y[l + 32] = d * (float)sc[is + 2] * (float)q2;
                y[l + 64] = d * (float)sc[is + 4] * (float)q3;
                y[l + 96] = d * (float)sc[is + 6] * (float)q4;
            }
            y += 128;
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}

static void dequant_q8_K(const pk_block_q8_K *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++)
        for (int j = 0; j < PK_QK_K; j++) y[i * PK_QK_K + j] = x[i].d * (float)x[i].qs[j];
}

void pk_dequantize_row(pk_type t, const void *restrict src, float *restrict dst, int64_t n) {
    const int64_t bs = pk_block_size(t);
    if (bs == 0) return;
    const int64_t nb = n / bs;
    switch (t) {
    case PK_F32: memcpy(dst, src, (size_t)n * sizeof(float)); break;
    case PK_F16: {
        const pk_half *h = src;
        for (int64_t i = 0; i < n; i++) dst[i] = pk_h2f(h[i]);
        break;
    }
    case PK_BF16: {
        const uint16_t *h = src;
        for (int64_t i = 0; i < n; i++) dst[i] = pk_bf2f(h[i]);
        break;
    }
    case PK_Q4_0: dequant_q4_0(src, dst, nb); break;
    case PK_Q4_1: dequant_q4_1(src, dst, nb); break;
    case PK_Q5_0: dequant_q5_0(src, dst, nb); break;
    case PK_Q5_1: dequant_q5_1(src, dst, nb); break;
    case PK_Q8_0: dequant_q8_0(src, dst, nb); break;
    case PK_Q8_1: dequant_q8_1(src, dst, nb); break;
    case PK_Q4_K: dequant_q4_K(src, dst, nb); break;
    case PK_Q5_K: dequant_q5_K(src, dst, nb); break;
    case PK_Q6_K: dequant_q6_K(src, dst, nb); break;
    case PK_Q8_K: dequant_q8_K(src, dst, nb); break;
    default: break;
    }
}

// MARK: - Activation quantization (llama.cpp's quantize_row_q8_0_ref, _q8_1_ref, _q8_K_ref)

void pk_ref_quantize_q8_0(const float *restrict x, void *restrict dst, int64_t n) {
    pk_block_q8_0 *restrict y = dst;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        float amax = 0.0f;
        for (int j = 0; j < PK_QK; j++) {
            const float v = __builtin_fabsf(x[i * PK_QK + j]);
            amax = amax > v ? amax : v;
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = pk_f2h(d);
        for (int j = 0; j < PK_QK; j++) y[i].qs[j] = (int8_t)pk_roundf_int(x[i * PK_QK + j] * id);
    }
}

void pk_ref_quantize_q8_1(const float *restrict x, void *restrict dst, int64_t n) {
    pk_block_q8_1 *restrict y = dst;
    for (int64_t i = 0; i < n / PK_QK; i++) {
        float amax = 0.0f;
        for (int j = 0; j < PK_QK; j++) {
            const float v = __builtin_fabsf(x[i * PK_QK + j]);
            amax = amax > v ? amax : v;
        }
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[i].d = pk_f2h(d);
        int sum = 0;
        for (int j = 0; j < PK_QK; j++) {
            const int q = pk_roundf_int(x[i * PK_QK + j] * id);
            y[i].qs[j] = (int8_t)q;
            sum += q;
        }
        y[i].s = pk_f2h((float)sum * d);
    }
}

void pk_ref_quantize_q8_K(const float *restrict x, void *restrict dst, int64_t n) {
    pk_block_q8_K *restrict y = dst;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const float *xb = x + i * PK_QK_K;
        float max = 0.0f, amax = 0.0f;  // max: the value of largest magnitude, with its sign
        for (int j = 0; j < PK_QK_K; j++) {
            const float ax = __builtin_fabsf(xb[j]);
            if (ax > amax) {
                amax = ax;
                max = xb[j];
            }
        }
        if (amax == 0.0f) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        // -127 / max maps the largest-magnitude value to -127 exactly (llama.cpp's choice, for symmetric SIMD).
        const float iscale = -127.0f / max;
        for (int j = 0; j < PK_QK_K; j++) {
            const int v = pk_nearest_int(iscale * xb[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int j = 0; j < PK_QK_K / 16; j++) {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += y[i].qs[j * 16 + l];
            y[i].bsums[j] = (int16_t)sum;
        }
        y[i].d = 1.0f / iscale;
    }
}

void pk_ref_quantize_f16(const float *restrict x, void *restrict dst, int64_t n) {
    pk_half *restrict y = dst;
    for (int64_t i = 0; i < n; i++) y[i] = pk_f2h(x[i]);
}

void pk_ref_quantize_bf16(const float *restrict x, void *restrict dst, int64_t n) {
    uint16_t *restrict y = dst;
    for (int64_t i = 0; i < n; i++) y[i] = pk_f2bf(x[i]);
}

void pk_ref_quantize_f32(const float *restrict x, void *restrict dst, int64_t n) {
    memcpy(dst, x, (size_t)n * sizeof(float));
}

// MARK: - Dot products (weight row · activation row in the weight's vec-dot type)

// Float rows: products summed in double, as ggml's scalar ggml_vec_dot_f32/_f16/_bf16.
float pk_ref_dot_f32(int64_t n, const void *restrict w, const void *restrict x) {
    const float *a = w, *b = x;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(a[i] * b[i]);
    return (float)sum;
}

float pk_ref_dot_f16(int64_t n, const void *restrict w, const void *restrict x) {
    const pk_half *a = w, *b = x;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(pk_h2f(a[i]) * pk_h2f(b[i]));
    return (float)sum;
}

float pk_ref_dot_bf16(int64_t n, const void *restrict w, const void *restrict x) {
    const uint16_t *a = w, *b = x;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(pk_bf2f(a[i]) * pk_bf2f(b[i]));
    return (float)sum;
}

float pk_ref_dot_q4_0(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q4_0 *restrict x = w;
    const pk_block_q8_0 *restrict y = xq;
    float sumf = 0.0f;
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        int sumi0 = 0, sumi1 = 0;
        for (int j = 0; j < 16; j++) {
            sumi0 += ((x[ib].qs[j] & 0x0F) - 8) * y[ib].qs[j];
            sumi1 += ((x[ib].qs[j] >> 4) - 8) * y[ib].qs[j + 16];
        }
        sumf += (float)(sumi0 + sumi1) * pk_h2f(x[ib].d) * pk_h2f(y[ib].d);
    }
    return sumf;
}

float pk_ref_dot_q4_1(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q4_1 *restrict x = w;
    const pk_block_q8_1 *restrict y = xq;
    float sumf = 0.0f;
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        int sumi0 = 0, sumi1 = 0;
        for (int j = 0; j < 16; j++) {
            sumi0 += (x[ib].qs[j] & 0x0F) * y[ib].qs[j];
            sumi1 += (x[ib].qs[j] >> 4) * y[ib].qs[j + 16];
        }
        // Σ (q·d + m)·y = d_x·d_y·Σ q·q8 + m·(d_y·Σ q8), the last factor being Q8_1's s.
        sumf += (pk_h2f(x[ib].d) * pk_h2f(y[ib].d)) * (float)(sumi0 + sumi1) + pk_h2f(x[ib].m) * pk_h2f(y[ib].s);
    }
    return sumf;
}

float pk_ref_dot_q5_0(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q5_0 *restrict x = w;
    const pk_block_q8_0 *restrict y = xq;
    float sumf = 0.0f;
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        uint32_t qh;
        memcpy(&qh, x[ib].qh, 4);
        int sumi0 = 0, sumi1 = 0;
        for (int j = 0; j < 16; j++) {
            const int hi0 = (int)((qh >> j) << 4) & 0x10;
            const int hi1 = (int)(qh >> (j + 12)) & 0x10;
            sumi0 += (((x[ib].qs[j] & 0x0F) | hi0) - 16) * y[ib].qs[j];
            sumi1 += (((x[ib].qs[j] >> 4) | hi1) - 16) * y[ib].qs[j + 16];
        }
        sumf += (pk_h2f(x[ib].d) * pk_h2f(y[ib].d)) * (float)(sumi0 + sumi1);
    }
    return sumf;
}

float pk_ref_dot_q5_1(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q5_1 *restrict x = w;
    const pk_block_q8_1 *restrict y = xq;
    float sumf = 0.0f;
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        uint32_t qh;
        memcpy(&qh, x[ib].qh, 4);
        int sumi0 = 0, sumi1 = 0;
        for (int j = 0; j < 16; j++) {
            const int hi0 = (int)((qh >> j) << 4) & 0x10;
            const int hi1 = (int)(qh >> (j + 12)) & 0x10;
            sumi0 += ((x[ib].qs[j] & 0x0F) | hi0) * y[ib].qs[j];
            sumi1 += ((x[ib].qs[j] >> 4) | hi1) * y[ib].qs[j + 16];
        }
        sumf += (pk_h2f(x[ib].d) * pk_h2f(y[ib].d)) * (float)(sumi0 + sumi1) + pk_h2f(x[ib].m) * pk_h2f(y[ib].s);
    }
    return sumf;
}

float pk_ref_dot_q8_0(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q8_0 *restrict x = w;
    const pk_block_q8_0 *restrict y = xq;
    float sumf = 0.0f;
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        int sumi = 0;
        for (int j = 0; j < PK_QK; j++) sumi += x[ib].qs[j] * y[ib].qs[j];
        sumf += (float)sumi * (pk_h2f(x[ib].d) * pk_h2f(y[ib].d));
    }
    return sumf;
}

// K-quants: Σ over sub-blocks of scale_j·Σ q·q8 in integers, times d_x·d_y; the mins come off through Q8_K's
// per-16 sums: Σ (d·sc·q − dmin·m)·d_y·q8 = d_x·d_y·Σ sc·Σq·q8 − dmin·d_y·Σ m·bsum.
float pk_ref_dot_q4_K(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q4_K *restrict x = w;
    const pk_block_q8_K *restrict y = xq;
    float sumf = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const uint8_t *q4 = x[i].qs;
        const int8_t *q8 = y[i].qs;
        int32_t sumi = 0, summ = 0;
        for (int j = 0; j < 4; j++) {
            uint8_t sc0, m0, sc1, m1;
            pk_scale_min_k4(2 * j, x[i].scales, &sc0, &m0);
            pk_scale_min_k4(2 * j + 1, x[i].scales, &sc1, &m1);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; l++) {
                s0 += (q4[l] & 0x0F) * q8[l];
                s1 += (q4[l] >> 4) * q8[l + 32];
            }
            sumi += sc0 * s0 + sc1 * s1;
            summ += m0 * (y[i].bsums[4 * j] + y[i].bsums[4 * j + 1]) + m1 * (y[i].bsums[4 * j + 2] + y[i].bsums[4 * j + 3]);
            q4 += 32;
            q8 += 64;
        }
        sumf += pk_h2f(x[i].d) * y[i].d * (float)sumi - pk_h2f(x[i].dmin) * y[i].d * (float)summ;
    }
    return sumf;
}

float pk_ref_dot_q5_K(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q5_K *restrict x = w;
    const pk_block_q8_K *restrict y = xq;
    float sumf = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const uint8_t *ql = x[i].qs, *qh = x[i].qh;
        const int8_t *q8 = y[i].qs;
        int32_t sumi = 0, summ = 0;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < 4; j++) {
            uint8_t sc0, m0, sc1, m1;
            pk_scale_min_k4(2 * j, x[i].scales, &sc0, &m0);
            pk_scale_min_k4(2 * j + 1, x[i].scales, &sc1, &m1);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; l++) {
                s0 += ((ql[l] & 0x0F) + (qh[l] & u1 ? 16 : 0)) * q8[l];
                s1 += ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) * q8[l + 32];
            }
            sumi += sc0 * s0 + sc1 * s1;
            summ += m0 * (y[i].bsums[4 * j] + y[i].bsums[4 * j + 1]) + m1 * (y[i].bsums[4 * j + 2] + y[i].bsums[4 * j + 3]);
            ql += 32;
            q8 += 64;
            u1 = (uint8_t)(u1 << 2);
            u2 = (uint8_t)(u2 << 2);
        }
        sumf += pk_h2f(x[i].d) * y[i].d * (float)sumi - pk_h2f(x[i].dmin) * y[i].d * (float)summ;
    }
    return sumf;
}

float pk_ref_dot_q6_K(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q6_K *restrict x = w;
    const pk_block_q8_K *restrict y = xq;
    float sumf = 0.0f;
    for (int64_t i = 0; i < n / PK_QK_K; i++) {
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        const int8_t *sc = x[i].scales, *q8 = y[i].qs;
        int32_t sumi = 0;
        for (int half = 0; half < 2; half++) {
            int s[8] = {0};  // the 8 sub-blocks of 16 of this half, in element order
            for (int l = 0; l < 32; l++) {
                const int is = l / 16;
                const int q1 = (int)((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = (int)((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = (int)((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = (int)((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                s[is] += q1 * q8[l];
                s[is + 2] += q2 * q8[l + 32];
                s[is + 4] += q3 * q8[l + 64];
                s[is + 6] += q4 * q8[l + 96];
            }
            for (int k = 0; k < 8; k++) sumi += sc[k] * s[k];
            ql += 64;
            qh += 32;
            sc += 8;
            q8 += 128;
        }
        sumf += pk_h2f(x[i].d) * y[i].d * (float)sumi;
    }
    return sumf;
}

// MARK: - The scalar path

const pk_kernel_table pk_kernels_scalar = {
    .name = "scalar",
    .vec_dot = {
        [PK_F32] = pk_ref_dot_f32, [PK_F16] = pk_ref_dot_f16, [PK_BF16] = pk_ref_dot_bf16,
        [PK_Q4_0] = pk_ref_dot_q4_0, [PK_Q4_1] = pk_ref_dot_q4_1, [PK_Q5_0] = pk_ref_dot_q5_0,
        [PK_Q5_1] = pk_ref_dot_q5_1, [PK_Q8_0] = pk_ref_dot_q8_0,
        [PK_Q4_K] = pk_ref_dot_q4_K, [PK_Q5_K] = pk_ref_dot_q5_K, [PK_Q6_K] = pk_ref_dot_q6_K,
    },
    .quantize = {
        [PK_F32] = pk_ref_quantize_f32, [PK_F16] = pk_ref_quantize_f16, [PK_BF16] = pk_ref_quantize_bf16,
        [PK_Q8_0] = pk_ref_quantize_q8_0, [PK_Q8_1] = pk_ref_quantize_q8_1, [PK_Q8_K] = pk_ref_quantize_q8_K,
    },
};
