// tanh over arrays through glibc's vector math library (libmvec): 16 lanes per
// call with AVX-512, else 4 (SSE2, which every x86-64 CPU has). The scalar
// tanhf costs about 10 ns a value; the generator's output layer of an MLP GAN
// takes 100,000 of them per training step.
#include "ckernels.h"
#include <math.h>

#if defined(__x86_64__) && defined(__GLIBC__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// libmvec's entry points (x86-64 vector function ABI names: b = SSE, e = AVX-512).
__m128 _ZGVbN4v_tanhf(__m128 x);
__attribute__((target("avx512f"))) __m512 _ZGVeN16v_tanhf(__m512 x);

__attribute__((target("avx512f"))) static void tanh_avx512(const float *x, float *y, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(y + i, _ZGVeN16v_tanhf(_mm512_loadu_ps(x + i)));
    if (i < count) {
        __mmask16 mask = (__mmask16)((1u << (count - i)) - 1);
        _mm512_mask_storeu_ps(y + i, mask, _ZGVeN16v_tanhf(_mm512_maskz_loadu_ps(mask, x + i)));
    }
}

void ckernels_tanh(const float *x, float *y, ptrdiff_t count) {
    static int has_avx512 = -1;   // (a benign race: every thread stores the same value)
    if (has_avx512 < 0) has_avx512 = cgemm_available();
    if (has_avx512) {
        tanh_avx512(x, y, count);
        return;
    }
    ptrdiff_t i = 0;
    for (; i + 4 <= count; i += 4) _mm_storeu_ps(y + i, _ZGVbN4v_tanhf(_mm_loadu_ps(x + i)));
    for (; i < count; i++) y[i] = tanhf(x[i]);
}

#else

void ckernels_tanh(const float *x, float *y, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i++) y[i] = tanhf(x[i]);
}

#endif
