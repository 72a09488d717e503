import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Alternating D and G updates for any model pair and objective, through the
/// general `TrainingStep`, with every random draw from one seeded stream so
/// that the same seed and config give bit-identical runs, and a checkpoint
/// that restores all of it.
///
/// ```swift
/// let trainer = try Trainer(config: config, dataset: try config.data.load(seed: config.training.seed))
/// while trainer.step < config.training.steps { let metrics = try trainer.trainStep() }
/// ```
public final class Trainer {
    public let config: RunConfig
    public let generator: GeneratorModel
    public let discriminator: DiscriminatorModel
    /// The exponential moving average of G, when the config keeps one.
    public let emaGenerator: GeneratorModel?
    public var optimizerG: Optimizer { generatorNetwork.optimizer }
    public var optimizerD: Optimizer { discriminatorNetwork.optimizer }
    public let loader: DataLoader
    /// The objective the updates use, made from the config.
    public let objective: any AdversarialObjective
    /// Penalties added to D's loss: the objective's and R1 when configured.
    public let penalties: [any DiscriminatorPenalty]
    /// DiffAugment's transformations of the images D sees (`--diffaugment`); nil without.
    public let augmentation: DiffAugment?
    /// G steps taken.
    public internal(set) var step = 0
    /// The stream for latents, labels and penalty interpolation.
    public internal(set) var random: RandomGenerator
    /// The fixed latents (and labels) rendered into sample grids; a
    /// conditional model's labels cycle through its first (up to 16) classes, 8 per class.
    public let fixedLatents: Tensor
    public let fixedLabels: [Int]?
    let generatorNetwork: TrainedNetwork
    let discriminatorNetwork: TrainedNetwork
    private let ema: ExponentialMovingAverage?
    /// The D update, then the G update (built by `adversarialStep()`).
    private(set) var trainingStep: TrainingStep!
    /// Where the next step starts: `.start`, or inside a step paused by a stop request (see `trainStep(stoppingWhen:)`).
    public internal(set) var pausedAt = TrainingStep.Position.start
    /// What the paused step logged before it paused (checkpointed with `pausedAt`).
    var pausedScalars: [String: Float] = [:]

    /// The other ranks' own state, gathered for rank 0's next checkpoint (`gatherRankStreams()`).
    var gatheredRankState = SafeTensors.Contents(tensors: StateDict())

    /// Whether the D update may score the real and the fake batch in one pass
    /// (see `scoreRealAndFake`); the tests compare both ways.
    var scoresRealAndFakeTogether = true

    /// The data-parallel job this trainer is one rank of (nil: one process).
    public let parallel: DataParallel?
    /// This rank's part of each global batch (`.whole` in one process).
    public var shard: BatchShard { parallel?.shard ?? .whole }

