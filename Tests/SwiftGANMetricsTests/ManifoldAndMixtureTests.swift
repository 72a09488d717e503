import Foundation
import SwiftGANData
import SwiftGANTensor
import Testing

@testable import SwiftGANMetrics

@Suite("Precision, recall, density, coverage and the mixture metrics")
struct ManifoldAndMixtureTests {
    /// Points on the x-axis at the given positions, `[N, 2]`.
    func line(_ positions: [Float]) -> Tensor {
        Tensor(positions.flatMap { [$0, 0] }, shape: [positions.count, 2])
    }

    @Test func matchesTheNumPyReference() {
        let metrics = ManifoldMetrics.compute(real: fixture("features_a"), fake: fixture("features_b"))
        let reference = expected["manifold_ab"] as! [String: Double]
        #expect(Swift.abs(metrics.precision - reference["precision"]!) < 1e-9)
        #expect(Swift.abs(metrics.recall - reference["recall"]!) < 1e-9)
        #expect(Swift.abs(metrics.density - reference["density"]!) < 1e-9)
        #expect(Swift.abs(metrics.coverage - reference["coverage"]!) < 1e-9)
    }

    /// Real points at 0, 1, …, 99. Interior 3-NN radii are 2 (ends 3).
    /// Half the fakes sit between real points 0…10, half far away at 200…209:
    /// precision 1/2. The near fakes' balls (radius 2, ends 3) reach real
    /// points -2.5…12.5, so recall is 13/100.
    @Test func constructedCloudsGiveKnownAnswers() {
        let real = line((0..<100).map(Float.init))
        let near = (0..<10).map { Float($0) + 0.5 }
        let far = (0..<10).map { Float(200 + $0) }
        let metrics = ManifoldMetrics.compute(real: real, fake: line(near + far))
        #expect(metrics.precision == 0.5)
        #expect(metrics.recall == 0.13)

        // Identical sets: everything covered; each point lies in its own ball
        // and its k nearest neighbours' balls, so density is (k + 1) / k.
        var random = RandomGenerator(seed: 5)
        let cloud = Tensor.normal([300, 6], random: &random)
        let same = ManifoldMetrics.compute(real: cloud, fake: cloud)
        #expect(same.precision == 1 && same.recall == 1 && same.coverage == 1)
        #expect(Swift.abs(same.density - 6.0 / 5) < 1e-12, "density \(same.density)")

        // Far apart: nothing.
        let apart = ManifoldMetrics.compute(real: cloud, fake: cloud + 100)
        #expect(apart == ManifoldMetrics(precision: 0, recall: 0, density: 0, coverage: 0))
    }

    @Test func realMixtureSamplesScorePerfectly() {
        for mixture in [Mixture2D.ring8, .grid25] {
            var random = RandomGenerator(seed: 8)
            let points = mixture.sample(2_500, random: &random).points
            let metrics = MixtureMetrics.compute(points: points, mixture: mixture)
            #expect(metrics.modesCaptured == mixture.modes.count)
            // P(‖N(0, σ²I₂)‖ ≤ 3σ) = 1 − e^(−4.5) ≈ 98.9%.
            #expect(metrics.highQualityFraction > 0.97, "\(mixture): \(metrics.highQualityFraction)")
            #expect(metrics.reverseKL! < 0.02, "\(mixture): KL \(metrics.reverseKL!)")
        }
    }

    @Test func collapsedSamplerCapturesOneMode() {
        var random = RandomGenerator(seed: 9)
        let noise = Tensor.normal([2_500, 2], std: 0.01, random: &random)
        let collapsed = noise + Tensor([1, 0], shape: [1, 2])  // everything at ring8's mode 0
        let metrics = MixtureMetrics.compute(points: collapsed, mixture: .ring8)
        #expect(metrics.modesCaptured == 1)
        #expect(Swift.abs(metrics.reverseKL! - log(8.0)) < 1e-12)
        #expect(metrics.samplesPerMode[0] == Int((metrics.highQualityFraction * 2_500).rounded()))

        // Points far from every mode: no high-quality samples, no KL.
        let lost = MixtureMetrics.compute(points: Tensor.full([100, 2], value: 10), mixture: .ring8)
        #expect(lost.modesCaptured == 0 && lost.highQualityFraction == 0 && lost.reverseKL == nil)
    }
}
