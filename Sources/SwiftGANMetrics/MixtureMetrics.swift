import Foundation
import SwiftGANData
import SwiftGANTensor

/// The mode-collapse measures of the 2-D mixture benchmarks, as defined by
/// Srivastava et al. 2017 (VEEGAN) and Lin et al. 2018 (PacGAN, Table 1):
/// a sample is high quality when it lies within 3σ of its nearest mode; a
/// mode is captured when at least one high-quality sample is nearest to it;
/// the reverse KL compares the modes' histogram of high-quality samples with
/// the uniform distribution over modes. Published figures use 2,500 samples.
public struct MixtureMetrics: Sendable, Equatable, Codable {
    /// Number of samples evaluated.
    public var sampleCount: Int
    /// Modes with at least one high-quality sample, of `modeCount`.
    public var modesCaptured: Int
    public var modeCount: Int
    /// Fraction of samples within 3σ of their nearest mode.
    public var highQualityFraction: Double
    /// `KL(p ‖ uniform) = Σ p log(p · K)` over the high-quality samples'
    /// mode histogram `p` (0 when balanced, log K when one mode holds them
    /// all); nil when no sample is high quality.
    public var reverseKL: Double?
    /// High-quality samples per mode.
    public var samplesPerMode: [Int]

    /// The published number of samples (2,500).
    public static let standardSampleCount = 2_500

    /// Measures `points` `[N, 2]` against `mixture`'s Gaussian modes.
    public static func compute(points: Tensor, mixture: Mixture2D) -> MixtureMetrics {
        let modes = mixture.modes
        require(!modes.isEmpty, "MixtureMetrics: \(mixture.rawValue) has no discrete modes")
        require(points.rank == 2 && points.shape[1] == 2, "MixtureMetrics: expected points [N, 2], got \(points.shape)")
        let values = points.scalars
        let count = points.shape[0]
        let limit = 3 * Double(mixture.standardDeviation)
        var perMode = [Int](repeating: 0, count: modes.count)
        var highQuality = 0
        for index in 0..<count {
            let (x, y) = (Double(values[2 * index]), Double(values[2 * index + 1]))
            var nearest = 0
            var nearestDistance = Double.infinity
            for (mode, centre) in modes.enumerated() {
                let distance = ((x - Double(centre.x)) * (x - Double(centre.x)) + (y - Double(centre.y)) * (y - Double(centre.y))).squareRoot()
                if distance < nearestDistance { (nearest, nearestDistance) = (mode, distance) }
            }
            if nearestDistance <= limit {
                highQuality += 1
                perMode[nearest] += 1
            }
        }
        var reverseKL: Double? = nil
        if highQuality > 0 {
            reverseKL = perMode.reduce(0.0) { total, modeCount in
                guard modeCount > 0 else { return total }
                let p = Double(modeCount) / Double(highQuality)
                return total + p * log(p * Double(modes.count))
            }
        }
        return MixtureMetrics(
            sampleCount: count, modesCaptured: perMode.filter { $0 > 0 }.count, modeCount: modes.count,
            highQualityFraction: count == 0 ? 0 : Double(highQuality) / Double(count),
            reverseKL: reverseKL, samplesPerMode: perMode)
    }
}

/// Published results on the 2-D benchmarks (PacGAN, Lin et al. 2018,
/// Table 1), for comparison in reports.
public struct PublishedMixtureResult: Sendable {
    public var method: String
    public var modesCaptured: Double
    public var highQualityPercent: Double
    public var reverseKL: Double

    /// The GAN and PacGAN4 rows for `ring8` and `grid25`.
    public static func pacGANTable(for mixture: Mixture2D) -> [PublishedMixtureResult] {
        switch mixture {
        case .ring8:
            return [
                .init(method: "GAN (PacGAN Table 1)", modesCaptured: 6.3, highQualityPercent: 98.2, reverseKL: 0.45),
                .init(method: "PacGAN4 (PacGAN Table 1)", modesCaptured: 7.8, highQualityPercent: 95.9, reverseKL: 0.07)
            ]
        case .grid25:
            return [
                .init(method: "GAN (PacGAN Table 1)", modesCaptured: 17.3, highQualityPercent: 94.8, reverseKL: 0.70),
                .init(method: "PacGAN4 (PacGAN Table 1)", modesCaptured: 24.8, highQualityPercent: 93.6, reverseKL: 0.04)
            ]
        case .spiral, .moons:
            return []
        }
    }
}
