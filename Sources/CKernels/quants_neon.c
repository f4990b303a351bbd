// NEON path of the quantized kernels (arm64): vec-dots of the float and 32-element block types, with the dot
// product instructions (sdot) where the build targets them and widening multiplies otherwise. Activation
// quantization, the K-quants and the matrix loops fall back to the scalar reference and dispatch.c's generic tiles.
//
// Not run on this machine (x86-64): compiled for arm64 with `clang --target=aarch64-linux-gnu` and reviewed; its
// tests (KernelPathTests) run on any arm64 host.
#if defined(__aarch64__)
#include <arm_neon.h>
#include "quants_impl.h"

/// Σ a·b over 16 signed bytes, as 4 × int32.
static inline int32x4_t dot16(int32x4_t acc, int8x16_t a, int8x16_t b) {
#if defined(__ARM_FEATURE_DOTPROD)
    return vdotq_s32(acc, a, b);
#else
    const int16x8_t lo = vmull_s8(vget_low_s8(a), vget_low_s8(b));
    const int16x8_t hi = vmull_high_s8(a, b);
    return vaddq_s32(acc, vaddq_s32(vpaddlq_s16(lo), vpaddlq_s16(hi)));
#endif
}

/// The fifth bits of a Q5 block: bytes 0x10 where bit j (low half) or bit j + 16 (high half) of qh is set.
static inline void fifth_bits(const uint8_t qh[4], uint8x16_t *lo, uint8x16_t *hi) {
    static const uint8_t bit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t mask = vld1q_u8(bit), ten = vdupq_n_u8(0x10);
    *lo = vandq_u8(vtstq_u8(vcombine_u8(vdup_n_u8(qh[0]), vdup_n_u8(qh[1])), mask), ten);
    *hi = vandq_u8(vtstq_u8(vcombine_u8(vdup_n_u8(qh[2]), vdup_n_u8(qh[3])), mask), ten);
}

static float dot_q4_0(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q4_0 *restrict x = w;
    const pk_block_q8_0 *restrict y = xq;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        const uint8x16_t q = vld1q_u8(x[ib].qs);
        const int8x16_t lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F))), vdupq_n_s8(8));
        const int8x16_t hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), vdupq_n_s8(8));
        const int32x4_t s = dot16(dot16(vdupq_n_s32(0), lo, vld1q_s8(y[ib].qs)), hi, vld1q_s8(y[ib].qs + 16));
        acc = vmlaq_n_f32(acc, vcvtq_f32_s32(s), pk_h2f(x[ib].d) * pk_h2f(y[ib].d));
    }
    return vaddvq_f32(acc);
}

static float dot_q4_1(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q4_1 *restrict x = w;
    const pk_block_q8_1 *restrict y = xq;
    float32x4_t acc = vdupq_n_f32(0.0f);
    float mins = 0.0f;
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        const uint8x16_t q = vld1q_u8(x[ib].qs);
        const int8x16_t lo = vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0F)));
        const int8x16_t hi = vreinterpretq_s8_u8(vshrq_n_u8(q, 4));
        const int32x4_t s = dot16(dot16(vdupq_n_s32(0), lo, vld1q_s8(y[ib].qs)), hi, vld1q_s8(y[ib].qs + 16));
        acc = vmlaq_n_f32(acc, vcvtq_f32_s32(s), pk_h2f(x[ib].d) * pk_h2f(y[ib].d));
        mins += pk_h2f(x[ib].m) * pk_h2f(y[ib].s);
    }
    return vaddvq_f32(acc) + mins;
}

