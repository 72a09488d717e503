import Foundation
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// PacGAN packing (`--pack m`): D's input shape, what a pack is, training
/// with packs, and the mixture protocol that measures it.
@Suite struct PackingTests {
    /// The first weight of each D kind takes `pack` times the data's channels
    /// (or features); the weight estimate follows.
    @Test(arguments: [ModelConfig.Kind.dcgan, .mlpConv, .mlp, .mlp2d, .kerasMLPConv, .tfDCGAN])
    func eachDiscriminatorTakesPackTimesTheChannels(_ kind: ModelConfig.Kind) throws {
        let shape = kind == .mlp2d ? [1, 1, 2] : (kind == .dcgan ? [3, 32, 32] : [1, 28, 28])
        // Widths at which biases (which the estimate leaves out) are a small part.
        var config = ModelConfig(kind: kind, imageShape: shape, width: kind == .mlp2d ? 128 : 16)
        config.pack = 3
        #expect(config.discriminatorInputShape == [3 * shape[0], shape[1], shape[2]])
        var random = RandomGenerator(seed: 1)
        let (_, discriminator) = config.build(random: &random)
        let first = discriminator.parameters()[0].value.shape
        if kind == .mlp || kind == .mlp2d {
            #expect(first[1] == 3 * shape.reduce(1, *), "\(kind): \(first)")
        } else {
            #expect(first[1] == 3 * shape[0], "\(kind): \(first)")
        }
        let built = Double(discriminator.parameterCount + config.build(random: &random).generator.parameterCount)
        #expect(Swift.abs(config.weightCount - built) / built < 0.05, "\(kind): estimate \(config.weightCount), built \(built)")
        let scores = discriminator.score(discriminator.packed(Tensor.zeros([6] + shape)), labels: nil)
        #expect(scores.shape == [2, 1])
    }

    /// A pack is consecutive samples side by side on channels: scoring
    /// `packed(x)` is scoring the explicit channel concatenation of samples
    /// 0, 1 and of samples 2, 3.
    @Test func aPackIsConsecutiveSamplesConcatenatedOnChannels() {
        var config = ModelConfig(kind: .dcgan, imageShape: [3, 32, 32], width: 8)
        config.pack = 2
        var random = RandomGenerator(seed: 2)
        let discriminator = config.build(random: &random).discriminator
        discriminator.eval()
        let samples = Tensor.uniform([4, 3, 32, 32], low: -1, high: 1, random: &random)
        func sample(_ index: Int) -> Tensor { samples.slice(axis: 0, start: index, end: index + 1) }
        let explicit = concat([concat([sample(0), sample(1)], axis: 1), concat([sample(2), sample(3)], axis: 1)], axis: 0)
        #expect(discriminator.packed(samples).scalars == explicit.scalars)
        let a = discriminator.score(discriminator.packed(samples), labels: nil)
        let b = discriminator.score(explicit, labels: nil)
        assertClose(a, b, rtol: 0, atol: 0)
        // Copies of one sample per pack (the lab's decision surface).
        let copies = discriminator.packsOfCopies(sample(1))
        #expect(copies.shape == [1, 6, 32, 32] && copies.scalars == concat([sample(1), sample(1)], axis: 1).scalars)
    }

