import CBLAS
import Synchronization

/// Serialises changes of OpenBLAS's global thread count.
private let threadCountLock = Mutex<Void>(())

/// The only file in SwiftGAN that talks to BLAS (OpenBLAS through CBLAS).
package enum BLAS {
    /// C = alpha * op(A) * op(B) + beta * C for row-major matrices.
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
            // BLAS leaves C untouched when k == 0; the product of empty
            // matrices is zero.
            for row in 0..<m { (c + row * ldc).update(repeating: 0, count: n) }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc)
        )
    }

    /// y += alpha * x over `count` elements.
    @inlinable
    package static func saxpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
    }

    /// Sets how many threads OpenBLAS uses.
    package static func setThreadCount(_ count: Int) {
        threadCountLock.withLock { _ in openblas_set_num_threads(Int32(count)) }
    }

    /// Runs `body` with OpenBLAS limited to one thread per call, so that
    /// `body` may call BLAS from several threads at once; restores the
    /// previous thread count afterwards.
    ///
    /// OpenBLAS's thread count is process-wide, so callers are serialised:
    /// a second thread waits rather than seeing (or restoring) a count it
    /// did not set.
    package static func withSingleThreadedCalls<R>(_ body: () throws -> R) rethrows -> R {
        try threadCountLock.withLock { _ in
            let previous = threadCount
            openblas_set_num_threads(1)
            defer { openblas_set_num_threads(Int32(previous)) }
            return try body()
        }
    }

    /// The number of threads OpenBLAS uses.
    package static var threadCount: Int { Int(openblas_get_num_threads()) }
}
