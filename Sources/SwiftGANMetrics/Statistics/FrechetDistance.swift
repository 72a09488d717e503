import SwiftGANTensor

/// The mean and covariance of a feature set, accumulated in float64:
/// what FID compares (Heusel et al. 2017, "GANs Trained by a Two Time-Scale
/// Update Rule Converge to a Local Nash Equilibrium").
public struct FeatureStatistics: Sendable, Equatable {
    /// Number of feature vectors.
    public let count: Int
    /// `[D]` mean.
    public let mean: [Double]
    /// `[D, D]` unbiased covariance (divided by `count - 1`, as `numpy.cov`).
    public let covariance: SymmetricMatrix

    /// The statistics of features `[N, D]` (N ≥ 2).
    public init(features: Tensor) {
        require(
            features.rank == 2 && features.shape[0] >= 2,
            "FeatureStatistics: expected features [N >= 2, D], got \(features.shape)")
        let (count, dimension) = (features.shape[0], features.shape[1])
        let values = features.scalars
        var mean = [Double](repeating: 0, count: dimension)
        for row in 0..<count {
            for column in 0..<dimension { mean[column] += Double(values[row * dimension + column]) }
        }
        for column in 0..<dimension { mean[column] /= Double(count) }
        // Σ (x - μ)(x - μ)ᵀ through one float64 GEMM of the centred matrix.
        var centred = [Double](repeating: 0, count: count * dimension)
        var centredTransposed = [Double](repeating: 0, count: count * dimension)
        for row in 0..<count {
            for column in 0..<dimension {
                let value = Double(values[row * dimension + column]) - mean[column]
                centred[row * dimension + column] = value
                centredTransposed[column * count + row] = value
            }
        }
        var covariance = LAPACK.dgemm(centredTransposed, centred, m: dimension, n: dimension, k: count)
        for index in covariance.indices { covariance[index] /= Double(count - 1) }
        self.init(count: count, mean: mean, covariance: SymmetricMatrix(size: dimension, values: covariance))
    }

    /// Statistics given directly (e.g. precomputed reference statistics).
    public init(count: Int, mean: [Double], covariance: SymmetricMatrix) {
        require(mean.count == covariance.size, "FeatureStatistics: mean of \(mean.count) but covariance \(covariance.size)x\(covariance.size)")
        self.count = count
        self.mean = mean
        self.covariance = covariance
    }

    /// The Fréchet distance between the Gaussians fitted to two feature sets:
    /// `‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁ Σ₂)^½`.
    ///
    /// `tr (Σ₁Σ₂)^½` is computed as `Σᵢ √λᵢ` for the eigenvalues λ of the
    /// symmetric PSD matrix `Σ₁^½ Σ₂ Σ₁^½`, which has the same spectrum as
    /// `Σ₁Σ₂`; both square roots come from symmetric eigendecompositions
    /// (LAPACK `dsyevd`), so singular covariances need no regularising offset.
    public static func frechetDistance(_ a: FeatureStatistics, _ b: FeatureStatistics) -> Double {
        require(a.mean.count == b.mean.count, "frechetDistance: feature dimensions \(a.mean.count) and \(b.mean.count) differ")
        var meanTerm = 0.0
        for index in a.mean.indices { meanTerm += (a.mean[index] - b.mean[index]) * (a.mean[index] - b.mean[index]) }
        let rootA = a.covariance.squareRoot()
        let product = rootA.sandwiching(b.covariance)
        let traceOfRoot = product.eigenvalues.reduce(0) { $0 + ($1 > 0 ? $1.squareRoot() : 0) }
        let distance = meanTerm + a.covariance.trace + b.covariance.trace - 2 * traceOfRoot
        return Swift.max(distance, 0)
    }
}
