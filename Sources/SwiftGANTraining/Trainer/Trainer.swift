import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Why training stopped early.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A loss or gradient norm became NaN or infinite.
    case diverged(step: Int, quantity: String, value: Float)
    /// The configuration cannot be trained.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .diverged(step, quantity, value):
            "training diverged at step \(step): \(quantity) is \(value); the last good checkpoint is kept"
        case let .invalidConfiguration(problem):
            "invalid configuration: \(problem)"
        }
    }
}

/// The scalars of one training step.
public struct StepMetrics: Sendable {
    public var step: Int
    public var discriminatorLoss: Float
    public var generatorLoss: Float
    /// Mean D(x) on real data (a probability for BCE objectives, the raw score for critics).
    public var realScore: Float
    /// Mean D(G(z)) on generated data.
    public var fakeScore: Float
    /// The gradient penalty (WGAN-GP or R1), 0 if none.
    public var gradientPenalty: Float
    public var generatorGradientNorm: Float
    public var discriminatorGradientNorm: Float
    public var learningRateG: Float
    public var learningRateD: Float
    /// Real samples consumed per second during this step.
    public var samplesPerSecond: Float

    /// Name/value pairs for logs, in a fixed order.
    public var named: [(String, Float)] {
        [("loss/discriminator", discriminatorLoss), ("loss/generator", generatorLoss),
         ("score/real", realScore), ("score/fake", fakeScore), ("loss/gradient_penalty", gradientPenalty),
         ("grad_norm/generator", generatorGradientNorm), ("grad_norm/discriminator", discriminatorGradientNorm),
         ("lr/generator", learningRateG), ("lr/discriminator", learningRateD), ("speed/samples_per_second", samplesPerSecond)]
    }
}

