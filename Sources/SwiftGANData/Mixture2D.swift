import Foundation
import SwiftGANTensor

/// The 2-D synthetic benchmarks of the mode-collapse literature
/// (Metz et al. 2017 "Unrolled GANs"; Lin et al. 2018 "PacGAN"), plus two demo shapes.
public enum Mixture2D: String, Sendable, CaseIterable {
    /// 8 Gaussians at angles k·45° on the unit circle, σ = 0.01.
    case ring8
    /// 25 Gaussians at {−4, −2, 0, 2, 4}², σ = 0.05.
    case grid25
    /// A 2-D swiss roll: t ~ U(1.5π, 4.5π), (t cos t, t sin t) / 5 plus N(0, 0.05²) noise.
    case spiral
    /// Two interleaving half circles (as scikit-learn's `make_moons`), noise N(0, 0.05²).
    case moons

    /// The Gaussian centres (`[]` for the continuous shapes).
    public var modes: [(x: Float, y: Float)] {
        switch self {
        case .ring8:
            return (0..<8).map { k in
                let angle = Double(k) * Double.pi / 4
                return (Float(cos(angle)), Float(sin(angle)))
            }
        case .grid25:
            let positions: [Float] = [-4, -2, 0, 2, 4]
            return positions.flatMap { x in positions.map { y in (x, y) } }
        case .spiral, .moons:
            return []
        }
    }

    /// The standard deviation of each Gaussian (or of the shapes' noise).
    public var standardDeviation: Float {
        switch self {
        case .ring8: 0.01
        case .grid25: 0.05
        case .spiral, .moons: 0.05
        }
    }

    /// `count` points `[count, 2]` and, for the Gaussian mixtures, the mode
    /// each was drawn from (the half or -1 for the shapes: moons 0/1, spiral -1).
    public func sample(_ count: Int, random: inout RandomGenerator) -> (points: Tensor, modeIndices: [Int]) {
        require(count >= 0, "Mixture2D.sample: count \(count) must not be negative")
        var values = [Float](repeating: 0, count: count * 2)
        var indices = [Int](repeating: -1, count: count)
        let noise = Tensor.normal([count, 2], std: standardDeviation, random: &random).scalars
        let centres = modes
        for index in 0..<count {
            var x: Float
            var y: Float
            switch self {
            case .ring8, .grid25:
                let mode = Int(random.next() % UInt64(centres.count))
                indices[index] = mode
                (x, y) = centres[mode]
            case .spiral:
                let t = Double.pi * (1.5 + 3 * Double(random.nextUniform()))
                x = Float(t * cos(t) / 5)
                y = Float(t * sin(t) / 5)
            case .moons:
                let angle = Double.pi * Double(random.nextUniform())
                let half = Int(random.next() % 2)
                indices[index] = half
                if half == 0 {
                    x = Float(cos(angle))
                    y = Float(sin(angle))
                } else {
                    x = Float(1 - cos(angle))
                    y = Float(0.5 - sin(angle))
                }
            }
            values[2 * index] = x + noise[2 * index]
            values[2 * index + 1] = y + noise[2 * index + 1]
        }
        return (Tensor(values, shape: [count, 2]), indices)
    }

    /// A fixed dataset of `count` points, `[count, 1, 1, 2]` as images so it
    /// works with the data loader; labels are the mode indices (0 for shapes).
    public func dataset(count: Int, seed: UInt64) -> ImageDataset {
        var random = RandomGenerator(seed: seed)
        let (points, indices) = sample(count, random: &random)
        let classes = Swift.max(modes.count, self == .moons ? 2 : 1)
        return ImageDataset(
            images: points.reshaped([count, 1, 1, 2]), labels: indices.map { Swift.max($0, 0) },
            classNames: (0..<classes).map { "mode \($0)" })
    }
}

/// An endless seeded stream of mixture samples.
public struct MixtureSampler: Sendable {
    public let mixture: Mixture2D
    /// The stream's state (saveable for exact resume).
    public var random: RandomGenerator

    public init(_ mixture: Mixture2D, seed: UInt64) {
        self.mixture = mixture
        random = RandomGenerator(seed: seed)
    }

    /// The next `count` points, `[count, 2]`.
    public mutating func next(_ count: Int) -> Tensor {
        mixture.sample(count, random: &random).points
    }
}