    /// Builds the models, optimizers and loader for `config` and `dataset`;
    /// with `parallel`, as one rank of a data-parallel job whose global
    /// batch is `config.training.batchSize` times its size.
    /// - Throws: `TrainingError.invalidConfiguration` with a one-line reason.
    public init(config: RunConfig, dataset: ImageDataset, parallel: DataParallel? = nil) throws {
        self.parallel = parallel
        let ranks = parallel?.size ?? 1
        var model = config.model
        model.imageShape = dataset.imageShape
        model.classCount = Swift.max(dataset.classCount, model.isConditional ? 2 : 1)
        if let problem = model.validationProblem() ?? model.memoryProblem() ?? config.training.validationProblem() {
            throw TrainingError.invalidConfiguration(problem)
        }
        if model.kind == .mlp2d && !config.training.diffAugment.isEmpty {
            throw TrainingError.invalidConfiguration("DiffAugment transforms images; mlp2d's samples are 2-D points")
        }
        if !model.hasAuxiliaryClassifier && (config.training.classLossWeight != 1 || config.training.classLossOnFakes) {
            throw TrainingError.invalidConfiguration(
                "the class loss's settings (class weight, class on fakes) are for acgan's auxiliary classifier; \(model.kind.rawValue) has none")
        }
        if config.training.batchSize % model.pack != 0 {
            throw TrainingError.invalidConfiguration(
                "batch size \(config.training.batchSize) is not a multiple of pack \(model.pack): D scores packs of \(model.pack) samples")
        }
        guard dataset.count >= config.training.batchSize * ranks else {
            let batch = ranks == 1 ? "batch size \(config.training.batchSize)" : "global batch \(config.training.batchSize) x \(ranks) ranks"
            throw TrainingError.invalidConfiguration("\(batch) exceeds the \(dataset.count) training examples")
        }
        var resolved = config
        resolved.model = model
        self.config = resolved
        let training = resolved.training
        var random = RandomGenerator(seed: training.seed)
        (generator, discriminator) = model.build(random: &random)
        if let decay = training.emaDecay {
            var copyRandom = RandomGenerator(seed: training.seed)
            let copy = model.build(random: &copyRandom).generator
            ema = try ExponentialMovingAverage(source: generator, target: copy, decay: decay)
            emaGenerator = copy
        } else {
            ema = nil
            emaGenerator = nil
        }
        let (optimizerG, optimizerD) = Self.optimizers(training, generator, discriminator)
        generatorNetwork = TrainedNetwork(name: "generator", module: generator, optimizer: optimizerG, optimizerKey: "optimizer_g")
        discriminatorNetwork = TrainedNetwork(
            name: "discriminator", module: discriminator, optimizer: optimizerD,
            optimizerKey: "optimizer_d")
        objective = training.objective.make(output: model.discriminatorOutput, training: training)
        penalties = objective.penalties + (training.r1Weight > 0 ? [R1Penalty(gamma: training.r1Weight)] : [])
        augmentation = training.diffAugment.isEmpty ? nil : DiffAugment(training.diffAugment)
        loader = DataLoader(
            dataset, batchSize: training.batchSize, shuffle: true, dropLast: true, seed: training.seed &+ 1, shard: parallel?.shard ?? .whole)
        var fixed = RandomGenerator(seed: training.seed &+ 2)
        // A conditional model's grid has one row of 8 per class (of the first 16 classes).
        let gridClasses = Swift.min(model.classCount, 16)
        let gridCount = model.kind == .mlp2d ? 1_000 : (model.isConditional ? 8 * gridClasses : 64)
        fixedLatents = model.sampleLatents(gridCount, random: &fixed)
        fixedLabels = model.isConditional ? (0..<gridCount).map { $0 % gridClasses } : nil
        self.random = random
        if let parallel, parallel.size > 1, training.syncBatchNorm { parallel.synchronizeBatchNorm(in: [generator, discriminator]) }
        trainingStep = adversarialStep()
    }

    /// G's and D's optimizers, with the linear decay schedule when configured.
    private static func optimizers(_ training: TrainingConfig, _ generator: Module, _ discriminator: Module)
        -> (Optimizer, Optimizer)
    {
        let optimizerG: Optimizer
        let optimizerD: Optimizer
        switch training.optimizer {
        case .adam:
            optimizerG = Adam(generator.parameters(), learningRate: training.learningRateG, betas: (training.beta1, training.beta2))
            optimizerD = Adam(discriminator.parameters(), learningRate: training.learningRateD, betas: (training.beta1, training.beta2))
        case .rmsprop:
            optimizerG = RMSprop(generator.parameters(), learningRate: training.learningRateG)
            optimizerD = RMSprop(discriminator.parameters(), learningRate: training.learningRateD)
        }
        if training.learningRateDecay {
            let half = Swift.max(training.steps / 2, 1)
            optimizerG.schedule = LinearDecaySchedule(initial: training.learningRateG, final: 0, startStep: training.steps - half, decaySteps: half)
            // D steps criticSteps times per G step.
            optimizerD.schedule = LinearDecaySchedule(
                initial: training.learningRateD, final: 0,
                startStep: (training.steps - half) * training.criticSteps,
                decaySteps: half * training.criticSteps)
        }
        return (optimizerG, optimizerD)
    }

    /// The networks the trainer updates, G first.
    public var networks: [TrainedNetwork] { [generatorNetwork, discriminatorNetwork] }

    /// One G update preceded by `criticSteps` D updates.
    /// - Throws: `TrainingError.diverged` (before any parameter changes in
    ///   the failing update) when a loss or gradient is not finite.
    @discardableResult
    public func trainStep() throws -> StepMetrics {
        try trainStep(stoppingWhen: { false })!
    }