static float dot_q5_0(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q5_0 *restrict x = w;
    const pk_block_q8_0 *restrict y = xq;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        uint8x16_t hlo, hhi;
        fifth_bits(x[ib].qh, &hlo, &hhi);
        const uint8x16_t q = vld1q_u8(x[ib].qs);
        const int8x16_t lo = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vandq_u8(q, vdupq_n_u8(0x0F)), hlo)), vdupq_n_s8(16));
        const int8x16_t hi = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(q, 4), hhi)), vdupq_n_s8(16));
        const int32x4_t s = dot16(dot16(vdupq_n_s32(0), lo, vld1q_s8(y[ib].qs)), hi, vld1q_s8(y[ib].qs + 16));
        acc = vmlaq_n_f32(acc, vcvtq_f32_s32(s), pk_h2f(x[ib].d) * pk_h2f(y[ib].d));
    }
    return vaddvq_f32(acc);
}

static float dot_q5_1(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q5_1 *restrict x = w;
    const pk_block_q8_1 *restrict y = xq;
    float32x4_t acc = vdupq_n_f32(0.0f);
    float mins = 0.0f;
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        uint8x16_t hlo, hhi;
        fifth_bits(x[ib].qh, &hlo, &hhi);
        const uint8x16_t q = vld1q_u8(x[ib].qs);
        const int8x16_t lo = vreinterpretq_s8_u8(vorrq_u8(vandq_u8(q, vdupq_n_u8(0x0F)), hlo));
        const int8x16_t hi = vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(q, 4), hhi));
        const int32x4_t s = dot16(dot16(vdupq_n_s32(0), lo, vld1q_s8(y[ib].qs)), hi, vld1q_s8(y[ib].qs + 16));
        acc = vmlaq_n_f32(acc, vcvtq_f32_s32(s), pk_h2f(x[ib].d) * pk_h2f(y[ib].d));
        mins += pk_h2f(x[ib].m) * pk_h2f(y[ib].s);
    }
    return vaddvq_f32(acc) + mins;
}

static float dot_q8_0(int64_t n, const void *restrict w, const void *restrict xq) {
    const pk_block_q8_0 *restrict x = w;
    const pk_block_q8_0 *restrict y = xq;
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (int64_t ib = 0; ib < n / PK_QK; ib++) {
        const int32x4_t s = dot16(dot16(vdupq_n_s32(0), vld1q_s8(x[ib].qs), vld1q_s8(y[ib].qs)),
                                  vld1q_s8(x[ib].qs + 16), vld1q_s8(y[ib].qs + 16));
        acc = vmlaq_n_f32(acc, vcvtq_f32_s32(s), pk_h2f(x[ib].d) * pk_h2f(y[ib].d));
    }
    return vaddvq_f32(acc);
}

static float dot_f32(int64_t n, const void *restrict w, const void *restrict xv) {
    const float *a = w, *b = xv;
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        acc0 = vfmaq_f32(acc0, vld1q_f32(a + i), vld1q_f32(b + i));
        acc1 = vfmaq_f32(acc1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
    }
    float sum = vaddvq_f32(vaddq_f32(acc0, acc1));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

static float dot_f16(int64_t n, const void *restrict w, const void *restrict xv) {
    const uint16_t *a = w, *b = xv;
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = vdupq_n_f32(0.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const float32x4_t a0 = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(a + i)));
        const float32x4_t a1 = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(a + i + 4)));
        const float32x4_t b0 = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(b + i)));
        const float32x4_t b1 = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(b + i + 4)));
        acc0 = vfmaq_f32(acc0, a0, b0);
        acc1 = vfmaq_f32(acc1, a1, b1);
    }
    float sum = vaddvq_f32(vaddq_f32(acc0, acc1));
    for (; i < n; i++) sum += pk_h2f(a[i]) * pk_h2f(b[i]);
    return sum;
}

const pk_kernel_table pk_kernels_neon = {
    .name = "neon",
    .vec_dot = {
        [PK_F32] = dot_f32, [PK_F16] = dot_f16,
        [PK_Q4_0] = dot_q4_0, [PK_Q4_1] = dot_q4_1, [PK_Q5_0] = dot_q5_0, [PK_Q5_1] = dot_q5_1, [PK_Q8_0] = dot_q8_0,
    },
};
#endif
