import CBLAS

/// The only file in SwiftGAN that talks to BLAS (OpenBLAS through CBLAS).
///
/// OpenBLAS threads each large product itself (its thread count follows
/// `ComputeThreads`). Products below OpenBLAS's own threading threshold run
/// on the calling thread, so SwiftGAN may issue several small ones at once
/// from its own workers (per-sample convolution GEMMs) without touching
/// OpenBLAS's global state.
package enum BLAS {
    /// OpenBLAS runs a product single-threaded below this many multiply-adds
    /// (SMP_THRESHOLD_MIN · GEMM_MULTITHREAD_THRESHOLD = 65536 · 4 in its
    /// default build, which Debian ships). Smaller products may be issued
    /// from several threads at once and each stays on its caller's core.
    package static let singleThreadedBelow = 65536 * 4

    /// C = alpha · op(A) · op(B) + beta · C for row-major matrices.
    ///
    /// `op(A)` is `[m, k]`, `op(B)` is `[k, n]`, `C` is `[m, n]`; `lda`, `ldb`
    /// and `ldc` are the row strides of A, B and C as stored.
    @inlinable
    package static func sgemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves C untouched when k == 0: C = beta · C.
            for row in 0..<m {
                let line = c + row * ldc
                if beta == 0 { line.update(repeating: 0, count: n) } else { for j in 0..<n { line[j] *= beta } }
            }
            return
        }
        call(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @usableFromInline
    static func call(_ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                     _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                     _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc)
        )
    }

    /// Sets how many threads OpenBLAS uses for large products.
    package static func setThreadCount(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    /// y += alpha · x over `count` elements.
    @inlinable
    package static func saxpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
    }
}
