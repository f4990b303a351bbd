// Kernel dispatch: one table of function pointers per instruction-set path, picked once at first use from the
// CPU's features (or from PRECIS_KERNELS), then read on every call without locking.
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "ckernels.h"
#include "quants_impl.h"

// MARK: - Paths

__attribute__((unused)) static int has(uint32_t features, uint32_t wanted) { return (features & wanted) == wanted; }

const pk_kernels *pk_kernels_named(const char *name) {
    if (!name) return NULL;
    if (strcmp(name, "scalar") == 0) return &pk_kernels_scalar;
#if defined(__x86_64__)
    const uint32_t f = pk_cpu_features();
    const uint32_t avx2 = PK_CPU_AVX2 | PK_CPU_FMA | PK_CPU_F16C;
    if (strcmp(name, "avx2") == 0 && has(f, avx2)) return &pk_kernels_avx2;
    if (strcmp(name, "avx512") == 0 && has(f, avx2 | PK_CPU_AVX512F | PK_CPU_AVX512BW | PK_CPU_AVX512VNNI))
        return &pk_kernels_avx512;
#endif
#if defined(__aarch64__)
    if (strcmp(name, "neon") == 0) return &pk_kernels_neon;
#endif
    return NULL;
}

const char *pk_kernels_name(const pk_kernels *k) { return k ? k->name : ""; }

/// The fastest path this CPU can run.
static const pk_kernel_table *best_table(void) {
    static const char *const preference[] = {"avx512", "avx2", "neon"};
    for (size_t i = 0; i < sizeof preference / sizeof preference[0]; i++) {
        const pk_kernel_table *t = pk_kernels_named(preference[i]);
        if (t) return t;
    }
    return &pk_kernels_scalar;
}

static _Atomic(const pk_kernel_table *) current_table = NULL;

static const pk_kernel_table *kernels(void) {
    const pk_kernel_table *t = atomic_load_explicit(&current_table, memory_order_acquire);
    if (t) return t;
    // First use: PRECIS_KERNELS forces a path when this CPU can run it; otherwise the best the CPU supports.
    // Two threads racing here compute the same answer.
    const char *env = getenv("PRECIS_KERNELS");
    t = (env && *env) ? pk_kernels_named(env) : NULL;
    if (!t) t = best_table();
    const pk_kernel_table *expected = NULL;
    if (!atomic_compare_exchange_strong_explicit(&current_table, &expected, t, memory_order_acq_rel,
                                                 memory_order_acquire))
        t = expected;
    return t;
}

int pk_supports(pk_type t) { return (unsigned)t < PK_TYPE_SLOTS && pk_kernels_scalar.vec_dot[t] != NULL; }

const char *pk_kernel_path(void) { return kernels()->name; }

int pk_force_kernel_path(const char *name) {
    const pk_kernel_table *t = pk_kernels_named(name);
    if (!t) return -1;
    atomic_store_explicit(&current_table, t, memory_order_release);
    return 0;
}

// MARK: - Operations on a given path

/// The vec-dot of `k` for weights of type `t`, falling back to the scalar reference for a type `k` lacks.
static pk_vec_dot_fn vec_dot_of(const pk_kernel_table *k, pk_type t) {
    if ((unsigned)t >= PK_TYPE_SLOTS) return NULL;
    return k->vec_dot[t] ? k->vec_dot[t] : pk_kernels_scalar.vec_dot[t];
}

void pk_quantize_activations_with(const pk_kernels *k, pk_type weight_type, const float *restrict x,
                                  void *restrict dst, int64_t n) {
    const pk_type vt = pk_vec_dot_type(weight_type);
    if ((unsigned)vt >= PK_TYPE_SLOTS) return;
    pk_quantize_fn q = k->quantize[vt] ? k->quantize[vt] : pk_kernels_scalar.quantize[vt];
    if (q) q(x, dst, n);
}

float pk_vec_dot_with(const pk_kernels *k, pk_type weight_type, const void *restrict w, const void *restrict xq,
                      int64_t n) {
    pk_vec_dot_fn dot = vec_dot_of(k, weight_type);
    return dot ? dot(n, w, xq) : 0.0f;
}

void pk_matvec_with(const pk_kernels *k, pk_type weight_type, const void *restrict w, const void *restrict xq,
                    float *restrict y, int64_t n, int64_t row0, int64_t row1) {
    pk_vec_dot_fn dot = vec_dot_of(k, weight_type);
    if (!dot || row1 <= row0) return;
    const size_t row_bytes = pk_row_bytes(weight_type, n);
    const uint8_t *w0 = (const uint8_t *)w + (size_t)row0 * row_bytes;
    if (k->matvec[weight_type]) {
        k->matvec[weight_type](w0, row_bytes, xq, y, n, row1 - row0);
        return;
    }
    for (int64_t r = 0; r < row1 - row0; r++) y[r] = dot(n, w0 + (size_t)r * row_bytes, xq);
}

/// Weight rows per tile of the generic matrix product: 16 rows of a 576-wide Q4_1 matrix are 5.6 KiB, which stay
/// in L1 while every activation row of the batch passes over them.
enum { GENERIC_TILE_ROWS = 16 };

