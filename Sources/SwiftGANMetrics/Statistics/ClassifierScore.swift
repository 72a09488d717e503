import Foundation
import SwiftGANTensor

/// The Inception Score (Salimans et al. 2016) computed with SwiftGAN's
/// classifier: `exp(E_x KL(p(y|x) ‖ p(y)))`, mean and standard deviation over
/// equal splits. It ranges from 1 (every sample the same class, or every
/// prediction uniform) to the number of classes (confident and balanced).
public struct ClassifierScore: Sendable, Equatable, Codable {
    public var mean: Double
    public var standardDeviation: Double
    public var splits: Int

    /// The score of class probabilities `[N, classes]` over `splits` splits
    /// (N ≥ splits); 0·log 0 counts as 0.
    public static func compute(probabilities: Tensor, splits: Int = 10) -> ClassifierScore {
        require(
            probabilities.rank == 2 && splits >= 1 && probabilities.shape[0] >= splits,
            "ClassifierScore: expected probabilities [N >= \(splits), classes], got \(probabilities.shape)")
        let (count, classes) = (probabilities.shape[0], probabilities.shape[1])
        let values = probabilities.scalars
        var scores: [Double] = []
        for split in 0..<splits {
            let start = count * split / splits
            let end = count * (split + 1) / splits
            var marginal = [Double](repeating: 0, count: classes)
            for row in start..<end { for c in 0..<classes { marginal[c] += Double(values[row * classes + c]) } }
            for c in 0..<classes { marginal[c] /= Double(end - start) }
            var divergence = 0.0
            for row in start..<end {
                for c in 0..<classes {
                    let p = Double(values[row * classes + c])
                    if p > 0 { divergence += p * (log(p) - log(marginal[c])) }
                }
            }
            scores.append(exp(divergence / Double(end - start)))
        }
        let mean = scores.reduce(0, +) / Double(splits)
        let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(splits)
        return ClassifierScore(mean: mean, standardDeviation: variance.squareRoot(), splits: splits)
    }
}

/// How generated samples spread over the classifier's classes: mode
/// dropping shows as classes with (almost) no samples.
public struct ClassHistogram: Sendable, Equatable, Codable {
    /// Samples per predicted class.
    public var counts: [Int]
    /// Classes holding at least `threshold` of the samples.
    public var classesCovered: Int
    /// The fraction a class needs to count as covered (default 1%).
    public var threshold: Double

    public init(predictedClasses: [Int], classCount: Int, threshold: Double = 0.01) {
        require(
            classCount > 0 && predictedClasses.allSatisfy { $0 >= 0 && $0 < classCount },
            "ClassHistogram: classes must be in 0..<\(classCount)")
        var counts = [Int](repeating: 0, count: classCount)
        for predicted in predictedClasses { counts[predicted] += 1 }
        self.counts = counts
        self.threshold = threshold
        let total = Double(predictedClasses.count)
        classesCovered = counts.filter { total > 0 && Double($0) >= threshold * total }.count
    }
}
