import Dispatch
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Unpaired image-to-image training (CycleGAN, Zhu et al. 2017) through
/// the general `TrainingStep`: one update of both generators on their
/// adversarial, cycle-consistency and identity losses, then one update of
/// both discriminators on real images and on generated ones drawn through
/// each domain's `ImagePool`.
///
/// `generatorAB` maps domain A to B (the paper's G), `generatorBA` B to A
/// (F); `discriminatorA` judges A images (D_A), `discriminatorB` B images.
///
/// ```swift
/// let trainer = try CycleGANTrainer(config: config, dataset: try config.data.load(split: .train))
/// while trainer.step < config.training.steps { let scalars = try trainer.trainStep() }
/// ```
public final class CycleGANTrainer {
    public let config: CycleGANConfig
    public let generatorAB: ResNetGenerator
    public let generatorBA: ResNetGenerator
    public let discriminatorA: PatchDiscriminator
    public let discriminatorB: PatchDiscriminator
    public let loader: UnpairedLoader
    /// Generated A images (`generatorBA`'s) for `discriminatorA`, and B images for `discriminatorB`.
    public let poolA: ImagePool
    public let poolB: ImagePool
    /// Steps taken (each one G update and one D update).
    public internal(set) var step = 0
    /// Reserved for stochastic losses; saved and restored like every trainer's stream.
    public internal(set) var random: RandomGenerator
    let networks: [TrainedNetwork]
    private var trainingStep: TrainingStep!
    /// The generated images of the G update, detached, for the D update.
    private var current: (batch: UnpairedLoader.Batch, fakeA: Tensor, fakeB: Tensor)?

    /// The data-parallel job this trainer is one rank of (nil: one process).
    public let parallel: DataParallel?
    /// The other ranks' own state (their pools and streams), gathered for rank 0's next checkpoint.
    var gatheredRankState = SafeTensors.Contents(tensors: StateDict())

    /// With `parallel`, one rank of a data-parallel job whose global batch is
    /// `config.training.batchSize` times its size; each rank keeps its own pools.
    /// - Throws: `TrainingError.invalidConfiguration` with a one-line reason.
    public init(config: CycleGANConfig, dataset: UnpairedDataset, parallel: DataParallel? = nil) throws {
        self.parallel = parallel
        let ranks = parallel?.size ?? 1
        var resolved = config
        resolved.model.shapeA = dataset.shapeA
        resolved.model.shapeB = dataset.shapeB
        if let problem = resolved.model.validationProblem() ?? resolved.model.memoryProblem() ?? resolved.training.validationProblem() {
            throw TrainingError.invalidConfiguration(problem)
        }
        resolved.model.residualBlocks = resolved.model.blocks
        resolved.model.discriminatorLayers = resolved.model.patchLayers
        let training = resolved.training
        if training.identityWeight > 0 && !resolved.model.domainsMatch {
            throw TrainingError.invalidConfiguration(
                "the identity loss feeds each domain to the other's generator, so it needs domains of one shape "
                    + "(A \(dataset.shapeA), B \(dataset.shapeB)); pass an identity weight of 0 or convert the channels")
        }
        guard Swift.min(dataset.countA, dataset.countB) >= training.batchSize * ranks else {
            let batch = ranks == 1 ? "batch size \(training.batchSize)" : "global batch \(training.batchSize) x \(ranks) ranks"
            throw TrainingError.invalidConfiguration("\(batch) exceeds the \(Swift.min(dataset.countA, dataset.countB)) images of the smaller domain")
        }
        self.config = resolved
        let model = resolved.model
        var random = RandomGenerator(seed: training.seed)
        func generator(_ from: [Int], _ to: [Int]) -> ResNetGenerator {
            ResNetGenerator(
                inputChannels: from[0], outputChannels: to[0], width: model.width, residualBlocks: model.blocks,
                normalization: model.normalization, random: &random)
        }
        generatorAB = generator(model.shapeA, model.shapeB)
        generatorBA = generator(model.shapeB, model.shapeA)
        discriminatorA = PatchDiscriminator(model.discriminatorConfig(model.shapeA), random: &random)
        discriminatorB = PatchDiscriminator(model.discriminatorConfig(model.shapeB), random: &random)
        for module in [generatorAB, generatorBA, discriminatorA, discriminatorB] as [Module] {
            Initializer.dcgan(module, zeroingBiases: true, random: &random)
        }
        let betas = (training.beta1, training.beta2)
        func network(_ name: String, _ module: Module, rate: Float) -> TrainedNetwork {
            let optimizer = Adam(module.parameters(), learningRate: rate, betas: betas)
            if training.learningRateDecay {
                let half = Swift.max(training.steps / 2, 1)
                optimizer.schedule = LinearDecaySchedule(initial: rate, final: 0, startStep: training.steps - half, decaySteps: half)
            }
            return TrainedNetwork(name: name, module: module, optimizer: optimizer, optimizerKey: "optimizer_\(name)")
        }
        networks = [
            network("generator_ab", generatorAB, rate: training.learningRateG), network("generator_ba", generatorBA, rate: training.learningRateG),
            network("discriminator_a", discriminatorA, rate: training.learningRateD),
            network("discriminator_b", discriminatorB, rate: training.learningRateD)
        ]
        loader = UnpairedLoader(
            dataset, batchSize: training.batchSize, horizontalFlip: resolved.data.jitter, seed: training.seed &+ 1, shard: parallel?.shard ?? .whole)
        poolA = ImagePool(capacity: training.poolSize, seed: training.seed &+ 2)
        poolB = ImagePool(capacity: training.poolSize, seed: training.seed &+ 3)
        self.random = random
        trainingStep = TrainingStep(
            updates: [
                TrainingUpdate(name: "generator", networks: Array(networks[0..<2]), loss: { [unowned self] in generatorLoss() }),
                TrainingUpdate(name: "discriminator", networks: Array(networks[2..<4]), loss: { [unowned self] in discriminatorLoss() })
            ], parallel: parallel)
    }

