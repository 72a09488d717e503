import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// What the GAN Lab view draws for a 2-D GAN at one moment: real and
/// generated points, D's decision map over the plane, G's manifold (the
/// image of a grid of latents, as lines), the direction G's loss moves each
/// generated point (minus its gradient with respect to the point), and the
/// generated samples per mode.
public struct MixtureView: Codable, Equatable, Sendable {
    public var step: Int
    /// The plane shown: `[xMin, xMax, yMin, yMax]`.
    public var bounds: [Double]
    /// Real points, `[x0, y0, x1, y1, ...]`.
    public var real: [Float]
    /// Generated points, flat as `real`.
    public var generated: [Float]
    /// Per generated point (the first `arrowCount`): `-dL_G/dx`, flat as `real`.
    public var generatorGradients: [Float]
    /// D's output on a `mapSize` x `mapSize` grid over `bounds`, rows from
    /// `yMax` down: a probability of "real" for classifiers, a raw score for critics.
    public var decision: [Float]
    public var mapSize: Int
    /// Whether `decision` holds probabilities (else critic scores).
    public var decisionIsProbability: Bool
    /// G's manifold: polylines, each flat as `real` (rows and columns of a latent grid).
    public var manifold: [[Float]]
    /// Generated samples nearest each mode (for mixtures with modes), and the mixture's name.
    public var samplesPerMode: [Int]?
    public var mixture: String?

    /// Sizes of the pieces.
    public struct Sizes: Sendable {
        public var points = 500
        public var arrows = 150
        public var map = 40
        public var manifoldLines = 11
        public var manifoldPoints = 25
        public var modeSamples = MixtureMetrics.standardSampleCount
        public init() {}
    }

    /// Computes the view. `real` holds real points `[N, 2]` (at least one);
    /// `mixture` names the mixture when it has modes to count.
    public static func compute(
        step: Int, generator: GeneratorModel, discriminator: DiscriminatorModel, objective: any AdversarialObjective,
        latent: ModelConfig, real: Tensor, mixture: Mixture2D?, seed: UInt64, sizes: Sizes = Sizes()
    ) -> MixtureView {
        let generatorWasTraining = generator.isTraining
        let discriminatorWasTraining = discriminator.isTraining
        generator.eval()
        discriminator.eval()
        defer {
            generator.train(generatorWasTraining)
            discriminator.train(discriminatorWasTraining)
        }
        var random = RandomGenerator(seed: seed)
        let latents = latent.sampleLatents(sizes.points, random: &random)
        let generated = withoutGradients { generator.generate(latents, labels: nil) }.reshaped([sizes.points, 2])
        let realValues = Array(real.reshaped([real.shape[0], 2]).scalars.prefix(sizes.points * 2))
        let bounds = Self.bounds(real: realValues, generated: generated.scalars)

        // D over the plane.
        var grid: [Float] = []
        grid.reserveCapacity(sizes.map * sizes.map * 2)
        for row in 0..<sizes.map {
            let y = bounds[3] - (Double(row) + 0.5) / Double(sizes.map) * (bounds[3] - bounds[2])
            for column in 0..<sizes.map {
                let x = bounds[0] + (Double(column) + 0.5) / Double(sizes.map) * (bounds[1] - bounds[0])
                grid += [Float(x), Float(y)]
            }
        }
        let isProbability = !objective.isCritic
        let decision = withoutGradients { () -> [Float] in
            // A packed D (PacGAN) scores each point as a pack of copies of it.
            let scores = discriminator.score(discriminator.packsOfCopies(Tensor(grid, shape: [sizes.map * sizes.map, 1, 1, 2])), labels: nil)
            return (isProbability && latent.discriminatorOutput == .logit ? scores.sigmoid() : scores).scalars
        }

        // Where G's loss moves the generated points.
        let arrowCount = min(sizes.arrows, sizes.points)
        let points = generated.slice(axis: 0, start: 0, end: arrowCount).reshaped([arrowCount, 1, 1, 2]).detached().requiringGradient()
        let loss = objective.generatorLoss(fake: discriminator.score(discriminator.packsOfCopies(points), labels: nil))
        let gradient = gradients(of: loss, withRespectTo: [points])[0].scalars.map { -$0 * Float(arrowCount) }

        // G's manifold: lines of a latent grid through its first two dimensions.
        var manifold: [[Float]] = []
        let span: Float = latent.latentDistribution == .uniform ? 1 : 2.5
        for direction in 0..<2 where latent.latentDimension >= 1 {
            for line in 0..<sizes.manifoldLines {
                let fixed = -span + 2 * span * Float(line) / Float(sizes.manifoldLines - 1)
                var values = [Float](repeating: 0, count: sizes.manifoldPoints * latent.latentDimension)
                for index in 0..<sizes.manifoldPoints {
                    let moving = -span + 2 * span * Float(index) / Float(sizes.manifoldPoints - 1)
                    values[index * latent.latentDimension] = direction == 0 ? moving : fixed
                    if latent.latentDimension > 1 { values[index * latent.latentDimension + 1] = direction == 0 ? fixed : moving }
                }
                let image = withoutGradients {
                    generator.generate(Tensor(values, shape: [sizes.manifoldPoints, latent.latentDimension]), labels: nil)
                }
                manifold.append(image.scalars)
            }
            if latent.latentDimension == 1 { break }
        }

        var perMode: [Int]?
        if let mixture, !mixture.modes.isEmpty {
            var modeRandom = RandomGenerator(seed: seed &+ 1)
            let many = withoutGradients { generator.generate(latent.sampleLatents(sizes.modeSamples, random: &modeRandom), labels: nil) }
            perMode = MixtureMetrics.compute(points: many.reshaped([sizes.modeSamples, 2]), mixture: mixture).samplesPerMode
        }
        return MixtureView(
            step: step, bounds: bounds, real: realValues, generated: generated.scalars, generatorGradients: gradient,
            decision: decision, mapSize: sizes.map, decisionIsProbability: isProbability, manifold: manifold,
            samplesPerMode: perMode, mixture: mixture?.rawValue)
    }

