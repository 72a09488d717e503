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
    /// run the same build and configuration; the ranks other than 0 build
    /// their trainers (loading their data) before rank 0 touches the run
    /// directory; rank 0 then starts the run as one process does (the old
    /// run is replaced only after the new one's step-0 checkpoint); last,
    /// rank 0's weights and state go to every rank.
    static func start(directory: String, config: RunConfig, overwrite: Bool, parallel: DataParallel) throws -> TrainingRun {
        try parallel.checkAgreement(build: parallel.build, settings: try config.encoded())
        var built: (Trainer, TrainingEvaluator?)?
        var lock: DirectoryLock?
        var problem: String?
        if parallel.rank != 0 { problem = describe { built = try TrainingRun.make(config, parallel: parallel) } }
        try parallel.communicator.agree(problem)
        if parallel.rank == 0 {
            problem = describe {
                let (trainer, evaluator, runLock) = try RunDirectory.start(directory, overwrite: overwrite) {
                    try TrainingRun.make(config, parallel: parallel)
                }
                (built, lock) = ((trainer, evaluator), runLock)
            }
        }
        try parallel.communicator.agree(problem)
        let (trainer, evaluator) = built!
        try trainer.broadcastState(resumed: false)
        return try TrainingRun(directory: directory, trainer: trainer, evaluator: evaluator, lock: lock, resumed: false)
    }

    /// Resumes a run on every rank: rank 0 reads `config.json` (with `steps`
    /// as the new total) and sends it to the others, which build their
    /// trainers; rank 0 resumes the directory (a checkpoint written by
    /// another number of ranks is refused) and sends its state.
    static func resume(directory: String, steps: Int?, parallel: DataParallel) throws -> TrainingRun {
        var encoded: [UInt8] = []
        var problem: String?
        if parallel.rank == 0 {
            problem = describe {
                try RunDirectory.checkResumable(directory)
                var config = try RunConfig.read(TrainingRun.configPath(directory))
                if let steps { config.training.steps = try RunDirectory.checkedSteps(steps) }
                encoded = try config.encoded()
            }
        }
        try parallel.communicator.agree(problem)
        encoded = try parallel.communicator.broadcast(bytes: encoded)
        try parallel.checkAgreement(build: parallel.build, settings: Array("steps: \(steps.map(String.init) ?? "from the run")".utf8))
        let config = try RunConfig.decode(Data(encoded), file: "rank 0's \(TrainingRun.configPath(directory))")
        var built: (Trainer, TrainingEvaluator?)?
        var lock: DirectoryLock?
        if parallel.rank != 0 { problem = describe { built = try TrainingRun.make(config, parallel: parallel) } }
        try parallel.communicator.agree(problem)
        if parallel.rank == 0 {
            problem = describe {
                let (trainer, evaluator, runLock) = try RunDirectory.resume(directory) { try TrainingRun.make(config, parallel: parallel) }
                (built, lock) = ((trainer, evaluator), runLock)
            }
        }
        try parallel.communicator.agree(problem)
        let (trainer, evaluator) = built!
        try trainer.broadcastState(resumed: true)
        return try TrainingRun(directory: directory, trainer: trainer, evaluator: evaluator, lock: lock, resumed: true)
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
