import SwiftGANTensor

/// KID (Bińkowski et al. 2018, "Demystifying MMD GANs"): the unbiased
/// estimate of the squared MMD between two feature sets under the cubic
/// polynomial kernel `k(x, y) = (xᵀy / D + 1)³`, averaged over random
/// subsets. Unlike FID it is unbiased, so two samples of one distribution
/// give values near 0 (either sign).
public struct KernelInceptionDistance: Sendable, Equatable, Codable {
    /// Mean of the subset estimates.
    public var mean: Double
    /// Standard deviation of the subset estimates.
    public var standardDeviation: Double
    /// Number of subsets and their size.
    public var subsets: Int
    public var subsetSize: Int

    /// KID between `real` `[N, D]` and `fake` `[M, D]` features over
    /// `subsets` random subsets of `min(subsetSize, N, M)` rows of each
    /// (drawn without replacement within a subset, seeded).
    public static func compute(
        real: Tensor, fake: Tensor, subsets: Int = 100, subsetSize: Int = 1000,
        seed: UInt64 = 0
    ) -> KernelInceptionDistance {
        require(
            real.rank == 2 && fake.rank == 2 && real.shape[1] == fake.shape[1],
            "KernelInceptionDistance: features must be [N, D] and [M, D], got \(real.shape) and \(fake.shape)")
        let size = Swift.min(subsetSize, real.shape[0], fake.shape[0])
        require(size >= 2 && subsets >= 1, "KernelInceptionDistance: need at least 2 rows per set and 1 subset, got \(size) and \(subsets)")
        var random = RandomGenerator(seed: seed)
        var estimates: [Double] = []
        for _ in 0..<subsets {
            let x = real.indexSelect(choose(size, from: real.shape[0], &random))
            let y = fake.indexSelect(choose(size, from: fake.shape[0], &random))
            estimates.append(unbiasedMMD(x, y))
        }
        let mean = estimates.reduce(0, +) / Double(subsets)
        let variance = estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(subsets)
        return KernelInceptionDistance(mean: mean, standardDeviation: variance.squareRoot(), subsets: subsets, subsetSize: size)
    }

    /// The unbiased MMD² estimate between two `[m, D]` sets of equal size.
    static func unbiasedMMD(_ x: Tensor, _ y: Tensor) -> Double {
        let m = Double(x.shape[0])
        let dimension = Double(x.shape[1])
        func kernelSum(_ a: Tensor, _ b: Tensor, skipDiagonal: Bool) -> Double {
            let gram = matmul(a, b, transposeB: true).scalars
            let columns = b.shape[0]
            var sum = 0.0
            for (index, dot) in gram.enumerated() where !(skipDiagonal && index / columns == index % columns) {
                let base = Double(dot) / dimension + 1
                sum += base * base * base
            }
            return sum
        }
        let xx = kernelSum(x, x, skipDiagonal: true) / (m * (m - 1))
        let yy = kernelSum(y, y, skipDiagonal: true) / (m * (m - 1))
        let xy = kernelSum(x, y, skipDiagonal: false) / (m * m)
        return xx + yy - 2 * xy
    }

    /// `count` distinct indices from `0..<population` (partial Fisher–Yates).
    static func choose(_ count: Int, from population: Int, _ random: inout RandomGenerator) -> [Int] {
        var indices = Array(0..<population)
        for position in 0..<count {
            let pick = position + Int(random.next() % UInt64(population - position))
            indices.swapAt(position, pick)
        }
        return Array(indices[0..<count])
    }
}
