import Foundation
import SwiftGANData
import SwiftGANTensor

/// The mode count of the stacked benchmarks (VEEGAN; PacGAN Table 2): a
/// classifier of the one-channel data labels each channel of a sample, the
/// channels' classes together are its mode (K³ of them), and the measures
/// are how many modes hold at least one sample and the KL divergence of the
/// samples' mode histogram to the uniform distribution over all modes.
/// Published figures use 26,000 samples.
public struct StackedModeMetrics: Sendable, Equatable, Codable {
    public var sampleCount: Int
    /// Modes with at least one sample, of `modeCount`.
    public var modesCovered: Int
    public var modeCount: Int
    /// `KL(p ‖ uniform) = Σ p log(p · modeCount)` of the samples' mode histogram `p`
    /// (0 when every mode holds as many samples, log(modeCount) when one holds them all).
    public var klToUniform: Double

    /// The published number of samples (26,000).
    public static let standardSampleCount = 26_000

    /// Measures samples whose channels the classifier labelled: `channelClasses[i]` are
    /// sample i's channels' classes (each in `0..<classesPerChannel`), red first.
    public static func compute(channelClasses: [[Int]], classesPerChannel classes: Int) -> StackedModeMetrics {
        require(classes >= 1, "StackedModeMetrics: classes per channel must be positive, got \(classes)")
        let channels = channelClasses.first?.count ?? StackedDataset.channels
        let modeCount = Int(pow(Double(classes), Double(channels)))
        var histogram = [Int: Int]()
        for triple in channelClasses {
            require(triple.count == channels && triple.allSatisfy { (0..<classes).contains($0) }, "StackedModeMetrics: bad channel classes \(triple)")
            histogram[triple.reduce(0) { $0 * classes + $1 }, default: 0] += 1
        }
        let total = Double(channelClasses.count)
        let kl = histogram.values.reduce(0.0) { sum, count in
            let p = Double(count) / total
            return sum + p * log(p * Double(modeCount))
        }
        return StackedModeMetrics(sampleCount: channelClasses.count, modesCovered: histogram.count, modeCount: modeCount, klToUniform: kl)
    }

    /// Measures stacked samples `[N, C, H, W]` (values in [-1, 1]) with `classifier`, which
    /// takes one channel of them `[N, 1, H, W]`.
    public static func compute(samples: Tensor, classifier: FeatureClassifier) -> StackedModeMetrics {
        require(samples.rank == 4, "StackedModeMetrics: expected samples [N, C, H, W], got \(samples.shape)")
        let count = samples.shape[0]
        let perChannel = (0..<samples.shape[1]).map { channel in
            classifier.outputs(for: samples.slice(axis: 1, start: channel, end: channel + 1)).predictedClasses
        }
        let triples = (0..<count).map { index in perChannel.map { $0[index] } }
        return compute(channelClasses: triples, classesPerChannel: classifier.architecture.classCount)
    }
}

/// Published results on Stacked MNIST with 1,000 modes (PacGAN, Lin et al.
/// 2018, Table 2), for comparison in reports.
public struct PublishedStackedResult: Sendable {
    public var method: String
    public var modes: Double
    public var kl: Double

    public static let pacGANTable: [PublishedStackedResult] = [
        .init(method: "DCGAN (PacGAN Table 2)", modes: 78.9, kl: 4.50),
        .init(method: "PacDCGAN2 (PacGAN Table 2)", modes: 1_000, kl: 0.06)
    ]
}