    /// A batch that does not split into packs, and packing a conditional model, are refused by name.
    @Test func unpackableBatchesAndConditionalModelsAreRefused() throws {
        var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
        var training = TrainingConfig(seed: 1)
        Preset.mixture2d.apply(to: &model, &training)
        model.pack = 3
        let config = RunConfig(model: model, training: training, data: DataSpec(name: "ring8"))
        #expect { _ = try Trainer(config: config, dataset: try config.data.load(seed: 1)) } throws: {
            "\($0)".contains("batch size 256 is not a multiple of pack 3")
        }
        var conditional = ModelConfig(kind: .cdcgan, imageShape: [1, 28, 28])
        conditional.pack = 2
        #expect(conditional.validationProblem()?.contains("packing (pack 2) is for unconditional models") == true)
        model.pack = 0
        #expect(model.validationProblem()?.contains("pack 0 must be in 1...16") == true)
        model.pack = 17
        #expect(model.validationProblem() != nil)
    }

    /// Packed runs resume bit for bit: an MLP GAN (Dropout's streams, one
    /// pass over real and fake packs) and WGAN-GP, whose penalty
    /// interpolates and differentiates whole packs.
    @Test func packedRunsResumeExactly() throws {
        var mlp = ModelConfig(kind: .mlp, imageShape: [1, 8, 8])
        var training = TrainingConfig(seed: 4)
        Preset.mlp.apply(to: &mlp, &training)
        mlp.pack = 4
        mlp.discriminatorWidths = [32, 16]
        training.batchSize = 16
        let directory = tinyIDXDirectory()
        let mlpConfig = RunConfig(model: mlp, training: training, data: DataSpec(name: "tiny", path: directory))
        try expectResumesExactly(mlpConfig, try mlpConfig.data.load(seed: 4), "mlp pack 4")

        var critic = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
        var gp = TrainingConfig(seed: 5)
        Preset.wganGP.apply(to: &critic, &gp)
        critic.kind = .mlp2d
        critic.width = 16
        critic.latentDimension = 2
        critic.pack = 2
        gp.batchSize = 16
        gp.criticSteps = 2
        let gpConfig = RunConfig(model: critic, training: gp, data: DataSpec(name: "grid25"))
        try expectResumesExactly(gpConfig, try gpConfig.data.load(seed: 5), "wgan-gp pack 2")
        let trainer = try Trainer(config: gpConfig, dataset: try gpConfig.data.load(seed: 5))
        let metrics = try trainer.trainStep()
        #expect(metrics.gradientPenalty.isFinite && metrics.gradientPenalty > 0, "penalty \(metrics.gradientPenalty)")
    }

    /// The protocol's mean and standard error, checked by hand: values 1, 2, 3, 6
    /// have mean 3 and sample standard deviation √(14/3), so the error is √(14/3)/2.
    @Test func estimatesAreMeansWithStandardErrors() {
        let estimate = MixtureProtocol.Estimate([1, 2, 3, 6])
        #expect(estimate.mean == 3)
        #expect(Swift.abs(estimate.standardError - (14.0 / 3).squareRoot() / 2) < 1e-12)
        #expect(MixtureProtocol.Estimate([5]).standardError == 0)
    }

    /// PacGAN4 on ring8 through the protocol: two short trials from seeds
    /// 0 and 1, each measuring 2,500 samples; packing finds every mode, and
    /// the summary is the trials' mean. (At 1,500 steps few samples are yet
    /// within 3σ: the defaults for packed runs are not tuned.)
    @Test func packedGANLearnsTheRingThroughTheProtocol() throws {
        var settings = RunSettings()
        settings.set("data", .string("ring8"), origin: "test")
        settings.set("pack", SettingValue(4), origin: "test")
        settings.set("steps", SettingValue(1_500), origin: "test")
        let config = try RunConfig.resolve(settings)
        #expect(config.model.pack == 4 && config.model.kind == .mlp2d)
        var seen: [UInt64] = []
        let summary = try MixtureProtocol(config: config, trials: 2).run { seen.append($0.seed) }
        #expect(seen == [0, 1] && summary.trials.map(\.metrics.sampleCount) == [2_500, 2_500])
        #expect(summary.pack == 4 && summary.steps == 1_500 && summary.mixture == "ring8")
        #expect(summary.modes.mean == 8, "\(summary.trials.map(\.metrics))")
        let quality = summary.trials.map { 100 * $0.metrics.highQualityFraction }
        #expect(Swift.abs(summary.highQualityPercent.mean - (quality[0] + quality[1]) / 2) < 1e-9)
        #expect(Swift.abs(summary.highQualityPercent.standardError - Swift.abs(quality[0] - quality[1]) / 2) < 1e-9)
        #expect(MixtureProtocol(config: RunConfig(model: config.model, training: config.training, data: DataSpec(name: "moons"))).problem != nil)
    }
}
