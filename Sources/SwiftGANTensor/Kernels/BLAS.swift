import CBLAS

/// The only file in SwiftGAN that talks to BLAS (OpenBLAS through CBLAS).
///
/// Matrix products go to the current execution context's backend: SwiftGAN's
/// own AVX-512 kernel (`NativeGEMM`) when the CPU has one, OpenBLAS
/// otherwise or when the context asks for it; `openBLASSgemm` always uses
/// OpenBLAS (the benchmarks' reference rate).
///
/// OpenBLAS itself always runs single-threaded: SwiftGAN splits large
/// products across its own workers (the context's thread count), by rows or
/// columns of the result, so one pool of threads serves GEMMs and
/// elementwise loops alike. (With OpenBLAS's own threads, its idle workers
/// spin and yield after every product and took a core from SwiftGAN's
/// elementwise work: two threads trained DCGAN no faster than one.)
package enum BLAS {
    /// Products of fewer multiply-adds than this run on the calling thread:
    /// below it, waking a second thread costs more than it saves. Smaller
    /// products may be issued from several workers at once (blocks of
    /// convolution samples).
    package static let singleThreadedBelow = 1 << 21

    /// Puts OpenBLAS in single-threaded mode once, before the first product.
    @usableFromInline static let openBLASSingleThreaded: Void = { openblas_set_num_threads(1) }()

    /// C = alpha · op(A) · op(B) + beta · C for row-major matrices, plus
    /// `bias` (`n` values) on every row when given.
    ///
    /// `op(A)` is `[m, k]`, `op(B)` is `[k, n]`, `C` is `[m, n]`; `lda`, `ldb`
    /// and `ldc` are the row strides of A, B and C as stored. With
    /// `parallel` false the product stays on the calling thread (callers
    /// that already run on every worker). The native kernel adds the bias
    /// as it stores C (a linear layer's output is written once).
    ///
    /// - Precondition: `beta == 0` when there is a bias.
    @inlinable
    package static func sgemm(
        transposeA: Bool, transposeB: Bool,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0,
        bias: UnsafePointer<Float>? = nil,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        parallel: Bool = true
    ) {
        if m == 0 || n == 0 { return }
        precondition(bias == nil || beta == 0, "sgemm: a bias needs beta 0, got \(beta)")
        let context = ExecutionContext.current
        context.multiplyAddCounter?.total.add(m * n * k, ordering: .relaxed)
        if k == 0 {
            // BLAS leaves C untouched when k == 0: C = beta · C.
            for row in 0..<m {
                let line = c + row * ldc
                if let bias {
                    line.update(from: bias, count: n)
                } else if beta == 0 {
                    line.update(repeating: 0, count: n)
                } else {
                    for j in 0..<n { line[j] *= beta }
                }
            }
            return
        }
        call(
            transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, bias, c, ldc,
            workers: parallel ? context.threads : 1, native: context.gemm == .native)
    }

    /// `sgemm` through OpenBLAS's `cblas_sgemm` whatever the CPU, split
    /// across the workers the same way: the reference rate of `gan bench`.
    package static func openBLASSgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(m > 0 && n > 0 && k > 0, "openBLASSgemm: empty product [\(m), \(k)] · [\(k), \(n)]")
        call(
            transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, nil, c, ldc,
            workers: ExecutionContext.current.threads, native: false)
    }

    @usableFromInline
    static func call(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ bias: UnsafePointer<Float>?, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
        workers: Int, native useNative: Bool
    ) {
        _ = openBLASSingleThreaded
        // The native kernel's orientation is chosen once for the whole product, so every part of a
        // split product sums in the same order and the result does not depend on the thread count.
        let native =
            useNative
            ? NativeGEMM.orientation(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k) : nil
        guard workers > 1 && m * n * k >= singleThreadedBelow && Swift.max(m, n) >= 32 else {
            single(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, bias, c, ldc, native: native)
            return
        }
        // Split C by rows (rows of op(A)) or by columns (columns of op(B)), whichever is longer.
        let byRows = m >= n
        let parts = Swift.min(workers, (byRows ? m : n) / 16)
        Parallel.run(chunks: parts) { part in
            // Column parts start on 16-value (64-byte) boundaries, where C's rows are aligned.
            func boundary(_ part: Int) -> Int {
                byRows ? m * part / parts : part == parts ? n : n * part / parts / 16 * 16
            }
            let start = boundary(part)
            let end = boundary(part + 1)
            if byRows {
                single(
                    transposeA, transposeB, end - start, n, k, alpha, a + (transposeA ? start : start * lda), lda,
                    b, ldb, beta, bias, c + start * ldc, ldc, native: native)
            } else {
                single(
                    transposeA, transposeB, m, end - start, k, alpha, a, lda,
                    b + (transposeB ? start * ldb : start), ldb, beta, bias.map { $0 + start }, c + start, ldc,
                    native: native)
            }
        }
    }

    private static func single(
        _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ bias: UnsafePointer<Float>?, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
        native: NativeGEMM.Orientation?
    ) {
        if let native {
            NativeGEMM.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, bias: bias, c: c, ldc: ldc, orientation: native)
            return
        }
        var beta = beta
        if let bias {
            // OpenBLAS has no bias: C starts as the bias on every row.
            for row in 0..<m { (c + row * ldc).update(from: bias, count: n) }
            beta = 1
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

    /// Puts the BLAS library in single-threaded mode (for other targets'
    /// direct LAPACK calls: one process-wide library setting, made once).
    package static func useSingleThreadedLibrary() { _ = openBLASSingleThreaded }

    /// y += alpha · x over `count` elements.
    @inlinable
    package static func saxpy(count: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        _ = openBLASSingleThreaded
        cblas_saxpy(Int32(count), alpha, x, 1, y, 1)
    }
}
