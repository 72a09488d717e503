// tanh over arrays through glibc's vector math library (libmvec): 16 lanes per
// call with AVX-512, else 4 (SSE2, which every x86-64 CPU has). The scalar
// tanhf costs about 10 ns a value; the generator's output layer of an MLP GAN
// takes 100,000 of them per training step.
//
// libmvec's tanhf variants arrived in glibc 2.35, so they are looked up at run
// time (dlopen/dlsym) instead of linked: on older systems, other C libraries
// and other architectures the scalar loop runs.
#include "ckernels.h"
#include <math.h>
#include <pthread.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <dlfcn.h>
#include <immintrin.h>

// The x86-64 vector function ABI names: b = SSE (4 lanes), e = AVX-512 (16 lanes).
typedef __m128 (*tanh4_function)(__m128);
typedef __m512 (*tanh16_function)(__m512);   // called only from AVX-512 code

static pthread_once_t lookup_once = PTHREAD_ONCE_INIT;
static tanh4_function tanh4;
static tanh16_function tanh16;

static void look_up(void) {
    void *library = dlopen("libmvec.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) return;
    tanh4 = (tanh4_function)dlsym(library, "_ZGVbN4v_tanhf");
    if (cgemm_available()) tanh16 = (tanh16_function)dlsym(library, "_ZGVeN16v_tanhf");
}

__attribute__((target("avx512f"))) static void tanh_avx512(const float *x, float *y, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(y + i, tanh16(_mm512_loadu_ps(x + i)));
    if (i < count) {
        __mmask16 mask = (__mmask16)((1u << (count - i)) - 1);
        _mm512_mask_storeu_ps(y + i, mask, tanh16(_mm512_maskz_loadu_ps(mask, x + i)));
    }
}

void ckernels_tanh(const float *x, float *y, ptrdiff_t count) {
    pthread_once(&lookup_once, look_up);
    if (tanh16) {
        tanh_avx512(x, y, count);
        return;
    }
    ptrdiff_t i = 0;
    if (tanh4)
        for (; i + 4 <= count; i += 4) _mm_storeu_ps(y + i, tanh4(_mm_loadu_ps(x + i)));
    for (; i < count; i++) y[i] = tanhf(x[i]);
}

#else

void ckernels_tanh(const float *x, float *y, ptrdiff_t count) {
    for (ptrdiff_t i = 0; i < count; i++) y[i] = tanhf(x[i]);
}

#endif
