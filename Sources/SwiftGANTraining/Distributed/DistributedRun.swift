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
    /// Starts a run in one process (`RunDirectory.start`) or, with `parallel`
    /// of more than one rank, on every rank (`start(directory:config:…)`):
    /// what every kind of run calls. `make` builds the trainer for the job it is given.
    static func open<Trainer: DataParallelTrainer, Extra>(
        starting directory: String, config: () throws -> [UInt8], overwrite: Bool, parallel: DataParallel?,
        make: (DataParallel?) throws -> (Trainer, Extra)
    ) throws -> (Trainer, Extra, DirectoryLock?) {
        if let parallel, parallel.size > 1 {
            return try start(directory: directory, config: config, overwrite: overwrite, parallel: parallel) { try make(parallel) }
        }
        let (trainer, extra, lock) = try RunDirectory.start(directory, overwrite: overwrite) { try make(nil) }
        return (trainer, extra, lock)
    }

    /// Resumes a run in one process (`RunDirectory.resume`) or on every rank
    /// (`resume(directory:steps:…)`); `read` reads the configuration with
    /// `steps` applied, `make` builds the trainer for it and the job.
    static func open<Trainer: DataParallelTrainer, Config: RunConfigFile, Extra>(
        resuming directory: String, steps: Int?, parallel: DataParallel?, read: () throws -> Config,
        make: (Config, DataParallel?) throws -> (Trainer, Extra)
    ) throws -> (Trainer, Extra, DirectoryLock?) {
        if let parallel, parallel.size > 1 {
            return try resume(directory: directory, steps: steps, parallel: parallel, read: read) { try make($0, parallel) }
        }
        try RunDirectory.checkResumable(directory)
        let config = try read()
        let (trainer, extra, lock) = try RunDirectory.resume(directory) { try make(config, nil) }
        return (trainer, extra, lock)
    }

    /// Starts a new run on every rank of `parallel`: the ranks check they
    /// run the same build with the same command (start, directory,
    /// configuration), build their trainers with `make` (loading their data)
    /// and compare the data; only then does rank 0 touch the run directory,
    /// starting the run as one process does (an old run is replaced only
    /// after the new one's step-0 checkpoint); last, rank 0's weights and
    /// state go to every rank.
    /// - Returns: the trainer, what `make` returned beside it, and (on rank 0) the run's lock.
    static func start<Trainer: DataParallelTrainer, Extra>(
        directory: String, config: () throws -> [UInt8], overwrite: Bool, parallel: DataParallel, make: () throws -> (Trainer, Extra)
    ) throws -> (Trainer, Extra, DirectoryLock?) {
        let command = "start \(directory)\(overwrite ? " --overwrite" : "")\n\(parallel.settings)\n"
        // A configuration that cannot be encoded (an infinite rate) is refused by `make`, on every rank alike, with its reason.
        let settings = (try? config()) ?? Array("a configuration that cannot be encoded".utf8)
        try parallel.checkAgreement(build: parallel.build, settings: Array(command.utf8) + settings)
        var built: (Trainer, Extra)?
        try parallel.communicator.agree(describe { built = try make() })
        let (trainer, extra) = built!
        try parallel.checkAgreement(build: parallel.build, settings: Array("data: \(trainer.dataSummary)".utf8), what: "training data")
        var lock: DirectoryLock?
        try parallel.communicator.agree(
            parallel.rank != 0 ? nil : describe { lock = try RunDirectory.start(directory, overwrite: overwrite) { (trainer, extra) }.2 })
        try trainer.broadcastState(resumed: false)
        return (trainer, extra, lock)
    }

    /// Resumes a run on every rank: after the same check of the command,
    /// rank 0 reads the configuration (`read`, which applies a new total of
    /// steps) and sends it to the others; every rank builds its trainer and
    /// the data is compared; rank 0 resumes the directory (a checkpoint
    /// written by another number of ranks is refused) and sends its state.
    static func resume<Trainer: DataParallelTrainer, Config: RunConfigFile, Extra>(
        directory: String, steps: Int?, parallel: DataParallel, read: () throws -> Config, make: (Config) throws -> (Trainer, Extra)
    ) throws -> (Trainer, Extra, DirectoryLock?) {
        let command = "resume \(directory) --steps \(steps.map(String.init) ?? "(the run's)")\n\(parallel.settings)\n"
        try parallel.checkAgreement(build: parallel.build, settings: Array(command.utf8))
        var encoded: [UInt8] = []
        try parallel.communicator.agree(
            parallel.rank != 0
                ? nil
                : describe {
                    try RunDirectory.checkResumable(directory)
                    encoded = try read().encoded()
                })
        encoded = try parallel.communicator.broadcast(bytes: encoded)
        var built: (Trainer, Extra)?
        try parallel.communicator.agree(
            describe { built = try make(try Config.decode(Data(encoded), file: "rank 0's \(TrainingRun.configPath(directory))")) })
        let (trainer, extra) = built!
        try parallel.checkAgreement(build: parallel.build, settings: Array("data: \(trainer.dataSummary)".utf8), what: "training data")
        var lock: DirectoryLock?
        try parallel.communicator.agree(parallel.rank != 0 ? nil : describe { lock = try RunDirectory.resume(directory) { (trainer, extra) }.2 })
        try trainer.broadcastState(resumed: true)
        return (trainer, extra, lock)
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
            defer {
                parallel.localStopRequest = { false }
                parallel.resetStopRequest()
            }
            return try body { parallel.stopRequested }
        }
    }

    /// Every `checkWeightsEvery` steps and at the last, checks that all ranks hold the same weights.
    static func checkWeights(_ trainer: some DataParallelTrainer, step: Int, total: Int) throws {
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