void pk_matmul_with(const pk_kernels *k, pk_type weight_type, const void *restrict w, const void *restrict xq,
                    size_t xq_stride, float *restrict y, size_t y_stride, int64_t n, int64_t batch, int64_t row0,
                    int64_t row1) {
    pk_vec_dot_fn dot = vec_dot_of(k, weight_type);
    if (!dot || row1 <= row0 || batch <= 0) return;
    const size_t row_bytes = pk_row_bytes(weight_type, n);
    const uint8_t *w0 = (const uint8_t *)w + (size_t)row0 * row_bytes;
    float *y0 = y + row0;
    const int64_t nrows = row1 - row0;
    if (k->matmul[weight_type]) {
        k->matmul[weight_type](w0, row_bytes, xq, xq_stride, y0, y_stride, n, batch, nrows);
        return;
    }
    const uint8_t *x = xq;
    for (int64_t r0 = 0; r0 < nrows; r0 += GENERIC_TILE_ROWS) {
        const int64_t r1 = r0 + GENERIC_TILE_ROWS < nrows ? r0 + GENERIC_TILE_ROWS : nrows;
        for (int64_t b = 0; b < batch; b++)
            for (int64_t r = r0; r < r1; r++)
                y0[(size_t)b * y_stride + (size_t)r] = dot(n, w0 + (size_t)r * row_bytes, x + (size_t)b * xq_stride);
    }
}

// MARK: - Operations on the process-wide path

void pk_quantize_activations(pk_type weight_type, const float *restrict x, void *restrict dst, int64_t n) {
    pk_quantize_activations_with(kernels(), weight_type, x, dst, n);
}

float pk_vec_dot(pk_type weight_type, const void *restrict w, const void *restrict xq, int64_t n) {
    return pk_vec_dot_with(kernels(), weight_type, w, xq, n);
}

void pk_matvec(pk_type weight_type, const void *restrict w, const void *restrict xq, float *restrict y,
               int64_t n, int64_t row0, int64_t row1) {
    pk_matvec_with(kernels(), weight_type, w, xq, y, n, row0, row1);
}

void pk_matmul(pk_type weight_type, const void *restrict w, const void *restrict xq, size_t xq_stride,
               float *restrict y, size_t y_stride, int64_t n, int64_t batch, int64_t row0, int64_t row1) {
    pk_matmul_with(kernels(), weight_type, w, xq, xq_stride, y, y_stride, n, batch, row0, row1);
}

// MARK: - Attention over a q8_0 cache

void pk_attention_rows_q8_0_with(const pk_kernels *k, float *out, const float *q, size_t q_stride, const void *keys,
                                 const void *values, size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0,
                                 int64_t head_dim, float scale, void *scratch) {
    if (k && k->attention_q8_0)
        k->attention_q8_0(out, q, q_stride, keys, values, kv_stride, n_rows, n_heads, n_kv0, head_dim, scale, scratch);
    else
        pk_attention_rows_q8_0_ref(out, q, q_stride, keys, values, kv_stride, n_rows, n_heads, n_kv0, head_dim, scale,
                                   scratch);
}

void pk_attention_rows_q8_0(float *out, const float *q, size_t q_stride, const void *k, const void *v,
                            size_t kv_stride, int64_t n_rows, int64_t n_heads, int64_t n_kv0, int64_t head_dim,
                            float scale, void *scratch) {
    pk_attention_rows_q8_0_with(kernels(), out, q, q_stride, k, v, kv_stride, n_rows, n_heads, n_kv0, head_dim,
                                scale, scratch);
}

// MARK: - Float ops (pk_ops.h) with their own SIMD versions

void pk_f32_to_f16_row_with(const pk_kernels *k, const float *restrict x, uint16_t *restrict y, int64_t n) {
    (k && k->to_f16 ? k->to_f16 : pk_to_f16_ref)(x, y, n);
}

void pk_swiglu_with(const pk_kernels *k, const float *gate, const float *up, float *out, int64_t n) {
    (k && k->swiglu ? k->swiglu : pk_swiglu_ref)(gate, up, out, n);
}

void pk_attention_head_with(const pk_kernels *k, float *restrict out, const float *restrict q,
                            const uint16_t *restrict keys, const uint16_t *restrict values, size_t kv_stride,
                            int64_t n_kv, int64_t head_dim, float scale, int order, float *restrict scores,
                            uint16_t *restrict q16) {
    (k && k->attention_f16 ? k->attention_f16 : pk_attention_head_ref)(out, q, keys, values, kv_stride, n_kv,
                                                                       head_dim, scale, order, scores, q16);
}

void pk_f32_to_f16_row(const float *restrict x, uint16_t *restrict y, int64_t n) {
    pk_f32_to_f16_row_with(kernels(), x, y, n);
}

void pk_swiglu(const float *gate, const float *up, float *out, int64_t n) {
    pk_swiglu_with(kernels(), gate, up, out, n);
}

void pk_attention_head(float *restrict out, const float *restrict q, const uint16_t *restrict k,
                       const uint16_t *restrict v, size_t kv_stride, int64_t n_kv, int64_t head_dim, float scale,
                       int order, float *restrict scores, uint16_t *restrict q16) {
    pk_attention_head_with(kernels(), out, q, k, v, kv_stride, n_kv, head_dim, scale, order, scores, q16);
}
