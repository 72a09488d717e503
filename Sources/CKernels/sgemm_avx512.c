// SwiftGAN's AVX-512 SGEMM: a broadcast micro-kernel that reads both operands
// where they lie, without packing them first.
//
// Each tile of C is 6 rows x 64 columns (24 zmm accumulators). Every step p
// loads the 64 values of row p of B (four vectors) and multiplies them by
// A(i, p) for the tile's 6 rows (broadcasts), so B must be row-major with
// contiguous columns; A may have any strides. The depth is cut into blocks of
// 512 so that a 512 x 64 panel of B (128 KB) stays in L2 while the row tiles of
// A stream past it (blocks of 256 measured 1-4% slower on the MLP's shapes).
// Column edges use masked loads and stores; row edges use tiles of 1-5 rows.
//
// Why not OpenBLAS here: at batch 64, OpenBLAS packs the weight matrix into
// its panel layout on every product (up to 17% of an MLP training step), and
// zero-fills C before a beta = 0 product. This kernel does neither, and on
// the development machine (AMD EPYC, AVX-512) it also runs its inner loop
// faster: see docs/PERFORMANCE.md.
#include "ckernels.h"

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#include <stdint.h>

#define TARGET __attribute__((target("avx512f,avx512vl,fma")))
#define ALWAYS_INLINE static inline __attribute__((always_inline))

enum { TILE_ROWS = 6, TILE_VECTORS = 4, TILE_COLUMNS = 16 * TILE_VECTORS, DEPTH_BLOCK = 512 };

// Products that write C once (beta = 0, a single depth block) and whose C is larger than
// this many values (1 MB, an L2 cache) store it with non-temporal stores: the weight
// gradient of a linear layer at batch 64 (k = 64, C up to 3 MB) otherwise spends a
// quarter of its time reading C's cold lines into the cache only to overwrite them.
enum { STREAM_MINIMUM_VALUES = 1 << 18 };

int cgemm_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
}

// One rows x (vectors * 16) tile over depth k; the last vector's columns are masked by `last`.
// rows, vectors and stream are compile-time constants at every call site, so the accumulators
// stay in registers. (Any run-time choice in the epilogue, such as an optional bias or a per-vector
// test for streaming, made clang keep the 6 x 4 accumulators in memory and zero them with memset.)
// C's rows start on 64-byte lines when `stream` is set: with 1 every vector but the (partial) last one
// is stored non-temporally, with 2 every vector.
ALWAYS_INLINE TARGET void tile(const int rows, const int vectors, const int stream, __mmask16 last, ptrdiff_t k,
                               const float *a, ptrdiff_t a_row, ptrdiff_t a_column,
                               const float *b, ptrdiff_t ldb, float alpha, float beta,
                               float *c, ptrdiff_t ldc) {
    __m512 accumulator[TILE_ROWS][TILE_VECTORS];
    for (int r = 0; r < rows; r++)
        for (int v = 0; v < vectors; v++) accumulator[r][v] = _mm512_setzero_ps();
    for (ptrdiff_t p = 0; p < k; p++) {
        const float *row_of_b = b + p * ldb;
        __m512 b_vectors[TILE_VECTORS];
        for (int v = 0; v < vectors; v++)
            b_vectors[v] = v == vectors - 1 ? _mm512_maskz_loadu_ps(last, row_of_b + 16 * v)
                                            : _mm512_loadu_ps(row_of_b + 16 * v);
        const float *column_of_a = a + p * a_column;
        for (int r = 0; r < rows; r++) {
            __m512 a_value = _mm512_set1_ps(column_of_a[r * a_row]);
            for (int v = 0; v < vectors; v++)
                accumulator[r][v] = _mm512_fmadd_ps(a_value, b_vectors[v], accumulator[r][v]);
        }
    }
    __m512 alpha_vector = _mm512_set1_ps(alpha), beta_vector = _mm512_set1_ps(beta);
    for (int r = 0; r < rows; r++) {
        for (int v = 0; v < vectors; v++) {
            __mmask16 mask = v == vectors - 1 ? last : (__mmask16)0xFFFF;
            float *target = c + r * ldc + 16 * v;
            __m512 result = _mm512_mul_ps(alpha_vector, accumulator[r][v]);
            if (beta != 0) result = _mm512_fmadd_ps(beta_vector, _mm512_maskz_loadu_ps(mask, target), result);
            if (stream == 2 || (stream == 1 && v < vectors - 1))
                _mm512_stream_ps(target, result);
            else
                _mm512_mask_storeu_ps(target, mask, result);
        }
    }
}

