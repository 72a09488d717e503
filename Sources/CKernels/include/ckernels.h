// SwiftGAN's hand-written C kernels: a single-precision GEMM micro-kernel
// (AVX-512) that the engine's BLAS layer uses in place of OpenBLAS where the CPU
// supports it, a vector tanh, the Adam update, dropout masks, and the CPU affinity count.
#ifndef SWIFTGAN_CKERNELS_H
#define SWIFTGAN_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU and OS run the AVX-512 kernels below, else 0 (then they must not be called).
int cgemm_available(void);

/// C[i, j] = alpha * sum_p A(i, p) * B[p * ldb + j] + beta * C[i * ldc + j] (+ bias[j])
/// for 0 <= i < m, 0 <= j < n, 0 <= p < k, where A(i, p) = a[i * a_row + p * a_column].
/// B and C are row-major; A may be stored either way. With beta == 0, C is only written.
/// With a `bias` (n values, or NULL; beta must be 0) C starts as the bias on every row.
/// With `may_stream`, a C that is written once (beta == 0, k <= 512) and larger than
/// 1 MB is stored with non-temporal stores (bypassing the caches): pass it for results
/// that are not read again right away, such as weight gradients.
void cgemm_sgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha,
                 const float *a, ptrdiff_t a_row, ptrdiff_t a_column,
                 const float *b, ptrdiff_t ldb,
                 float beta, const float *bias, float *c, ptrdiff_t ldc, int may_stream);

/// dst[j * ldd + i] = (src[i * lds + j] + row_bias[i]) + beta * dst[j * ldd + i] for a
/// rows x columns source; row_bias may be NULL. With beta == 0, dst is only written.
void cgemm_transpose(ptrdiff_t rows, ptrdiff_t columns, const float *src, ptrdiff_t lds,
                     const float *row_bias, float beta, float *dst, ptrdiff_t ldd);

/// y[i] = tanh(x[i]) for 0 <= i < count, through glibc's vector math library
/// (libmvec, at most 4 ulp from the correctly rounded result); x and y may be the same.
void ckernels_tanh(const float *x, float *y, ptrdiff_t count);

/// The per-step constants of an Adam update (see ckernels_adam).
struct ckernels_adam_coefficients {
    float beta1, beta2;
    /// learning rate / (1 - beta1^t)
    float step_size;
    /// sqrt(1 - beta2^t)
    float correction2_root;
    float epsilon;
};

/// One Adam step (no weight decay, no AMSGrad) over `count` parameters, in place:
/// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g g;  p -= step_size m / (sqrt(v) / correction2_root + epsilon),
/// each operation rounded separately in this order (the same bits on every path).
void ckernels_adam(ptrdiff_t count, float *p, const float *g, float *m, float *v,
                   struct ckernels_adam_coefficients coefficients);

/// A dropout mask: mask[i] = scale where the top 24 bits of random draw i are
/// below `threshold` (a keep probability q gives threshold = ceil(q * 2^24)),
/// else 0. Draw i is the (i / 16)-th output of lane i % 16 of 16 xoshiro128**
/// generators seeded from `seed` through SplitMix64; the AVX-512 and the
/// portable path give the same bits.
void ckernels_dropout_mask(uint64_t seed, ptrdiff_t count, uint32_t threshold, float scale, float *mask);
/// The same mask on the portable path only (for tests).
void ckernels_dropout_mask_portable(uint64_t seed, ptrdiff_t count, uint32_t threshold, float scale, float *mask);

/// A spin-wait hint to the CPU (x86 `pause`), for threads polling a flag.
static inline void ckernels_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/// The CPUs in this process's affinity mask (`sched_getaffinity`), or -1 when it cannot be read
/// (more than 1,024 CPUs, or not Linux).
int swiftgan_affinity_cpu_count(void);

#endif
