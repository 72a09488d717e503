import SwiftGANMetrics
import SwiftGANTensor

/// Closed-form latent directions of a trained generator (SeFa, Shen & Zhou
/// 2021). G's first layer maps z through a matrix `A`; a unit direction `n`
/// moves that layer's output by `A·n`, most where `‖A·n‖²` is largest. The
/// maximisers, one orthogonal to the next, are the eigenvectors of `AᵀA` in
/// order of decreasing eigenvalue: the directions along which G's image
/// changes most, found from the weights alone, without training or labels.
public struct LatentDirections: Sendable {
    /// The unit directions `[K, latentDimension]` (K = latentDimension),
    /// row k the eigenvector of the k-th largest eigenvalue, its sign chosen
    /// so that its largest-magnitude entry is positive (LAPACK's signs are arbitrary).
    public let directions: Tensor
    /// The eigenvalues of `AᵀA`, decreasing: `‖A·direction_k‖²`.
    public let eigenvalues: [Float]

    /// The number of directions.
    public var count: Int { eigenvalues.count }

    /// The directions of `generator`'s first layer (`GeneratorModel.latentWeights`);
    /// nil when that layer is not linear in z.
    public init?(_ generator: GeneratorModel) {
        guard let weights = generator.latentWeights else { return nil }
        self.init(weights: weights)
    }

    /// The directions of a first layer that maps z through `weights` `[outputs, latentDimension]`.
    public init(weights: Tensor) {
        require(weights.rank == 2, "LatentDirections: weights must be [outputs, latent], got \(weights.shape)")
        let size = weights.shape[1]
        let gram = withoutGradients { matmul(weights, weights, transposeA: true) }.scalars
        let (values, vectors) = SymmetricMatrix(size: size, values: gram.map(Double.init)).eigendecomposition()
        var rows: [Float] = []
        rows.reserveCapacity(size * size)
        for column in (0..<size).reversed() {  // LAPACK's order is ascending
            var vector = (0..<size).map { Float(vectors[$0 * size + column]) }
            let largest = vector.indices.max { Swift.abs(vector[$0]) < Swift.abs(vector[$1]) } ?? 0
            if vector[largest] < 0 { vector = vector.map { -$0 } }
            rows += vector
        }
        directions = Tensor(rows, shape: [size, size])
        eigenvalues = values.reversed().map { Float(Swift.max($0, 0)) }
    }

    /// The share of `AᵀA`'s trace, the total of the eigenvalues, that direction `k` holds.
    public func share(_ k: Int) -> Float {
        let total = eigenvalues.reduce(0, +)
        return total > 0 ? eigenvalues[k] / total : 0
    }

    /// Each row of `latents` `[N, latentDimension]` moved along direction `k`
    /// by `steps` amounts evenly spaced over `range` (both ends included):
    /// `[N · steps, latentDimension]`, the steps of a latent together
    /// (row `i · steps + j` is `z_i + α_j · direction_k`).
    /// - Precondition: `k < count`, `steps ≥ 2`, latents `[N, count]`.
    public func walk(_ latents: Tensor, direction k: Int, range: ClosedRange<Float>, steps: Int) -> Tensor {
        require(k >= 0 && k < count, "LatentDirections.walk: direction \(k) of \(count)")
        require(steps >= 2, "LatentDirections.walk: at least 2 steps, got \(steps)")
        require(latents.rank == 2 && latents.shape[1] == count, "LatentDirections.walk: latents \(latents.shape), directions of \(count)")
        let direction = Array(directions.scalars[(k * count)..<((k + 1) * count)])
        let z = latents.scalars
        var walked: [Float] = []
        walked.reserveCapacity(latents.shape[0] * steps * count)
        for row in 0..<latents.shape[0] {
            let start = row * count
            for step in 0..<steps {
                let amount = range.lowerBound + (range.upperBound - range.lowerBound) * Float(step) / Float(steps - 1)
                for index in 0..<count { walked.append(z[start + index] + amount * direction[index]) }
            }
        }
        return Tensor(walked, shape: [latents.shape[0] * steps, count])
    }
}