    /// One step, as `trainStep()`, that asks `shouldStop` between its
    /// updates (between critic steps): when it says stop, the step pauses
    /// there and this returns nil; a checkpoint then holds the position,
    /// and the next call (in this process or after a resume) finishes the
    /// step exactly as an uninterrupted one would, with the same scalars
    /// (those logged before the pause are kept with the position).
    public func trainStep(stoppingWhen shouldStop: () -> Bool) throws -> StepMetrics? {
        let started = DispatchTime.now().uptimeNanoseconds
        let (ran, paused) = try trainingStep.run(step: step + 1, from: pausedAt, shouldStop: shouldStop)
        // Later updates' scalars replace earlier ones, as within one uninterrupted step.
        let scalars = pausedScalars.merging(ran) { $1 }
        pausedAt = paused ?? .start
        pausedScalars = paused == nil ? [:] : scalars
        if paused != nil { return nil }
        step += 1
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let samples = config.training.batchSize * config.training.criticSteps * (parallel?.size ?? 1)
        var metrics = StepMetrics(
            step: step, discriminatorLoss: scalars["loss/discriminator"] ?? separate(scalars, "loss").sum,
            generatorLoss: scalars["loss/generator"] ?? 0, realScore: scalars["score/real"] ?? 0,
            fakeScore: scalars["score/fake"] ?? 0, gradientPenalty: scalars["loss/gradient_penalty"] ?? 0,
            generatorGradientNorm: scalars["grad_norm/generator"] ?? 0,
            discriminatorGradientNorm: scalars["grad_norm/discriminator"] ?? separate(scalars, "grad_norm").norm,
            learningRateG: optimizerG.learningRate, learningRateD: optimizerD.learningRate,
            samplesPerSecond: Float(Double(samples) / Swift.max(seconds, 1e-9)))
        metrics.additional = scalars.filter { !StepMetrics.fieldNames.contains($0.key) }
        return metrics
    }

    /// With separate D updates (`--update separate`): the sum of their logged
    /// `PREFIX/discriminator_real` and `_fake` values (D's loss over both
    /// batches) and the norm of the two (D's gradient norms combined).
    private func separate(_ scalars: [String: Float], _ prefix: String) -> (sum: Float, norm: Float) {
        let (real, fake) = (scalars["\(prefix)/discriminator_real"] ?? 0, scalars["\(prefix)/discriminator_fake"] ?? 0)
        return (real + fake, (real * real + fake * fake).squareRoot())
    }

    /// Runs one update of the step by itself, for interactive training (the
    /// lab's "one D step" and "one G step"): `discriminator` (one critic
    /// update, its constraint included) or `generator` (then the step's
    /// closing hooks, the EMA). `step` counts whole steps and does not move.
    /// - Returns: the update's logged scalars (`loss/NAME`, `grad_norm/NAME`, scores).
    /// - Throws: `TrainingError.diverged` as `trainStep()`, and
    ///   `invalidConfiguration` for an unknown name or inside a paused step.
    public func trainUpdate(_ name: String) throws -> [String: Float] {
        guard pausedAt == .start else { throw TrainingError.invalidConfiguration("a single update cannot run inside a paused step") }
        guard let index = trainingStep.updates.firstIndex(where: { $0.name == name }) else {
            let names = trainingStep.updates.map(\.name).joined(separator: ", ")
            throw TrainingError.invalidConfiguration("no update named \(name) (the step has \(names))")
        }
        return try trainingStep.run(step: step + 1, from: .init(update: index, repeats: 0), shouldStop: { true }).scalars
    }

    /// The generator used for samples: the EMA copy when kept (unless `ema` is false).
    public func samplingGenerator(ema useEMA: Bool = true) -> GeneratorModel {
        useEMA ? (emaGenerator ?? generator) : generator
    }

    /// Generates from `latents` in evaluation mode without gradients.
    public func sample(_ latents: Tensor, labels: [Int]?, ema useEMA: Bool = true) -> Tensor {
        let model = samplingGenerator(ema: useEMA)
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        return withoutGradients { model.generate(latents, labels: labels) }
    }

    /// Moves the EMA generator one step (the step's closing hook).
    func updateAverage() { ema?.update() }
}
