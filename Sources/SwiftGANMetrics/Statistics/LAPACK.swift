import CBLAS
import SwiftGANTensor

/// The float64 linear algebra of the metrics (covariances and their square
/// roots for FID), through OpenBLAS's CBLAS and LAPACK: the metrics' one
/// file that talks to the BLAS library (the engine's float32 products go
/// through `SwiftGANTensor`'s `BLAS`).
enum LAPACK {
    /// Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric
    /// `n x n` float64 matrix, through LAPACK's `dsyevd` (divide and conquer).
    ///
    /// - Parameter matrix: row-major `[n * n]`; only the upper triangle is read.
    /// - Returns: `values[n]` and `vectors[n * n]` row-major, column `j` the
    ///   eigenvector of `values[j]`; `nil` if LAPACK reports no convergence.
    static func symmetricEigendecomposition(_ matrix: [Double], n: Int) -> (values: [Double], vectors: [Double])? {
        require(n >= 0 && matrix.count == n * n, "symmetricEigendecomposition: \(matrix.count) values for a \(n)x\(n) matrix")
        if n == 0 { return ([], []) }
        BLAS.useSingleThreadedLibrary()
        // Column-major LAPACK sees the row-major matrix transposed; it is
        // symmetric, so reading LAPACK's lower triangle reads our upper one.
        var a = matrix
        var values = [Double](repeating: 0, count: n)
        var order = Int32(n)
        var leading = Int32(n)
        var info: Int32 = 0
        var jobz = CChar(UInt8(ascii: "V"))
        var uplo = CChar(UInt8(ascii: "L"))
        // Workspace query, then the decomposition.
        var workSize = 0.0
        var integerWorkSize: Int32 = 0
        var query: Int32 = -1
        var integerQuery: Int32 = -1
        dsyevd_(&jobz, &uplo, &order, &a, &leading, &values, &workSize, &query, &integerWorkSize, &integerQuery, &info, 1, 1)
        guard info == 0 else { return nil }
        var lwork = Int32(workSize.rounded(.up))
        var liwork = integerWorkSize
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
    static func dgemm(_ a: [Double], _ b: [Double], m: Int, n: Int, k: Int) -> [Double] {
        require(a.count == m * k && b.count == k * n, "dgemm: \(a.count) and \(b.count) values for [\(m), \(k)] · [\(k), \(n)]")
        var c = [Double](repeating: 0, count: m * n)
        if m == 0 || n == 0 || k == 0 { return c }
        BLAS.useSingleThreadedLibrary()
        cblas_dgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k),
            1, a, Int32(k), b, Int32(n), 0, &c, Int32(n))
        return c
    }
}