#define TILE_CASE(R, V) \
    case (R) * 8 + (V): \
        if (stream_tile == 2) tile(R, V, 2, last, k, a_tile, a_row, a_column, b_panel, ldb, alpha, beta, c_tile, ldc); \
        else if (stream_tile == 1) tile(R, V, 1, last, k, a_tile, a_row, a_column, b_panel, ldb, alpha, beta, c_tile, ldc); \
        else tile(R, V, 0, last, k, a_tile, a_row, a_column, b_panel, ldb, alpha, beta, c_tile, ldc); \
        break;

TARGET void cgemm_sgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t depth, float alpha,
                        const float *a, ptrdiff_t a_row, ptrdiff_t a_column,
                        const float *b, ptrdiff_t ldb, float beta_in, const float *bias, float *c, ptrdiff_t ldc,
                        int may_stream) {
    if (m <= 0 || n <= 0) return;
    if (depth <= 0) depth = 0;
    if (bias) {
        // C starts as the bias on every row (beta is 0 with a bias) and the products add to it.
        for (ptrdiff_t i = 0; i < m; i++) __builtin_memcpy(c + i * ldc, bias, (size_t)n * sizeof(float));
        beta_in = 1;
    }
    // Whole vectors go out with non-temporal stores when C is written once and large, and its
    // rows start on 64-byte lines.
    const int stream = may_stream && beta_in == 0 && depth <= DEPTH_BLOCK && m * n >= STREAM_MINIMUM_VALUES
                       && ((((uintptr_t)c) | ((uintptr_t)ldc * sizeof(float))) & 63) == 0;
    ptrdiff_t start = 0;
    do {
        ptrdiff_t k = depth - start < DEPTH_BLOCK ? depth - start : DEPTH_BLOCK;
        // Later depth blocks add to what the earlier ones wrote.
        float beta = start == 0 ? beta_in : 1.0f;
        for (ptrdiff_t j = 0; j < n; j += TILE_COLUMNS) {
            ptrdiff_t columns = n - j < TILE_COLUMNS ? n - j : TILE_COLUMNS;
            int vectors = (int)((columns + 15) / 16);
            __mmask16 last = columns % 16 ? (__mmask16)((1u << (columns % 16)) - 1) : (__mmask16)0xFFFF;
            const int stream_tile = !stream ? 0 : last == (__mmask16)0xFFFF ? 2 : 1;
            const float *b_panel = b + start * ldb + j;
            for (ptrdiff_t i = 0; i < m; i += TILE_ROWS) {
                int rows = m - i < TILE_ROWS ? (int)(m - i) : TILE_ROWS;
                const float *a_tile = a + i * a_row + start * a_column;
                float *c_tile = c + i * ldc + j;
                switch (rows * 8 + vectors) {
                    TILE_CASE(1, 1) TILE_CASE(1, 2) TILE_CASE(1, 3) TILE_CASE(1, 4)
                    TILE_CASE(2, 1) TILE_CASE(2, 2) TILE_CASE(2, 3) TILE_CASE(2, 4)
                    TILE_CASE(3, 1) TILE_CASE(3, 2) TILE_CASE(3, 3) TILE_CASE(3, 4)
                    TILE_CASE(4, 1) TILE_CASE(4, 2) TILE_CASE(4, 3) TILE_CASE(4, 4)
                    TILE_CASE(5, 1) TILE_CASE(5, 2) TILE_CASE(5, 3) TILE_CASE(5, 4)
                    TILE_CASE(6, 1) TILE_CASE(6, 2) TILE_CASE(6, 3) TILE_CASE(6, 4)
                    default: break;
                }
            }
        }
        start += k;
    } while (start < depth);
    // Non-temporal stores are weakly ordered: finish them before C is handed to another thread.
    if (stream) _mm_sfence();
}

