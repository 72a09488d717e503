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

    /// Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric
    /// `n x n` float64 matrix, through LAPACK's `dsyevd` (divide and conquer).
    ///
    /// - Parameter matrix: row-major `[n * n]`; only the upper triangle is read.
    /// - Returns: `values[n]` and `vectors[n * n]` row-major, column `j` the
    ///   eigenvector of `values[j]`; `nil` if LAPACK reports no convergence.
    package static func symmetricEigendecomposition(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double])? {
        require(n >= 0 && matrix.count == n * n, "symmetricEigendecomposition: \(matrix.count) values for a \(n)x\(n) matrix")
        if n == 0 { return ([], []) }
        // Column-major LAPACK sees the row-major matrix transposed; it is
        // symmetric, so reading LAPACK's lower triangle reads our upper one.
        var a = matrix
        var values = [Double](repeating: 0, count: n)
        var order = Int32(n), leading = Int32(n), info: Int32 = 0
        var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "L"))
        // Workspace query, then the decomposition.
        var workSize = 0.0, integerWorkSize: Int32 = 0, query: Int32 = -1, integerQuery: Int32 = -1
        dsyevd_(&jobz, &uplo, &order, &a, &leading, &values, &workSize, &query, &integerWorkSize, &integerQuery, &info, 1, 1)
        guard info == 0 else { return nil }
        var lwork = Int32(workSize.rounded(.up)), liwork = integerWorkSize
        var work = [Double](repeating: 0, count: Int(lwork))
        var integerWork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &order, &a, &leading, &values, &work, &lwork, &integerWork, &liwork, &info, 1, 1)
        guard info == 0 else { return nil }
        // LAPACK's column-major eigenvector columns are rows of `a` here: transpose.
        var vectors = [Double](repeating: 0, count: n * n)
        for row in 0..<n { for column in 0..<n { vectors[row * n + column] = a[column * n + row] } }
        return (values, vectors)
    }

    /// C = A · B for row-major float64 matrices `[m, k]` · `[k, n]` → `[m, n]`.
    package static func dgemm(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int) -> [Double] {
        require(a.count == m * k && b.count == k * n, "dgemm: \(a.count) and \(b.count) values for [\(m), \(k)] · [\(k), \(n)]")
        var c = [Double](repeating: 0, count: m * n)
        if m == 0 || n == 0 || k == 0 { return c }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        return c
    }
}
