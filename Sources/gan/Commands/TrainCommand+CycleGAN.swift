import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANTraining

/// `gan train --task cyclegan …`: unpaired image-to-image translation runs.
extension TrainCommand {
    /// The flags only CycleGAN runs take, and whether each was given.
    var cycleGANOnly: [(String, Bool)] {
        [
            ("--cycle-weight", cycleWeight != nil), ("--identity-weight", identityWeight != nil), ("--pool-size", poolSize != nil),
            ("--residual-blocks", residualBlocks != nil)
        ]
    }

    func validateCycleGAN() throws {
        for (flag, value) in [("--cycle-weight", cycleWeight), ("--identity-weight", identityWeight)] {
            if let value, !(value >= 0 && value.isFinite) { throw ValidationError("\(flag) must be non-negative, got \(value)") }
        }
        for (flag, value) in [("--pool-size", poolSize), ("--residual-blocks", residualBlocks)] {
            if let value, value < 0 { throw ValidationError("\(flag) must be non-negative, got \(value)") }
        }
        if !isCycleGAN, resume == nil, config == nil, let flag = cycleGANOnly.first(where: \.1) {
            throw ValidationError("\(flag.0) applies to --task cyclegan")
        }
    }

    func executeCycleGAN(settings: RunSettings, parallel: DataParallel?) throws {
        let run: CycleGANRun
        do {
            if let resume {
                run = try CycleGANRun.resume(directory: resume, steps: steps, parallel: parallel)
            } else {
                var settings = settings
                let epochs = try Self.epochs(&settings)
                var config = try CycleGANConfig.resolve(settings)
                if let epochs {
                    let training = try config.data.load(split: .train)
                    let count = try Self.rootCount(Swift.max(training.countA, training.countB), parallel)
                    let perEpoch = Swift.max(1, count / (config.training.batchSize * (parallel?.size ?? 1)))
                    config.training.steps = Swift.max(1, Int((epochs * Double(perEpoch)).rounded()))
                }
                if printConfig { return try Self.printConfig(config) }
                let dataName = config.data.path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? config.data.name
                run = try CycleGANRun.start(
                    directory: try runDirectory(default: "runs/cyclegan-\(dataName)", parallel: parallel), config: config, overwrite: overwrite,
                    parallel: parallel)
            }
        } catch let error as DistributedError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        let trainer = run.trainer
        let config = trainer.config
        let parameters = trainer.generatorAB.parameterCount + trainer.generatorBA.parameterCount
        let discriminatorParameters = trainer.discriminatorA.parameterCount + trainer.discriminatorB.parameterCount
        print(
            "run: \(run.directory)  task: cyclegan  data: \(config.data.path ?? config.data.name)  A \(config.model.shapeA) ↔ B \(config.model.shapeB)  "
                + "G \(parameters.formatted()) / D \(discriminatorParameters.formatted()) parameters (both directions)  "
                + "steps \(trainer.step) → \(config.training.steps)\(Self.ranksNote(parallel, batch: config.training.batchSize))")
        let observers = try observe(run.directory, step: trainer.step, parallel: parallel)
        var ended = RunRecord.Outcome.failed
        defer { observers.stop(step: trainer.step, outcome: ended) }
        var progress = ProgressReporter(
            total: config.training.steps, start: trainer.step, batchesPerEpoch: trainer.loader.batchesPerEpoch, quiet: progressOptions.quiet)
        let outcome: TrainingRun.Outcome
        do {
            outcome = try run.run(
                progress: { scalars in
                    progress.report(
                        step: trainer.step,
                        losses: String(
                            format: "D %.3f  G %.3f  cycle %.4f / %.4f  D_A(real) %.2f  D_B(real) %.2f", scalars["loss/discriminator"] ?? 0,
                            scalars["loss/generator"] ?? 0, scalars["loss/cycle_a"] ?? 0, scalars["loss/cycle_b"] ?? 0,
                            scalars["score/real_a"] ?? 0, scalars["score/real_b"] ?? 0))
                }, shouldStop: { StopSignal.isRequested })
        } catch {
            throw Self.stopped(error, directory: run.directory, parallel: parallel)
        }
        ended = outcome == .completed ? .completed : .interrupted
        Self.reportReductions(parallel)
        switch outcome {
        case .completed:
            print("done: \(run.directory)/samples/\(String(format: "step-%06d.png", trainer.step)), checkpoint \(TrainingRun.checkpointPath(run.directory))")
        case .interrupted(let step):
            print("\ninterrupted at step \(step); checkpoint saved. Continue with: \(Self.launcher(parallel))gan train --resume \(run.directory)")
            throw ExitCode(130)
        }
    }
}
