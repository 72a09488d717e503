import Dispatch
import SwiftGANData
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor

/// Paired image-to-image training (pix2pix, super-resolution, inpainting,
/// colourisation) through the general `TrainingStep`: a D update on real
/// and generated pairs, then a G update on the adversarial loss plus λ·L1
/// to the target (and a perceptual loss on the shipped classifier's
/// features when weighted). As in pix2pix, G translates each batch once: D scores the
/// detached output, G's update reuses the same output with its graph.
///
/// ```swift
/// let trainer = try TranslationTrainer(config: config, dataset: try config.data.load(split: .train))
/// while trainer.step < config.training.steps { let scalars = try trainer.trainStep() }
/// ```
public final class TranslationTrainer {
    public let config: TranslationConfig
    public let generator: TranslationGenerator
    public let discriminator: PatchDiscriminator
    public let loader: PairedLoader
    public let objective: any AdversarialObjective
    /// G steps taken.
    public internal(set) var step = 0
    /// Reserved for stochastic losses; saved and restored like every trainer's stream.
    public internal(set) var random: RandomGenerator
    let generatorNetwork: TrainedNetwork
    let discriminatorNetwork: TrainedNetwork
    /// The frozen feature network of the perceptual loss, when its weight is positive.
    let perceptualFeatures: FeatureClassifier?
    private var trainingStep: TrainingStep!
    /// The data-parallel job this trainer is one rank of (nil: one process).
    public let parallel: DataParallel?
    /// The other ranks' own state, gathered for rank 0's next checkpoint.
    var gatheredRankState = SafeTensors.Contents(tensors: StateDict())
    /// The batch and G's output for it, from D's update to G's.
    private var current: (batch: PairedLoader.Batch, output: Tensor)?

    /// With `parallel`, one rank of a data-parallel job whose global batch is
    /// `config.training.batchSize` times its size.
    /// - Throws: `TrainingError.invalidConfiguration` with a one-line reason.
    public init(config: TranslationConfig, dataset: PairedDataset, parallel: DataParallel? = nil) throws {
        self.parallel = parallel
        let ranks = parallel?.size ?? 1
        var resolved = config
        resolved.model.inputShape = dataset.inputShape
        resolved.model.outputShape = dataset.outputShape
        if let problem = resolved.model.validationProblem() ?? resolved.model.memoryProblem() ?? resolved.training.validationProblem() {
            throw TrainingError.invalidConfiguration(problem)
        }
        guard dataset.count >= resolved.training.batchSize * ranks else {
            let batch = ranks == 1 ? "batch size \(resolved.training.batchSize)" : "global batch \(resolved.training.batchSize) x \(ranks) ranks"
            throw TrainingError.invalidConfiguration("\(batch) exceeds the \(dataset.count) training pairs")
        }
        self.config = resolved
        let training = resolved.training
        if training.perceptualWeight > 0 {
            let classifier = try FeatureClassifier.fashionMNIST().classifier
            let gray = [1] + Array(resolved.model.outputShape.dropFirst())
            guard classifier.architecture.imageShape == gray else {
                throw TrainingError.invalidConfiguration(
                    "the perceptual loss uses the shipped classifier, which takes \(classifier.architecture.imageShape) images, not \(resolved.model.outputShape)"
                )
            }
            classifier.eval()
            perceptualFeatures = classifier
        } else {
            perceptualFeatures = nil
        }
        var random = RandomGenerator(seed: training.seed)
        (generator, discriminator) = resolved.model.build(random: &random)
        let betas = (training.beta1, training.beta2)
        let optimizerG = Adam(generator.parameters(), learningRate: training.learningRateG, betas: betas)
        let optimizerD = Adam(discriminator.parameters(), learningRate: training.learningRateD, betas: betas)
        if training.learningRateDecay {
            let half = Swift.max(training.steps / 2, 1)
            for (optimizer, rate) in [(optimizerG, training.learningRateG), (optimizerD, training.learningRateD)] {
                optimizer.schedule = LinearDecaySchedule(initial: rate, final: 0, startStep: training.steps - half, decaySteps: half)
            }
        }
        generatorNetwork = TrainedNetwork(name: "generator", module: generator, optimizer: optimizerG, optimizerKey: "optimizer_g")
        discriminatorNetwork = TrainedNetwork(name: "discriminator", module: discriminator, optimizer: optimizerD, optimizerKey: "optimizer_d")
        objective = training.objective.make(output: .logit)
        loader = PairedLoader(
            dataset, batchSize: training.batchSize, horizontalFlip: resolved.data.flip, seed: training.seed &+ 1, shard: parallel?.shard ?? .whole)
        self.random = random
        trainingStep = TrainingStep(
            updates: [
                TrainingUpdate(name: "discriminator", networks: [discriminatorNetwork], loss: { [unowned self] in discriminatorLoss() }),
                TrainingUpdate(name: "generator", networks: [generatorNetwork], loss: { [unowned self] in generatorLoss() })
            ], parallel: parallel)
    }

    /// The networks the trainer updates, G first.
    public var networks: [TrainedNetwork] { [generatorNetwork, discriminatorNetwork] }

