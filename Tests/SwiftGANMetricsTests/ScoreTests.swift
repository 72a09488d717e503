import Foundation
import SwiftGANTensor
import Testing

@testable import SwiftGANMetrics

@Suite("KID and the classifier score")
struct ScoreTests {
    @Test func kidOfWholeSetsMatchesTheNumPyMMD() {
        let a = fixture("features_a").slice(axis: 0, start: 0, end: 300)
        let b = fixture("features_b")
        // One subset holding every row: the unbiased MMD² of the full sets.
        let kid = KernelInceptionDistance.compute(real: a, fake: b, subsets: 1, subsetSize: 300)
        #expect(kid.subsetSize == 300)
        #expect(relativeError(kid.mean, expectedValue("mmd_ab_first300")) < 1e-4, "\(kid.mean) vs \(expectedValue("mmd_ab_first300"))")
    }

    /// Two samples of one distribution: the unbiased estimate centres on 0
    /// (a biased one would sit clearly above it); a shifted sample does not.
    @Test func kidIsUnbiasedOnOneDistribution() {
        var random = RandomGenerator(seed: 11)
        let x = Tensor.normal([2000, 8], random: &random) + 0.3
        let y = Tensor.normal([2000, 8], random: &random) + 0.3
        let kid = KernelInceptionDistance.compute(real: x, fake: y, subsets: 50, subsetSize: 500, seed: 1)
        let shifted = KernelInceptionDistance.compute(real: x, fake: y + 0.5, subsets: 50, subsetSize: 500, seed: 1)
        #expect(Swift.abs(kid.mean) < 3 * kid.standardDeviation, "KID \(kid.mean) ± \(kid.standardDeviation)")
        #expect(Swift.abs(kid.mean) < 0.02 * shifted.mean, "KID \(kid.mean) vs shifted \(shifted.mean)")
    }

    @Test func classifierScoreOfConfidentBalancedPredictionsIsTheClassCount() {
        var values = [Float](repeating: 0, count: 1000 * 10)
        for row in 0..<1000 { values[row * 10 + row % 10] = 1 }
        let score = ClassifierScore.compute(probabilities: Tensor(values, shape: [1000, 10]))
        #expect(Swift.abs(score.mean - 10) < 1e-9 && score.standardDeviation < 1e-9, "\(score)")
    }

    @Test func classifierScoreOfOneClassIsOne() {
        var values = [Float](repeating: 0, count: 500 * 10)
        for row in 0..<500 { values[row * 10 + 3] = 1 }
        #expect(Swift.abs(ClassifierScore.compute(probabilities: Tensor(values, shape: [500, 10])).mean - 1) < 1e-12)
        // Uniform predictions carry no information either.
        let uniform = ClassifierScore.compute(probabilities: Tensor.full([500, 10], value: 0.1))
        #expect(Swift.abs(uniform.mean - 1) < 1e-6)
    }

    @Test func classifierScoreMatchesNumPy() {
        let score = ClassifierScore.compute(probabilities: fixture("probabilities"))
        #expect(relativeError(score.mean, expectedValue("classifier_score_mean")) < 1e-5)
        #expect(relativeError(score.standardDeviation, expectedValue("classifier_score_std")) < 1e-4)
    }

    @Test func classHistogramCountsClassesAboveOnePercent() {
        let predicted = Array(repeating: 0, count: 500) + Array(repeating: 1, count: 490) + Array(repeating: 2, count: 10)
        let histogram = ClassHistogram(predictedClasses: predicted, classCount: 4)
        #expect(histogram.counts == [500, 490, 10, 0])
        #expect(histogram.classesCovered == 3)  // 10 of 1000 is exactly 1%
        #expect(ClassHistogram(predictedClasses: predicted.dropLast(), classCount: 4).classesCovered == 2)
    }
}
