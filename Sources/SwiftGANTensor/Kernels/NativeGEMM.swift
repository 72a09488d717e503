import CKernels
import Foundation

/// SwiftGAN's own SGEMM (the `CKernels` C target): an AVX-512 broadcast
/// micro-kernel that reads A and B where they lie instead of packing them.
///
/// `BLAS.sgemm` sends every product here when the CPU has AVX-512 and the
/// execution context's backend is `.native`; elsewhere OpenBLAS does the work.
///
/// The kernel computes tiles of 6 rows x 64 columns and needs its right
/// operand row-major with contiguous columns (its left operand may have any
/// strides). Each product runs in one of two orientations, whichever costs
/// less by `cost(...)`:
/// - **direct**: C = op(A) · op(B); when `op(B) = Bᵀ`, B is first
///   transposed into a scratch `[k, n]` matrix;
/// - **transposed**: Cᵀ = op(B)ᵀ · op(A)ᵀ into a scratch `[n, m]` matrix,
///   then transposed into C; op(A)ᵀ is first transposed into a scratch
///   `[k, m]` matrix unless A is stored transposed already.
///
/// A linear layer's forward product `X · Wᵀ` at batch 64 runs transposed,
/// so the weight is never copied.
package enum NativeGEMM {
    /// Whether this CPU (and OS) can run the kernel: x86-64 with AVX-512F/VL and FMA.
    package static let isAvailable = cgemm_available() != 0

    /// The estimated cost, in multiply-adds, of a kernel product of `rows`
    /// x `columns` and depth `k` plus `copies` scratch values: partial tiles
    /// (rows to a multiple of 6, columns to a multiple of 16) cost as much as
    /// full ones, and copying one value costs about 16 multiply-adds.
    static func cost(rows: Int, columns: Int, k: Int, copies: Int) -> Int {
        let paddedRows = (rows + 5) / 6 * 6
        let paddedColumns = (columns + 15) / 16 * 16
        return paddedRows * paddedColumns * Swift.max(k, 1) + 16 * copies
    }

    /// The two ways to run a product (see the type's documentation).
    package enum Orientation: CaseIterable, Sendable { case direct, transposed }

    /// The orientation `sgemm` picks for a product.
    package static func orientation(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int) -> Orientation {
        let direct = cost(rows: m, columns: n, k: k, copies: transposeB ? k * n : 0)
        let transposed = cost(rows: n, columns: m, k: k, copies: m * n + (transposeA ? 0 : m * k))
        return direct <= transposed ? .direct : .transposed
    }

    /// C = alpha · op(A) · op(B) + beta · C (+ `bias`, `n` values added to
    /// every row) for row-major matrices, on the calling thread (the contract
    /// of `BLAS.sgemm`; `k` may be 0), in the given orientation or the
    /// cheaper one. Only call where `isAvailable`.
    ///
    /// - Precondition: `beta == 0` when there is a bias (the direct route
    ///   starts C as the bias).
    package static func sgemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, bias: UnsafePointer<Float>? = nil, c: UnsafeMutablePointer<Float>, ldc: Int,
        orientation: Orientation? = nil
    ) {
        if m == 0 || n == 0 { return }
        let chosen = orientation ?? Self.orientation(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k)
        if chosen == .direct {
            // op(A)(i, p) = a[i * aRow + p * aColumn].
            let (aRow, aColumn) = transposeA ? (1, lda) : (lda, 1)
            guard transposeB else {
                cgemm_sgemm(m, n, k, alpha, a, aRow, aColumn, b, ldb, beta, bias, c, ldc, 1)
                return
            }
            // op(B) = Bᵀ: B is stored [n, k]; its transpose is the [k, n] operand.
            let scratch = TensorStorage(uninitializedCount: k * n)
            withExtendedLifetime(scratch) {
                cgemm_transpose(n, k, b, ldb, nil, 0, scratch.pointer, n)
                cgemm_sgemm(m, n, k, alpha, a, aRow, aColumn, scratch.pointer, n, beta, bias, c, ldc, 1)
            }
            return
        }
        // Cᵀ[j, i] = Σp op(B)[p, j] · op(A)[i, p]. The left operand op(B)ᵀ is
        // B with its strides swapped; the right one, op(A)ᵀ as a row-major
        // [k, m], is A itself when A is stored [k, m] (op(A) = Aᵀ).
        let (leftRow, leftColumn) = transposeB ? (ldb, 1) : (1, ldb)
        let transposedA = transposeA ? nil : TensorStorage(uninitializedCount: k * m)
        let product = TensorStorage(uninitializedCount: n * m)
        withExtendedLifetime((transposedA, product)) {
            var right = a
            var rightStride = lda
            if let transposedA {
                cgemm_transpose(m, k, a, lda, nil, 0, transposedA.pointer, m)
                (right, rightStride) = (UnsafePointer(transposedA.pointer), m)
            }
            // The scratch product is read back at once by the transpose: never streamed.
            cgemm_sgemm(n, m, k, alpha, b, leftRow, leftColumn, right, rightStride, 0, nil, product.pointer, m, 0)
            // C's columns are the product's rows: the bias goes on with the transpose.
            cgemm_transpose(n, m, product.pointer, m, bias, beta, c, ldc)
        }
    }
}
