import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANTraining

/// `gan train --task …`: paired image-to-image translation runs.
extension TrainCommand {
    /// Rejects GAN-only flags with --task, and translation-only flags without it.
    func validateTranslation() throws {
        let tasks = TranslationKind.allCases.map(\.rawValue) + [CycleGANConfig.taskName]
        if let task, !tasks.contains(task) {
            throw ValidationError("unknown task '\(task)' (choose from \(tasks.joined(separator: ", ")))")
        }
        try validateCycleGAN()
        if task != nil && lrDecay == true {
            throw ValidationError("--task runs decay the learning rates over the second half already; --lr-decay adds nothing")
        }
        if let generator, TranslationModelConfig.Generator(rawValue: generator) == nil {
            throw ValidationError("unknown generator '\(generator)' (unet or srresnet)")
        }
        if let norm, TranslationModelConfig.Normalization(rawValue: norm) == nil {
            throw ValidationError("unknown normalisation '\(norm)' (batch or instance)")
        }
        for (flag, value) in [("--l1-weight", l1Weight), ("--perceptual-weight", perceptualWeight)] {
            if let value, !(value >= 0 && value.isFinite) { throw ValidationError("\(flag) must be non-negative, got \(value)") }
        }
        let translationOnly: [(String, Bool)] = [
            ("--generator", generator != nil), ("--norm", norm != nil), ("--patch-layers", patchLayers != nil), ("--l1-weight", l1Weight != nil),
            ("--perceptual-weight", perceptualWeight != nil), ("--jitter", jitter != nil), ("--downscale", downscale != nil),
            ("--reverse", reverse != nil)
        ]
        if isCycleGAN, let flag = translationOnly.first(where: { $0.1 && !["--norm", "--jitter", "--patch-layers"].contains($0.0) }) {
            throw ValidationError("\(flag.0) applies to paired translation, not to --task cyclegan")
        }
        if task == nil, resume == nil, config == nil, let flag = translationOnly.first(where: \.1) {
            throw ValidationError("\(flag.0) applies to image-to-image runs; pass --task")
        }
        if resume != nil, let flag = (translationOnly + cycleGANOnly).first(where: \.1) {
            throw ValidationError("--resume continues a run as configured; \(flag.0) applies to new runs")
        }
        let folderOnly: [(String, Bool)] = [
            ("--jitter", jitter != nil), ("--reverse", reverse != nil), ("--image-size", imageSize != nil), ("--channels", channels != nil),
            ("--downscale", downscale != nil), ("--cache", cache != nil)
        ]
        let isBuiltIn = data.map { isCycleGAN ? UnpairedTask(rawValue: $0) != nil : TranslationTask(rawValue: $0) != nil } ?? true
        if task != nil, isBuiltIn, let flag = folderOnly.first(where: \.1) {
            throw ValidationError("\(flag.0) applies to image folders; the built-in tasks have fixed 28x28 images")
        }
        let ganOnly: [(String, Bool)] = [
            ("--preset", preset != nil), ("--model", model != nil), ("--critic-steps", criticSteps != nil), ("--update", update != nil),
            ("--latent-dim", latentDim != nil),
            ("--latent", latent != nil), ("--ema", ema != nil), ("--spectral-norm", spectralNorm != nil), ("--r1", r1 != nil),
            ("--label-smoothing", labelSmoothing != nil), ("--eval-every", evalEvery != nil), ("--eval-count", evalCount != nil),
            ("--eval-metrics", evalMetrics != nil), ("--diffaugment", diffAugment != nil),
            ("--features", features != nil), ("--optimizer", optimizer != nil), ("--weight-clip", weightClip != nil),
            ("--gp-weight", gradientPenaltyWeight != nil), ("--d-output", discriminatorOutput != nil), ("--d-norm", discriminatorNorm != nil),
            ("--g-relu", generatorReLU != nil), ("--projection", projection != nil), ("--class-weight", classWeight != nil),
            ("--class-on-fakes", classOnFakes != nil), ("--d-loss-scale", discriminatorLossScale != nil), ("--d-widths", discriminatorWidths != nil),
            ("--pack", pack != nil), ("--mixture-count", mixtureCount != nil)
        ]
        if task != nil, let flag = ganOnly.first(where: \.1) {
            throw ValidationError("\(flag.0) applies to GANs from noise, not to --task runs")
        }
        if let downscale, downscale < 2 { throw ValidationError("--downscale must be at least 2, got \(downscale)") }
        if downscale != nil && (jitter == true || reverse == true) {
            throw ValidationError("--downscale makes pairs from plain images; --jitter and --reverse do not apply")
        }
        if let objective, task != nil, ![Objective.nonSaturating, .leastSquares].contains(Objective(rawValue: objective)) {
            throw ValidationError("--task runs use the non-saturating or lsgan objective, not \(objective)")
        }
    }

    var isCycleGAN: Bool { task == CycleGANConfig.taskName }

    func executeTranslation(settings: RunSettings, parallel: DataParallel?) throws {
        let run: TranslationRun
        do {
            if let resume {
                run = try TranslationRun.resume(directory: resume, steps: steps, parallel: parallel)
            } else {
                var settings = settings
                let epochs = try Self.epochs(&settings)
                var config = try TranslationConfig.resolve(settings)
                let kind = config.task
                if let epochs {
                    let count = try Self.rootCount(try config.data.load(split: .train).count, parallel)
                    let perEpoch = Swift.max(1, count / (config.training.batchSize * (parallel?.size ?? 1)))
                    config.training.steps = Swift.max(1, Int((epochs * Double(perEpoch)).rounded()))
                }
                if printConfig { return try Self.printConfig(config) }
                let dataName = config.data.path.map { URL(fileURLWithPath: $0).lastPathComponent } ?? config.data.name
                run = try TranslationRun.start(
                    directory: try runDirectory(default: "runs/\(kind.rawValue)-\(dataName)", parallel: parallel), config: config, overwrite: overwrite,
                    parallel: parallel)
            }
        } catch let error as DistributedError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        let trainer = run.trainer
        let config = trainer.config
        print(
            "run: \(run.directory)  task: \(config.task.rawValue)  data: \(config.data.path ?? config.data.name)  "
                + "\(config.model.inputShape) → \(config.model.outputShape)  G \(config.model.generator.rawValue) "
                + "\(trainer.generator.parameterCount.formatted()) / D \(trainer.discriminator.parameterCount.formatted()) parameters  "
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
                            format: "D %.3f  G %.3f  L1 %.4f  D(real) %.2f  D(fake) %.2f", scalars["loss/discriminator"] ?? 0,
                            scalars["loss/generator"] ?? 0, scalars["loss/l1"] ?? 0, scalars["score/real"] ?? 0, scalars["score/fake"] ?? 0))
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