    /// A square around the real points (10% margin), widened to the
    /// generated ones up to three times the real extent.
    static func bounds(real: [Float], generated: [Float]) -> [Double] {
        func extent(_ values: [Float]) -> (Double, Double, Double, Double)? {
            let finite = stride(from: 0, to: values.count - 1, by: 2).filter { values[$0].isFinite && values[$0 + 1].isFinite }
            guard !finite.isEmpty else { return nil }
            let xs = finite.map { Double(values[$0]) }
            let ys = finite.map { Double(values[$0 + 1]) }
            return (xs.min()!, xs.max()!, ys.min()!, ys.max()!)
        }
        let (x0, x1, y0, y1) = extent(real) ?? (-1, 1, -1, 1)
        let centreX = (x0 + x1) / 2
        let centreY = (y0 + y1) / 2
        var half = max(x1 - x0, y1 - y0, 1e-3) / 2 * 1.1
        if let (gx0, gx1, gy0, gy1) = extent(generated) {
            let reach = [abs(gx0 - centreX), abs(gx1 - centreX), abs(gy0 - centreY), abs(gy1 - centreY)].max()! * 1.05
            half = min(max(half, reach), half * 3)
        }
        return [centreX - half, centreX + half, centreY - half, centreY + half]
    }
}

extension MixtureView {
    /// The view of a saved 2-D run's checkpoint (its generator, not the EMA
    /// copy, since the arrows are G's own gradients).
    /// - Throws: `FileError` when the run is not a 2-D GAN run or its files are unreadable.
    public static func compute(run directory: String, sizes: Sizes = Sizes()) throws -> MixtureView {
        for file in ["config.json", "checkpoint.safetensors"] where RunFilePath.inside(file, of: directory) == nil {
            throw FileError(file: "\(directory)/\(file)", problem: "is missing, or not a regular file inside the run")
        }
        let run = try SavedRun(directory: directory)
        guard let mixture = run.config.data.mixture, run.config.model.kind == .mlp2d else {
            throw FileError(
                file: TrainingRun.configPath(directory), problem: "not a 2-D run (data \(run.config.data.name)); the GAN Lab view needs a 2-D mixture")
        }
        let generator = try run.generator(ema: false)
        var random = RandomGenerator(seed: run.config.training.seed)
        let discriminator = run.config.model.build(random: &random).discriminator
        do { try discriminator.loadStateDict(run.checkpoint.tensors.scoped("discriminator")) } catch {
            throw FileError(file: run.checkpointFile, problem: "\(error)")
        }
        var realRandom = RandomGenerator(seed: run.config.training.seed &+ 0x2D)
        let real = mixture.sample(sizes.points, random: &realRandom).points
        let objective = run.config.training.objective.make(output: run.config.model.discriminatorOutput, training: run.config.training)
        return compute(
            step: run.step, generator: generator, discriminator: discriminator, objective: objective, latent: run.config.model,
            real: real, mixture: mixture.modes.isEmpty ? nil : mixture, seed: run.config.training.seed &+ 0x1AB, sizes: sizes)
    }
}