    /// One update of both generators, then one of both discriminators;
    /// returns the logged scalars: `loss/generator`, `loss/discriminator`,
    /// per direction `loss/adversarial_ab`, `loss/cycle_a`, `loss/identity_a`, …,
    /// per domain `loss/discriminator_a`, `score/real_a`, `score/fake_a`, …,
    /// gradient norms, learning rates and `samples_per_second`.
    /// - Throws: `TrainingError.diverged` before any parameter changes in the failing update.
    @discardableResult
    public func trainStep() throws -> [String: Float] {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { current = nil }
        var scalars = try trainingStep.run(step: step + 1)
        step += 1
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        scalars["lr/generator"] = networks[0].optimizer.learningRate
        scalars["lr/discriminator"] = networks[2].optimizer.learningRate
        scalars["samples_per_second"] = Float(Double(config.training.batchSize * (parallel?.size ?? 1)) / Swift.max(seconds, 1e-9))
        return scalars
    }

    /// Both generators' loss: adversarial per direction, λ·cycle L1 per
    /// domain and, when weighted, λ·w·identity L1 per domain.
    private func generatorLoss() -> UpdateLoss {
        let batch = loader.next()
        let training = config.training
        let objective = training.objective
        let fakeB = generatorAB(batch.a)
        let fakeA = generatorBA(batch.b)
        let adversarialAB = CycleGANLosses.adversarial(discriminatorB(fakeB), target: 1, objective: objective)
        let adversarialBA = CycleGANLosses.adversarial(discriminatorA(fakeA), target: 1, objective: objective)
        let cycleA = Loss.l1(generatorBA(fakeB), batch.a)
        let cycleB = Loss.l1(generatorAB(fakeA), batch.b)
        var loss = adversarialAB + adversarialBA + training.cycleWeight * (cycleA + cycleB)
        var scalars = [
            "loss/adversarial_ab": adversarialAB.item, "loss/adversarial_ba": adversarialBA.item, "loss/cycle_a": cycleA.item,
            "loss/cycle_b": cycleB.item
        ]
        if training.identityWeight > 0 {
            let identityA = Loss.l1(generatorBA(batch.a), batch.a)
            let identityB = Loss.l1(generatorAB(batch.b), batch.b)
            loss = loss + (training.cycleWeight * training.identityWeight) * (identityA + identityB)
            scalars["loss/identity_a"] = identityA.item
            scalars["loss/identity_b"] = identityB.item
        }
        current = (batch, fakeA.detached(), fakeB.detached())
        return UpdateLoss(loss, scalars: scalars)
    }

    /// Both discriminators' loss on this step's real images and pooled generated ones.
    private func discriminatorLoss() -> UpdateLoss {
        guard let (batch, fakeA, fakeB) = current else { fatalError("CycleGANTrainer: the D update runs after the G update") }
        current = nil
        let objective = config.training.objective
        var scalars: [String: Float] = [:]
        var loss: Tensor?
        for (name, discriminator, real, pool, fake) in [
            ("a", discriminatorA, batch.a, poolA, fakeA), ("b", discriminatorB, batch.b, poolB, fakeB)
        ] {
            let realScores = discriminator(real)
            let fakeScores = discriminator(pool.query(fake))
            let part = CycleGANLosses.discriminator(real: realScores, fake: fakeScores, objective: objective)
            scalars["loss/discriminator_\(name)"] = part.item
            scalars["score/real_\(name)"] = CycleGANLosses.meanScore(realScores, objective: objective)
            scalars["score/fake_\(name)"] = CycleGANLosses.meanScore(fakeScores, objective: objective)
            loss = loss.map { $0 + part } ?? part
        }
        return UpdateLoss(loss!, scalars: scalars)
    }

    /// A translation direction.
    public enum Direction: String, CaseIterable, Codable, Sendable {
        /// Domain A to B (`generatorAB`).
        case a2b
        /// Domain B to A (`generatorBA`).
        case b2a
    }

    /// The generator of `direction`.
    public func generator(_ direction: Direction) -> ResNetGenerator { direction == .a2b ? generatorAB : generatorBA }