    /// One D update then one G update; returns the logged scalars
    /// (`loss/discriminator`, `loss/generator`, `loss/l1`, `loss/adversarial`,
    /// `score/real`, `score/fake`, gradient norms, learning rates, `samples_per_second`).
    /// - Throws: `TrainingError.diverged` before any parameter changes in the failing update.
    @discardableResult
    public func trainStep() throws -> [String: Float] {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { current = nil }
        var scalars = try trainingStep.run(step: step + 1)
        step += 1
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        scalars["lr/generator"] = generatorNetwork.optimizer.learningRate
        scalars["lr/discriminator"] = discriminatorNetwork.optimizer.learningRate
        scalars["samples_per_second"] = Float(Double(config.training.batchSize * (parallel?.size ?? 1)) / Swift.max(seconds, 1e-9))
        return scalars
    }

    /// D's loss on real pairs and on G's detached outputs, halved as in pix2pix.
    private func discriminatorLoss() -> UpdateLoss {
        let batch = loader.next()
        let output = generator.translate(batch.inputs)
        current = (batch, output)
        let real = discriminator.score(batch.targets, inputs: batch.inputs)
        let fake = discriminator.score(output.detached(), inputs: batch.inputs)
        let loss = 0.5 * objective.discriminatorLoss(real: real, fake: fake)
        return UpdateLoss(loss, scalars: ["score/real": Self.meanProbability(real), "score/fake": Self.meanProbability(fake)])
    }

    /// G's adversarial loss on D's scores of its output plus λ·L1 to the target.
    private func generatorLoss() -> UpdateLoss {
        guard let (batch, output) = current else { fatalError("TranslationTrainer: the G update runs after the D update") }
        // Only this update's graph may hold G's output: when the optimizer steps, nothing
        // else holds G's weights, so they update in place instead of being copied.
        current = nil
        let training = config.training
        let adversarial = objective.generatorLoss(fake: discriminator.score(output, inputs: batch.inputs))
        let l1 = Loss.l1(output, batch.targets)
        var loss = training.adversarialWeight * adversarial + training.l1Weight * l1
        var scalars = ["loss/adversarial": adversarial.item, "loss/l1": l1.item]
        if let perceptualFeatures {
            let target = withoutGradients { perceptualFeatures.convolutionalFeatures(TranslationEvaluator.luma(batch.targets)) }
            let perceptual = Loss.meanSquaredError(perceptualFeatures.convolutionalFeatures(TranslationEvaluator.luma(output)), target)
            loss = loss + training.perceptualWeight * perceptual
            scalars["loss/perceptual"] = perceptual.item
        }
        return UpdateLoss(loss, scalars: scalars)
    }

    private static func meanProbability(_ logits: Tensor) -> Float { withoutGradients { logits.sigmoid().mean().item } }

    /// G's outputs for `inputs` `[N] + inputShape` in evaluation mode, without
    /// gradients, in batches of at most `batchSize`.
    public func translate(_ inputs: Tensor, batchSize: Int = 64) -> Tensor {
        TranslationTrainer.translate(inputs, with: generator, batchSize: batchSize)
    }

    /// `generator`'s outputs for `inputs` in evaluation mode, without gradients, batch by batch.
    public static func translate(_ inputs: Tensor, with generator: TranslationGenerator, batchSize: Int = 64) -> Tensor {
        let wasTraining = generator.isTraining
        generator.eval()
        defer { generator.train(wasTraining) }
        guard inputs.shape[0] > 0 else { return Tensor.zeros([0] + generator.config.outputShape) }
        return withoutGradients {
            let count = inputs.shape[0]
            let parts = stride(from: 0, to: count, by: batchSize).map {
                generator.translate(inputs.slice(axis: 0, start: $0, end: Swift.min($0 + batchSize, count)))
            }
            return concat(parts, axis: 0)
        }
    }

    // MARK: Checkpoints

    private var format: TrainingCheckpoint {
        let trained = networks.map { (prefix: $0.name, module: $0.module) }
        return TrainingCheckpoint(modules: trained, streamModules: trained, networks: networks)
    }

    /// All training state in the shared checkpoint format.
    public func checkpoint() throws -> SafeTensors.Contents {
        var contents = format.contents(.init(step: step, loader: loader.position, random: random), config: try config.encoded())
        addDistributedState(to: &contents)
        return contents
    }

    /// Restores state written by `checkpoint()` for the same configuration.
    public func restore(_ contents: SafeTensors.Contents, file: String) throws {
        try checkRanks(contents.metadata, file: file)
        let progress = try format.restore(contents, file: file, batchesPerEpoch: loader.batchesPerEpoch)
        try restoreRankState(contents, file: file, step: progress.step, midStep: false)
        step = progress.step
        loader.position = progress.loader
        random = progress.random
    }
}

extension TranslationTrainer: DataParallelTrainer {
    var totalSteps: Int { config.training.steps }
    func encodedConfig() throws -> [UInt8] { try config.encoded() }
    var agreedModules: [Module] { [generator, discriminator] }
    var synchronizesBatchNorm: Bool { false }
    var seed: UInt64 { config.training.seed }
    var dataSummary: String {
        let dataset = loader.dataset
        let sum = checksum([dataset.inputImages, dataset.targetImages], labels: dataset.labels)
        return "\(dataset.count) pairs of \(dataset.inputShape) → \(dataset.outputShape), checksum \(String(sum, radix: 16))"
    }
}
