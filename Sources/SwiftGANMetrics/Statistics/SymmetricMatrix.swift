import SwiftGANTensor

/// Dense symmetric float64 matrices, row-major `[n * n]`: the linear algebra
/// behind FID (LAPACK's `dsyevd` through OpenBLAS).
public struct SymmetricMatrix: Sendable, Equatable {
    /// The size `n`.
    public let size: Int
    /// Row-major `[n * n]` values.
    public var values: [Double]

    /// - Precondition: `values.count == size * size`. Symmetry is assumed
    ///   (only the upper triangle is read by the decompositions).
    public init(size: Int, values: [Double]) {
        require(size >= 0 && values.count == size * size, "SymmetricMatrix: \(values.count) values for \(size)x\(size)")
        self.size = size
        self.values = values
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * size + column] }
        set { values[row * size + column] = newValue }
    }

    /// The trace.
    public var trace: Double { (0..<size).reduce(0) { $0 + values[$1 * size + $1] } }

    /// Eigenvalues in ascending order and the matching orthonormal
    /// eigenvectors (column `j` of the row-major `vectors` belongs to `values[j]`).
    public func eigendecomposition() -> (values: [Double], vectors: [Double]) {
        guard let result = LAPACK.symmetricEigendecomposition(values, n: size) else {
            fatalError("SymmetricMatrix: LAPACK dsyevd did not converge on a \(size)x\(size) matrix (NaN or Inf entries?)")
        }
        return result
    }

    /// The eigenvalues in ascending order.
    public var eigenvalues: [Double] { eigendecomposition().values }

    /// The positive semi-definite square root `V · diag(√max(λ, 0)) · Vᵀ`:
    /// for a PSD matrix `S`, `S.squareRoot() · S.squareRoot() == S`. Tiny
    /// negative eigenvalues from rounding (singular covariances) become 0.
    public func squareRoot() -> SymmetricMatrix {
        let (eigenvalues, vectors) = eigendecomposition()
        let roots = eigenvalues.map { $0 > 0 ? $0.squareRoot() : 0 }
        var scaled = vectors
        for row in 0..<size { for column in 0..<size { scaled[row * size + column] *= roots[column] } }
        var result = LAPACK.dgemm(scaled, Self.transpose(vectors, size), m: size, n: size, k: size)
        Self.symmetrize(&result, size)
        return SymmetricMatrix(size: size, values: result)
    }

    /// `self · other · self`, which is symmetric when both are.
    public func sandwiching(_ other: SymmetricMatrix) -> SymmetricMatrix {
        require(other.size == size, "SymmetricMatrix.sandwiching: sizes \(size) and \(other.size) differ")
        let left = LAPACK.dgemm(values, other.values, m: size, n: size, k: size)
        var result = LAPACK.dgemm(left, values, m: size, n: size, k: size)
        Self.symmetrize(&result, size)
        return SymmetricMatrix(size: size, values: result)
    }

    /// The matrix product (not symmetric in general, so returned as values).
    public static func * (a: SymmetricMatrix, b: SymmetricMatrix) -> [Double] {
        require(a.size == b.size, "SymmetricMatrix *: sizes \(a.size) and \(b.size) differ")
        return LAPACK.dgemm(a.values, b.values, m: a.size, n: a.size, k: a.size)
    }

    private static func transpose(_ values: [Double], _ n: Int) -> [Double] {
        var result = values
        for row in 0..<n { for column in 0..<n { result[column * n + row] = values[row * n + column] } }
        return result
    }

    /// Averages the matrix with its transpose (removes rounding asymmetry).
    private static func symmetrize(_ values: inout [Double], _ n: Int) {
        for row in 0..<n {
            for column in (row + 1)..<Swift.max(row + 1, n) {
                let mean = 0.5 * (values[row * n + column] + values[column * n + row])
                values[row * n + column] = mean
                values[column * n + row] = mean
            }
        }
    }
}
