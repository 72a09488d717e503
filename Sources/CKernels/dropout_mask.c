// Dropout masks from 16 interleaved xoshiro128** streams. Element i takes the
// (i / 16)-th output of lane i % 16, so the AVX-512 path (one lane per 32-bit
// element of a register) and the portable path give the same mask. Drawing a
// mask element by element from one 64-bit generator took 3% of the MLP
// training step on the caller's thread; this runs about twenty times faster.
#include "ckernels.h"
#include <stdint.h>

enum { LANES = 16 };

static uint64_t split_mix(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// Lane states: word w of lane l at s[w][l], all seeded from `seed` through SplitMix64.
static void seed_lanes(uint64_t seed, uint32_t s[4][LANES]) {
    for (int lane = 0; lane < LANES; lane++) {
        for (int w = 0; w < 4; w += 2) {
            const uint64_t bits = split_mix(&seed);
            s[w][lane] = (uint32_t)bits;
            s[w + 1][lane] = (uint32_t)(bits >> 32);
        }
        if ((s[0][lane] | s[1][lane] | s[2][lane] | s[3][lane]) == 0) s[0][lane] = 1;   // never all zero
    }
}

static inline uint32_t rotl32(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static void mask_portable(uint32_t s[4][LANES], ptrdiff_t count, uint32_t threshold, float scale, float *mask) {
    for (ptrdiff_t base = 0; base < count; base += LANES) {
        for (int lane = 0; lane < LANES; lane++) {
            const uint32_t result = rotl32(s[1][lane] * 5, 7) * 9;
            const uint32_t t = s[1][lane] << 9;
            s[2][lane] ^= s[0][lane];
            s[3][lane] ^= s[1][lane];
            s[1][lane] ^= s[2][lane];
            s[0][lane] ^= s[3][lane];
            s[2][lane] ^= t;
            s[3][lane] = rotl32(s[3][lane], 11);
            if (base + lane < count) mask[base + lane] = (result >> 8) < threshold ? scale : 0.0f;
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

__attribute__((target("avx512f")))
static void mask_avx512(uint32_t s[4][LANES], ptrdiff_t count, uint32_t threshold, float scale, float *mask) {
    __m512i s0 = _mm512_loadu_si512(s[0]), s1 = _mm512_loadu_si512(s[1]);
    __m512i s2 = _mm512_loadu_si512(s[2]), s3 = _mm512_loadu_si512(s[3]);
    const __m512i limit = _mm512_set1_epi32((int)threshold);
    const __m512 kept = _mm512_set1_ps(scale);
    const __m512i five = _mm512_set1_epi32(5), nine = _mm512_set1_epi32(9);
    for (ptrdiff_t i = 0; i < count; i += LANES) {
        const __m512i result = _mm512_mullo_epi32(_mm512_rol_epi32(_mm512_mullo_epi32(s1, five), 7), nine);
        const __m512i t = _mm512_slli_epi32(s1, 9);
        s2 = _mm512_xor_si512(s2, s0);
        s3 = _mm512_xor_si512(s3, s1);
        s1 = _mm512_xor_si512(s1, s2);
        s0 = _mm512_xor_si512(s0, s3);
        s2 = _mm512_xor_si512(s2, t);
        s3 = _mm512_rol_epi32(s3, 11);
        const __mmask16 keep = _mm512_cmplt_epu32_mask(_mm512_srli_epi32(result, 8), limit);
        const __m512 values = _mm512_maskz_mov_ps(keep, kept);
        const ptrdiff_t left = count - i;
        if (left >= LANES) {
            _mm512_storeu_ps(mask + i, values);
        } else {
            _mm512_mask_storeu_ps(mask + i, (__mmask16)((1u << left) - 1), values);
        }
    }
}
#endif

void ckernels_dropout_mask(uint64_t seed, ptrdiff_t count, uint32_t threshold, float scale, float *mask) {
    uint32_t s[4][LANES];
    seed_lanes(seed, s);
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
    if (cgemm_available()) {
        mask_avx512(s, count, threshold, scale, mask);
        return;
    }
#endif
    mask_portable(s, count, threshold, scale, mask);
}

void ckernels_dropout_mask_portable(uint64_t seed, ptrdiff_t count, uint32_t threshold, float scale, float *mask) {
    uint32_t s[4][LANES];
    seed_lanes(seed, s);
    mask_portable(s, count, threshold, scale, mask);
}