// One block of up to 8 x 8: dst (columns x rows) = src (rows x columns) transposed, plus beta * dst.
ALWAYS_INLINE TARGET void transpose_block(int rows, int columns, const float *src, ptrdiff_t lds,
                                          const float *bias, float beta, float *dst, ptrdiff_t ldd) {
    __mmask8 column_mask = (__mmask8)((1u << columns) - 1), row_mask = (__mmask8)((1u << rows) - 1);
    __m256 r[8];
    for (int i = 0; i < 8; i++)
        r[i] = i < rows ? _mm256_maskz_loadu_ps(column_mask, src + i * lds) : _mm256_setzero_ps();
    if (bias)
        for (int i = 0; i < rows; i++) r[i] = _mm256_add_ps(r[i], _mm256_set1_ps(bias[i]));
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 s0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), s1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), s3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)), s5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 s6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)), s7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 out[8] = {
        _mm256_permute2f128_ps(s0, s4, 0x20), _mm256_permute2f128_ps(s1, s5, 0x20),
        _mm256_permute2f128_ps(s2, s6, 0x20), _mm256_permute2f128_ps(s3, s7, 0x20),
        _mm256_permute2f128_ps(s0, s4, 0x31), _mm256_permute2f128_ps(s1, s5, 0x31),
        _mm256_permute2f128_ps(s2, s6, 0x31), _mm256_permute2f128_ps(s3, s7, 0x31),
    };
    __m256 beta_vector = _mm256_set1_ps(beta);
    for (int j = 0; j < columns; j++) {
        float *target = dst + j * ldd;
        __m256 value = out[j];
        if (beta != 0) value = _mm256_fmadd_ps(beta_vector, _mm256_maskz_loadu_ps(row_mask, target), value);
        _mm256_mask_storeu_ps(target, row_mask, value);
    }
}

TARGET void cgemm_transpose(ptrdiff_t rows, ptrdiff_t columns, const float *src, ptrdiff_t lds,
                            const float *row_bias, float beta, float *dst, ptrdiff_t ldd) {
    for (ptrdiff_t i = 0; i < rows; i += 8) {
        int block_rows = rows - i < 8 ? (int)(rows - i) : 8;
        const float *bias = row_bias ? row_bias + i : NULL;
        for (ptrdiff_t j = 0; j < columns; j += 8) {
            int block_columns = columns - j < 8 ? (int)(columns - j) : 8;
            if (block_rows == 8 && block_columns == 8)
                transpose_block(8, 8, src + i * lds + j, lds, bias, beta, dst + j * ldd + i, ldd);
            else
                transpose_block(block_rows, block_columns, src + i * lds + j, lds, bias, beta, dst + j * ldd + i, ldd);
        }
    }
}

#else

// Other architectures: the kernels are never called (cgemm_available() is 0).
int cgemm_available(void) { return 0; }
void cgemm_sgemm(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, float alpha, const float *a, ptrdiff_t a_row,
                 ptrdiff_t a_column, const float *b, ptrdiff_t ldb, float beta, const float *bias,
                 float *c, ptrdiff_t ldc, int may_stream) {}
void cgemm_transpose(ptrdiff_t rows, ptrdiff_t columns, const float *src, ptrdiff_t lds, const float *row_bias,
                     float beta, float *dst, ptrdiff_t ldd) {}

#endif
