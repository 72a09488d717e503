import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Training checkpoints in the shared `TrainingCheckpoint` format: G, D and
/// the EMA copy, both optimizers, the loader position, the trainer's random
/// stream and each trained module's (Dropout's masks; the EMA copy never
/// trains, so its streams never advance and are not saved).
extension Trainer {
    private var format: TrainingCheckpoint {
        let trained = networks.map { (prefix: $0.name, module: $0.module) }
        return TrainingCheckpoint(
            modules: trained + (emaGenerator.map { [(prefix: "ema_generator", module: $0 as Module)] } ?? []),
            streamModules: trained, networks: networks)
    }

    /// All training state: weights, EMA, optimizer states, loader position,
    /// random streams and the step.
    public func checkpoint() throws -> SafeTensors.Contents {
        var contents = format.contents(
            .init(step: step, loader: loader.position, random: random, within: pausedAt, withinScalars: pausedScalars), config: try config.encoded())
        addDistributedState(to: &contents)
        return contents
    }

    /// Restores state written by `checkpoint()` for the same configuration.
    /// - Throws: `StateDictError`, `OptimizerStateError` or `FileError` naming
    ///   what does not match (for instance a checkpoint of another architecture).
    public func restore(_ contents: SafeTensors.Contents, file: String) throws {
        try checkRanks(contents.metadata, file: file)
        let progress = try format.restore(contents, file: file, batchesPerEpoch: loader.batchesPerEpoch, steps: trainingStep)
        try restoreRankState(contents, file: file, step: progress.step, midStep: progress.within != .start)
        step = progress.step
        pausedAt = progress.within
        pausedScalars = progress.withinScalars
        loader.position = progress.loader
        random = progress.random
    }
}

extension Trainer: DirectoryTrainer {
    var totalSteps: Int { config.training.steps }
    var isMidStep: Bool { pausedAt != .start }
    func encodedConfig() throws -> [UInt8] { try config.encoded() }
}