/// Alternating D and G updates for any model pair and objective, with every
/// random draw from one seeded generator so that the same seed and config
/// give bit-identical runs, and a checkpoint that restores all of it.
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
    public let optimizerG: Optimizer
    public let optimizerD: Optimizer
    public let loader: DataLoader
    /// G steps taken.
    public private(set) var step = 0
    /// The stream for latents, labels and penalty interpolation.
    public private(set) var random: RandomGenerator
    /// The fixed latents (and labels) rendered into sample grids.
    public let fixedLatents: Tensor
    public let fixedLabels: [Int]?
    private let ema: ExponentialMovingAverage?

    /// Builds the models, optimizers and loader for `config` and `dataset`.
    /// - Throws: `TrainingError.invalidConfiguration` with a one-line reason.
    public init(config: RunConfig, dataset: ImageDataset) throws {
        var model = config.model
        model.imageShape = dataset.imageShape
        model.classCount = Swift.max(dataset.classCount, model.isConditional ? 2 : 1)
        if let problem = model.validationProblem() ?? config.training.validationProblem() {
            throw TrainingError.invalidConfiguration(problem)
        }
        guard dataset.count >= config.training.batchSize else {
            throw TrainingError.invalidConfiguration("batch size \(config.training.batchSize) exceeds the \(dataset.count) training examples")
        }
        var resolved = config
        resolved.model = model
        self.config = resolved
        let training = resolved.training
        var random = RandomGenerator(seed: training.seed)
        (generator, discriminator) = model.build(generator: &random)
        if let decay = training.emaDecay {
            var copyGenerator = RandomGenerator(seed: training.seed)
            let copy = model.build(generator: &copyGenerator).generator
            ema = try ExponentialMovingAverage(source: generator, target: copy, decay: decay)
            emaGenerator = copy
        } else {
            ema = nil
            emaGenerator = nil
        }
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
            optimizerD.schedule = LinearDecaySchedule(initial: training.learningRateD, final: 0,
                                                      startStep: (training.steps - half) * training.criticSteps,
                                                      decaySteps: half * training.criticSteps)
        }
        loader = DataLoader(dataset, batchSize: training.batchSize, shuffle: true, dropLast: true, seed: training.seed &+ 1)
        var fixed = RandomGenerator(seed: training.seed &+ 2)
        let gridCount = model.kind == .mlp2d ? 1_000 : 64
        fixedLatents = model.sampleLatents(gridCount, generator: &fixed)
        fixedLabels = model.isConditional ? (0..<gridCount).map { $0 % model.classCount } : nil
        self.random = random
    }

    private var objective: Objective { config.training.objective }
    private var output: ModelConfig.DiscriminatorOutput { config.model.discriminatorOutput }

    private func randomLabels(_ count: Int) -> [Int]? {
        guard config.model.isConditional else { return nil }
        return (0..<count).map { _ in Int(random.next() % UInt64(config.model.classCount)) }
    }

    private func meanScore(_ scores: Tensor) -> Float {
        withoutGradients { (objective.isCritic || output == .probability ? scores : scores.sigmoid()).mean().item }
    }

    /// Whether the D step may score the real and the fake batch in one pass
    /// (see `scoreRealAndFake`); the tests compare both ways.
    var scoresRealAndFakeTogether = true

    /// D's scores of the real and the fake batch, `[N, 1]` each. A
    /// discriminator that treats samples independently (no BatchNorm and no
    /// spectral normalisation in training mode) scores both in one pass over
    /// their concatenation: the same values (with dropout, other masks from the
    /// same distribution) from matrix products twice as tall, one weight
    /// gradient instead of two to add, and half the small operations. Others
    /// score them in turn.
    private func scoreRealAndFake(real: Tensor, _ realLabels: [Int]?, fake: Tensor,
                                  _ fakeLabels: [Int]?) -> (real: Tensor, fake: Tensor) {
        guard scoresRealAndFakeTogether, discriminator.treatsSamplesIndependently, real.shape.dropFirst() == fake.shape.dropFirst(),
              (realLabels == nil) == (fakeLabels == nil) else {
            return (discriminator.score(real, labels: realLabels), discriminator.score(fake, labels: fakeLabels))
        }
        let count = real.shape[0]
        let labels = realLabels.map { $0 + fakeLabels! }
        let scores = discriminator.score(concat([real.detached(), fake.detached()], axis: 0), labels: labels)
        return (scores.slice(axis: 0, start: 0, end: count), scores.slice(axis: 0, start: count, end: scores.shape[0]))
    }

    private static func norm(_ gradients: [Tensor]) -> Float {
        Float(gradients.reduce(0.0) { $0 + $1.sumOfSquares }.squareRoot())
    }

    private func guardFinite(_ value: Float, _ quantity: String) throws {
        if !value.isFinite { throw TrainingError.diverged(step: step + 1, quantity: quantity, value: value) }
    }

    /// One G step preceded by `criticSteps` D steps.
    /// - Throws: `TrainingError.diverged` (before any parameter changes in
    ///   the failing update) when a loss or gradient is not finite.
    @discardableResult
    public func trainStep() throws -> StepMetrics {
        let started = DispatchTime.now().uptimeNanoseconds
        let training = config.training
        // Walking the module trees (by reflection) costs more than a tenth of a
        // millisecond, so it happens only after something switched to evaluation.
        if !generator.isTraining { generator.train() }
        if !discriminator.isTraining { discriminator.train() }
        var lossD: Float = 0, penaltyValue: Float = 0, realScore: Float = 0, fakeScore: Float = 0, normD: Float = 0
        let batchSize = training.batchSize
        // The optimizers hold the parameter lists (the models' structure is fixed after construction).
        let discriminatorParameters = optimizerD.parameters
        for _ in 0..<training.criticSteps {
            // The graph lives only inside this scope: when the optimizer
            // steps, nothing else holds the weights' buffers, so the update
            // runs in place instead of copying every parameter first.
            let grads: [Tensor]
            do {
                let batch = loader.next()
                let realLabels = config.model.isConditional ? batch.labels : nil
                let latents = config.model.sampleLatents(batchSize, generator: &random)
                let fakeLabels = randomLabels(batchSize)
                let fake = withoutGradients { generator.generate(latents, labels: fakeLabels) }
                let (realScores, fakeScores) = scoreRealAndFake(real: batch.images, realLabels, fake: fake, fakeLabels)
                var loss = objective.discriminatorLoss(real: realScores, fake: fakeScores, output: output,
                                                       realTarget: 1 - training.labelSmoothing)
                if objective == .wassersteinGP {
                    let penalty = GradientPenalty.wgangp(real: batch.images, fake: fake, generator: &random) {
                        self.discriminator.score($0, labels: realLabels)
                    }
                    penaltyValue = penalty.item
                    loss = loss + training.gradientPenaltyWeight * penalty
                }
                if training.r1Weight > 0 {
                    let penalty = GradientPenalty.r1(real: batch.images) { self.discriminator.score($0, labels: realLabels) }
                    penaltyValue = penalty.item
                    loss = loss + (training.r1Weight / 2) * penalty
                }
                lossD = loss.item
                try guardFinite(lossD, "the discriminator loss")
                grads = gradients(of: loss, withRespectTo: discriminatorParameters.map(\.value))
                realScore = meanScore(realScores)
                fakeScore = meanScore(fakeScores)
            }
            normD = Self.norm(grads)
            try guardFinite(normD, "the discriminator gradient norm")
            for (parameter, gradient) in zip(discriminatorParameters, grads) { parameter.grad = gradient }
            optimizerD.step()
            if objective == .wasserstein { Clipping.clipWeights(discriminatorParameters, limit: training.weightClip) }
        }
        // The generator step (its graph, too, ends before the update).
        let generatorParameters = optimizerG.parameters
        let lossGValue: Float, grads: [Tensor]
        do {
            let latents = config.model.sampleLatents(batchSize, generator: &random)
            let labels = randomLabels(batchSize)
            let scores = discriminator.score(generator.generate(latents, labels: labels), labels: labels)
            let lossG = objective.generatorLoss(fake: scores, output: output)
            lossGValue = lossG.item
            try guardFinite(lossGValue, "the generator loss")
            grads = gradients(of: lossG, withRespectTo: generatorParameters.map(\.value))
        }
        let normG = Self.norm(grads)
        try guardFinite(normG, "the generator gradient norm")
        for (parameter, gradient) in zip(generatorParameters, grads) { parameter.grad = gradient }
        optimizerG.step()
        ema?.update()
        optimizerG.zeroGrad()
        optimizerD.zeroGrad()
        step += 1
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return StepMetrics(step: step, discriminatorLoss: lossD, generatorLoss: lossGValue, realScore: realScore,
                           fakeScore: fakeScore, gradientPenalty: penaltyValue, generatorGradientNorm: normG,
                           discriminatorGradientNorm: normD, learningRateG: optimizerG.learningRate,
                           learningRateD: optimizerD.learningRate,
                           samplesPerSecond: Float(Double(batchSize * training.criticSteps) / Swift.max(seconds, 1e-9)))
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

    // MARK: Checkpoints

    /// All training state: weights, EMA, optimizer states, loader position,
    /// random streams (including Dropout's) and the step.
    public func checkpoint() throws -> SafeTensors.Contents {
        var state = StateDict()
        func add(_ prefix: String, _ dict: StateDict) {
            for entry in dict.entries { state.set("\(prefix).\(entry.key)", entry.tensor, storedType: entry.storedType) }
        }
        add("generator", generator.stateDict())
        add("discriminator", discriminator.stateDict())
        if let emaGenerator { add("ema_generator", emaGenerator.stateDict()) }
        add("optimizer_g", optimizerG.stateDict())
        add("optimizer_d", optimizerD.stateDict())
        var metadata: [String: String] = [
            "format": "pt",
            "swiftgan.step": String(step),
            "swiftgan.loader_epoch": String(loader.position.epoch),
            "swiftgan.loader_step": String(loader.position.step),
            "swiftgan.rng": Self.encode(random.state),
            "swiftgan.config": String(decoding: try config.encoded(), as: UTF8.self),
        ]
        for (path, module) in (generator.namedModules().map { ("generator.\($0.name)", $0.module) }
                               + discriminator.namedModules().map { ("discriminator.\($0.name)", $0.module) }) {
            if let dropout = module as? Dropout { metadata["swiftgan.rng.\(path)"] = Self.encode(dropout.generator.state) }
        }
        return SafeTensors.Contents(tensors: state, metadata: metadata)
    }

    /// Restores state written by `checkpoint()` for the same configuration.
    /// - Throws: `StateDictError`, `OptimizerStateError` or `DataError` naming
    ///   what does not match (for instance a checkpoint of another architecture).
    public func restore(_ contents: SafeTensors.Contents, file: String) throws {
        let state = contents.tensors, metadata = contents.metadata
        try generator.loadStateDict(state.scoped("generator"))
        try discriminator.loadStateDict(state.scoped("discriminator"))
        if let emaGenerator { try emaGenerator.loadStateDict(state.scoped("ema_generator")) }
        try optimizerG.loadStateDict(state.scoped("optimizer_g"))
        try optimizerD.loadStateDict(state.scoped("optimizer_d"))
        guard let stepText = metadata["swiftgan.step"], let savedStep = Int(stepText),
              let epoch = metadata["swiftgan.loader_epoch"].flatMap(Int.init),
              let loaderStep = metadata["swiftgan.loader_step"].flatMap(Int.init),
              let rng = metadata["swiftgan.rng"].flatMap(Self.decode) else {
            throw DataError(file: file, problem: "not a SwiftGAN training checkpoint (missing step, loader or random state)")
        }
        for (path, module) in (generator.namedModules().map { ("generator.\($0.name)", $0.module) }
                               + discriminator.namedModules().map { ("discriminator.\($0.name)", $0.module) }) {
            if let dropout = module as? Dropout {
                guard let saved = metadata["swiftgan.rng.\(path)"].flatMap(Self.decode) else {
                    throw DataError(file: file, problem: "missing the random state of \(path)")
                }
                dropout.generator = RandomGenerator(state: saved)
            }
        }
        step = savedStep
        loader.position = DataLoader.Position(epoch: epoch, step: loaderStep)
        random = RandomGenerator(state: rng)
    }

    static func encode(_ state: (UInt64, UInt64, UInt64, UInt64)) -> String {
        "\(state.0),\(state.1),\(state.2),\(state.3)"
    }

    static func decode(_ text: String) -> (UInt64, UInt64, UInt64, UInt64)? {
        let words = text.split(separator: ",").compactMap { UInt64($0) }
        guard words.count == 4, words != [0, 0, 0, 0] else { return nil }
        return (words[0], words[1], words[2], words[3])
    }
}
