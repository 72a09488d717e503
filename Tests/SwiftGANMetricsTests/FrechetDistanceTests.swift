import SwiftGANTensor
import Testing

@testable import SwiftGANMetrics

@Suite("FID and the symmetric matrix square root")
struct FrechetDistanceTests {
    /// A random symmetric PSD matrix `A Aᵀ` of the given rank.
    func randomPSD(size: Int, rank: Int, seed: UInt64) -> SymmetricMatrix {
        var random = RandomGenerator(seed: seed)
        let factor = Tensor.normal([size, rank], random: &random).scalars.map(Double.init)
        var values = [Double](repeating: 0, count: size * size)
        for i in 0..<size { for j in 0..<size { for r in 0..<rank { values[i * size + j] += factor[i * rank + r] * factor[j * rank + r] } } }
        return SymmetricMatrix(size: size, values: values)
    }

    @Test(arguments: [(20, 20), (20, 7), (1, 1), (33, 33)])
    func squareRootSquaredReproducesItsInput(size: Int, rank: Int) {
        let matrix = randomPSD(size: size, rank: rank, seed: UInt64(size * 100 + rank))
        let root = matrix.squareRoot()
        let squared = root * root
        let scale = matrix.values.map(Swift.abs).max()!
        for (a, b) in zip(squared, matrix.values) { #expect(Swift.abs(a - b) <= 1e-9 * scale, "\(a) vs \(b)") }
        // The root is itself PSD.
        #expect(root.eigenvalues.allSatisfy { $0 >= -1e-9 * scale })
    }

    @Test func eigendecompositionReconstructsTheMatrix() {
        let matrix = randomPSD(size: 12, rank: 12, seed: 3)
        let (values, vectors) = matrix.eigendecomposition()
        #expect(values == values.sorted())
        let n = 12
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0
                for k in 0..<n { sum += vectors[i * n + k] * values[k] * vectors[j * n + k] }
                #expect(Swift.abs(sum - matrix[i, j]) < 1e-9 * 100)
            }
        }
    }

    @Test func covarianceMatchesTheDefinition() {
        let features = Tensor([1, 2, 3, 5, 2, 0, 4, 4], shape: [4, 2])
        let statistics = FeatureStatistics(features: features)
        #expect(statistics.mean == [2.5, 2.75])
        // numpy.cov: [[5/3, 11/6], [11/6, 59/12]]
        #expect(Swift.abs(statistics.covariance[0, 0] - 5.0 / 3) < 1e-12)
        #expect(Swift.abs(statistics.covariance[0, 1] - 11.0 / 6) < 1e-12 && Swift.abs(statistics.covariance[1, 0] - 11.0 / 6) < 1e-12)
        #expect(Swift.abs(statistics.covariance[1, 1] - 59.0 / 12) < 1e-12)
    }

    @Test func agreesWithTheSciPyReference() {
        let a = FeatureStatistics(features: fixture("features_a"))
        let b = FeatureStatistics(features: fixture("features_b"))
        let distance = FeatureStatistics.frechetDistance(a, b)
        #expect(relativeError(distance, expectedValue("fid_ab")) < 1e-3, "FID \(distance) vs SciPy \(expectedValue("fid_ab"))")
        #expect(relativeError(FeatureStatistics.frechetDistance(b, a), expectedValue("fid_ab")) < 1e-3, "FID is symmetric")
    }

    /// Fewer samples than dimensions: both covariances are singular.
    @Test func handlesSingularCovariances() {
        let a = FeatureStatistics(features: fixture("features_narrow"))
        let b = FeatureStatistics(features: fixture("features_narrow_other"))
        #expect(a.covariance.eigenvalues.first! < 1e-6, "the fixture's covariance should be singular")
        let distance = FeatureStatistics.frechetDistance(a, b)
        #expect(distance.isFinite)
        #expect(relativeError(distance, expectedValue("fid_narrow")) < 1e-3, "FID \(distance) vs \(expectedValue("fid_narrow"))")
    }

    @Test func distanceOfASetToItselfIsZero() {
        let a = FeatureStatistics(features: fixture("features_a"))
        let distance = FeatureStatistics.frechetDistance(a, a)
        #expect(distance >= 0 && distance < 1e-9 * a.covariance.trace, "FID(a, a) = \(distance)")
    }
}
