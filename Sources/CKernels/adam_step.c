// One Adam update without weight decay or AMSGrad, the optimizer's common
// case, as `torch.optim.Adam` computes it:
//
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   p = p - step_size * m / (sqrt(v) / correction2_root + epsilon)
//
// Every lane does exactly these operations in this order (the square root and
// both divisions are correctly rounded), so all three paths give the same bits.
// The update is bound by its two divisions and square root: 16 lanes at a time
// halve its time against 4 (Adam was a tenth of the MLP training step).
#include "ckernels.h"
#include <math.h>

// No fused multiply-adds: each product and sum rounds on its own, as in the formula.
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx512f")))
static void adam_avx512(ptrdiff_t count, float *p, const float *g, float *m, float *v,
                        const struct ckernels_adam_coefficients *c) {
    const __m512 b1 = _mm512_set1_ps(c->beta1), b2 = _mm512_set1_ps(c->beta2);
    const __m512 rest1 = _mm512_set1_ps(1 - c->beta1), rest2 = _mm512_set1_ps(1 - c->beta2);
    const __m512 size = _mm512_set1_ps(c->step_size), root = _mm512_set1_ps(c->correction2_root);
    const __m512 eps = _mm512_set1_ps(c->epsilon);
    for (ptrdiff_t i = 0; i < count; i += 16) {
        const ptrdiff_t left = count - i;
        const __mmask16 mask = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        const __m512 grad = _mm512_maskz_loadu_ps(mask, g + i);
        const __m512 first = _mm512_add_ps(_mm512_mul_ps(b1, _mm512_maskz_loadu_ps(mask, m + i)),
                                           _mm512_mul_ps(rest1, grad));
        const __m512 second = _mm512_add_ps(_mm512_mul_ps(b2, _mm512_maskz_loadu_ps(mask, v + i)),
                                            _mm512_mul_ps(_mm512_mul_ps(rest2, grad), grad));
        const __m512 denominator = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(second), root), eps);
        const __m512 updated = _mm512_sub_ps(_mm512_maskz_loadu_ps(mask, p + i),
                                             _mm512_div_ps(_mm512_mul_ps(size, first), denominator));
        _mm512_mask_storeu_ps(m + i, mask, first);
        _mm512_mask_storeu_ps(v + i, mask, second);
        _mm512_mask_storeu_ps(p + i, mask, updated);
    }
}

static ptrdiff_t adam_sse(ptrdiff_t count, float *p, const float *g, float *m, float *v,
                          const struct ckernels_adam_coefficients *c) {
    const __m128 b1 = _mm_set1_ps(c->beta1), b2 = _mm_set1_ps(c->beta2);
    const __m128 rest1 = _mm_set1_ps(1 - c->beta1), rest2 = _mm_set1_ps(1 - c->beta2);
    const __m128 size = _mm_set1_ps(c->step_size), root = _mm_set1_ps(c->correction2_root);
    const __m128 eps = _mm_set1_ps(c->epsilon);
    ptrdiff_t i = 0;
    for (; i + 4 <= count; i += 4) {
        const __m128 grad = _mm_loadu_ps(g + i);
        const __m128 first = _mm_add_ps(_mm_mul_ps(b1, _mm_loadu_ps(m + i)), _mm_mul_ps(rest1, grad));
        const __m128 second = _mm_add_ps(_mm_mul_ps(b2, _mm_loadu_ps(v + i)), _mm_mul_ps(_mm_mul_ps(rest2, grad), grad));
        const __m128 denominator = _mm_add_ps(_mm_div_ps(_mm_sqrt_ps(second), root), eps);
        const __m128 updated = _mm_sub_ps(_mm_loadu_ps(p + i), _mm_div_ps(_mm_mul_ps(size, first), denominator));
        _mm_storeu_ps(m + i, first);
        _mm_storeu_ps(v + i, second);
        _mm_storeu_ps(p + i, updated);
    }
    return i;
}
#endif

void ckernels_adam(ptrdiff_t count, float *p, const float *g, float *m, float *v,
                   struct ckernels_adam_coefficients coefficients) {
    const struct ckernels_adam_coefficients *c = &coefficients;
    ptrdiff_t i = 0;
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (cgemm_available()) {
        adam_avx512(count, p, g, m, v, c);
        return;
    }
    i = adam_sse(count, p, g, m, v, c);
#endif
    for (; i < count; i++) {
        const float first = c->beta1 * m[i] + (1 - c->beta1) * g[i];
        const float second = c->beta2 * v[i] + (1 - c->beta2) * g[i] * g[i];
        m[i] = first;
        v[i] = second;
        p[i] = p[i] - c->step_size * first / (sqrtf(second) / c->correction2_root + c->epsilon);
    }
}
