import Foundation
import SwiftGANNN
import SwiftGANTensor

/// How a GAN run directory is started and resumed by a data-parallel job:
/// rank 0 alone touches the directory (its lock, `config.json`,
/// checkpoints, logs, samples); the other ranks build their trainers in
/// memory and take rank 0's state.
///
/// Each phase ends in `Communicator.agree`, so a rank that fails (no data
/// on its node, a run directory that may not be replaced) stops every rank
/// with its message instead of leaving the others waiting.
public enum DistributedRun {
    /// Starts a new run on every rank of `parallel`: the ranks check they
    /// run the same build with the same command (start, directory,
    /// configuration), build their trainers (loading their data) and
    /// compare the data; only then does rank 0 touch the run directory,
    /// starting the run as one process does (an old run is replaced only
    /// after the new one's step-0 checkpoint); last, rank 0's weights and
    /// state go to every rank.
    static func start(directory: String, config: RunConfig, overwrite: Bool, parallel: DataParallel) throws -> TrainingRun {
        let command = "start \(directory)\(overwrite ? " --overwrite" : "")\n\(parallel.settings)\n"
        try parallel.checkAgreement(build: parallel.build, settings: Array(command.utf8) + (try config.encoded()))
        var built: (Trainer, TrainingEvaluator?)?
        try parallel.communicator.agree(describe { built = try TrainingRun.make(config, parallel: parallel) })
        let (trainer, evaluator) = built!
        try checkSameData(trainer, parallel)
        var lock: DirectoryLock?
        if parallel.rank == 0 {
            try parallel.communicator.agree(
                describe { lock = try RunDirectory.start(directory, overwrite: overwrite) { (trainer, evaluator) }.2 })
        } else {
            try parallel.communicator.agree(nil)
        }
        try trainer.broadcastState(resumed: false)
        return try TrainingRun(directory: directory, trainer: trainer, evaluator: evaluator, lock: lock, resumed: false)
    }

    /// Resumes a run on every rank: after the same check of the command,
    /// rank 0 reads `config.json` (with `steps` as the new total) and sends
    /// it to the others; every rank builds its trainer and the data is
    /// compared; rank 0 resumes the directory (a checkpoint written by
    /// another number of ranks is refused) and sends its state.
    static func resume(directory: String, steps: Int?, parallel: DataParallel) throws -> TrainingRun {
        let command = "resume \(directory) --steps \(steps.map(String.init) ?? "(the run's)")\n\(parallel.settings)\n"
        try parallel.checkAgreement(build: parallel.build, settings: Array(command.utf8))
        var encoded: [UInt8] = []
        try parallel.communicator.agree(
            parallel.rank != 0
                ? nil
                : describe {
                    try RunDirectory.checkResumable(directory)
                    var config = try RunConfig.read(TrainingRun.configPath(directory))
                    if let steps { config.training.steps = try RunDirectory.checkedSteps(steps) }
                    encoded = try config.encoded()
                })
        encoded = try parallel.communicator.broadcast(bytes: encoded)
        var built: (Trainer, TrainingEvaluator?)?
        try parallel.communicator.agree(
            describe {
                let config = try RunConfig.decode(Data(encoded), file: "rank 0's \(TrainingRun.configPath(directory))")
                built = try TrainingRun.make(config, parallel: parallel)
            })
        let (trainer, evaluator) = built!
        try checkSameData(trainer, parallel)
        var lock: DirectoryLock?
        if parallel.rank == 0 {
            try parallel.communicator.agree(describe { lock = try RunDirectory.resume(directory) { (trainer, evaluator) }.2 })
        } else {
            try parallel.communicator.agree(nil)
        }
        try trainer.broadcastState(resumed: true)
        return try TrainingRun(directory: directory, trainer: trainer, evaluator: evaluator, lock: lock, resumed: true)
    }

    /// Checks that every rank loaded the same training data (its size and a checksum of every value and label).
    static func checkSameData(_ trainer: Trainer, _ parallel: DataParallel) throws {
        let dataset = trainer.loader.dataset
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        dataset.images.withUnsafeBufferPointer { values in
            for value in values { hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3 }
        }
        for label in dataset.labels { hash = (hash ^ UInt64(UInt(bitPattern: label))) &* 0x0000_0100_0000_01B3 }
        let summary = "data: \(dataset.count) examples of \(dataset.imageShape), checksum \(String(hash, radix: 16))"
        try parallel.checkAgreement(build: parallel.build, settings: Array(summary.utf8), what: "training data")
    }

    /// Runs `body` with the stop request every rank agrees on: a rank's own
    /// request (`shouldStop`, its signal flag) travels with the next
    /// gradients, and all ranks pause at the same update.
    static func agreeingOnStops<Result>(_ parallel: DataParallel?, _ shouldStop: () -> Bool, _ body: (() -> Bool) throws -> Result) throws
        -> Result
    {
        try withoutActuallyEscaping(shouldStop) { local in
            guard let parallel, parallel.size > 1 else { return try body(local) }
            parallel.localStopRequest = local
            defer { parallel.localStopRequest = { false } }
            return try body { parallel.stopRequested }
        }
    }

    /// Every `checkWeightsEvery` steps and at the last, checks that all ranks hold the same weights.
    static func checkWeights(_ trainer: Trainer, step: Int, total: Int) throws {
        guard let parallel = trainer.parallel, parallel.size > 1 else { return }
        if step % parallel.checkWeightsEvery == 0 || step == total {
            let checksum = try trainer.checkWeightsAgree()
            if step == total { parallel.finalChecksum = checksum }
        }
    }

    /// Runs `body` and returns its error's message, or nil.
    static func describe(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