    /// `generator`'s outputs for `inputs` in evaluation mode, without gradients, batch by batch.
    public static func translate(_ inputs: Tensor, with generator: ResNetGenerator, batchSize: Int = 64) -> Tensor {
        let wasTraining = generator.isTraining
        generator.eval()
        defer { generator.train(wasTraining) }
        let count = inputs.shape[0]
        guard count > 0 else { return Tensor.zeros([0, generator.outputChannels] + Array(inputs.shape.dropFirst(2))) }
        return withoutGradients {
            concat(
                stride(from: 0, to: count, by: batchSize).map {
                    generator(inputs.slice(axis: 0, start: $0, end: Swift.min($0 + batchSize, count)))
                }, axis: 0)
        }
    }

    // MARK: Checkpoints

    private var format: TrainingCheckpoint {
        let trained = networks.map { (prefix: $0.name, module: $0.module) }
        return TrainingCheckpoint(modules: trained, streamModules: trained, networks: networks)
    }

    private var pools: [(name: String, pool: ImagePool, shape: [Int])] {
        [("pool_a", poolA, config.model.shapeA), ("pool_b", poolB, config.model.shapeB)]
    }

    /// All training state in the shared checkpoint format, plus both pools
    /// (`pool_a.images` `[k, C, H, W]` when not empty, their streams in the metadata).
    public func checkpoint() throws -> SafeTensors.Contents {
        var contents = format.contents(.init(step: step, loader: loader.position, random: random), config: try config.encoded())
        let pooled = poolState
        for entry in pooled.tensors.entries { contents.tensors.set(entry.key, entry.tensor) }
        contents.metadata.merge(pooled.metadata) { $1 }
        addDistributedState(to: &contents)
        return contents
    }

    /// Both pools' images and streams, as the checkpoint holds them.
    var poolState: SafeTensors.Contents {
        var contents = SafeTensors.Contents(tensors: StateDict())
        for (name, pool, _) in pools {
            if let images = pool.stacked { contents.tensors.set("\(name).images", images) }
            contents.metadata["swiftgan.\(name).rng"] = TrainingCheckpoint.encode(pool.random.state)
        }
        return contents
    }

    /// Both pools' contents in `contents`, checked, to restore after the rest loaded.
    func savedPools(_ contents: SafeTensors.Contents, file: String) throws -> [(pool: ImagePool, images: [Tensor], random: RandomGenerator)] {
        try pools.map { name, pool, shape in
            guard let random = contents.metadata["swiftgan.\(name).rng"].flatMap(TrainingCheckpoint.decode) else {
                throw FileError(file: file, problem: "missing the random state of \(name) (not a CycleGAN checkpoint?)")
            }
            let key = "\(name).images"
            return (pool, try pool.checkedImages(contents.tensors[key], imageShape: shape, file: file, key: key), RandomGenerator(state: random))
        }
    }

    /// Restores state written by `checkpoint()` for the same configuration.
    /// - Throws: `FileError` or `StateDictError` naming what does not fit.
    public func restore(_ contents: SafeTensors.Contents, file: String) throws {
        try checkRanks(contents.metadata, file: file)
        let restoredPools = try savedPools(contents, file: file)
        let progress = try format.restore(contents, file: file, batchesPerEpoch: loader.batchesPerEpoch)
        for (pool, images, random) in restoredPools { pool.restore(images, random: random) }
        try restoreRankState(contents, file: file, step: progress.step, midStep: false)
        step = progress.step
        loader.position = progress.loader
        random = progress.random
    }
}

extension CycleGANTrainer: DataParallelTrainer {
    var totalSteps: Int { config.training.steps }
    func encodedConfig() throws -> [UInt8] { try config.encoded() }
    var agreedModules: [Module] { networks.map(\.module) }
    var synchronizesBatchNorm: Bool { false }
    var seed: UInt64 { config.training.seed }
    var dataSummary: String {
        let dataset = loader.dataset
        let sum = checksum([dataset.imagesA, dataset.imagesB])
        return "\(dataset.countA) + \(dataset.countB) images of \(dataset.shapeA) and \(dataset.shapeB), checksum \(String(sum, radix: 16))"
    }

    /// Each rank's pools hold its own generated images (and its module streams).
    var ownRankState: SafeTensors.Contents {
        var state = moduleStreamState
        let pooled = poolState
        for entry in pooled.tensors.entries { state.tensors.set(entry.key, entry.tensor) }
        state.metadata.merge(pooled.metadata) { $1 }
        return state
    }

    func restoreOwnRankState(_ state: SafeTensors.Contents?, file: String) throws {
        try restoreModuleStreams(state, file: file)
        guard let state else {
            // A start: empty pools drawing from (seed, rank).
            for (name, pool, _) in pools { pool.restore([], random: RandomGenerator(seed: rankSeed(name))) }
            return
        }
        for (pool, images, random) in try savedPools(state, file: file) { pool.restore(images, random: random) }
    }
}
