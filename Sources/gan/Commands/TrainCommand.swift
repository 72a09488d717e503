import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// `text` broken at spaces into lines of at most `width` columns, each indented by `indent`.
func wrapped(_ text: String, indent: Int, width: Int) -> String {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
        if !line.isEmpty && indent + line.count + 1 + word.count > width {
            lines.append(line)
            line = ""
        }
        line += (line.isEmpty ? "" : " ") + word
    }
    lines.append(line)
    return lines.map { String(repeating: " ", count: indent) + $0 }.joined(separator: "\n")
}

/// The `--task` presets' main settings, for `--help`, from the configurations they resolve to.
private var taskPresets: String {
    let keys = [
        "generator", "width", "d_width", "residual_blocks", "norm", "objective", "l1_weight", "adversarial_weight", "cycle_weight",
        "identity_weight", "pool_size", "lr_g", "lr_d", "beta1", "beta2", "batch_size", "steps", "lr_decay"
    ]
    let tasks = TranslationKind.allCases.map(\.rawValue) + [CycleGANConfig.taskName]
    return tasks.map { task -> String in
        let settings = RunSettings(["task": .string(task)], origin: "--task")
        let values =
            task == CycleGANConfig.taskName
            ? (try? CycleGANConfig.resolve(settings).settingValues) : (try? TranslationConfig.resolve(settings).settingValues)
        let parts = keys.compactMap { key in values?[key].flatMap { $0 == .null ? nil : "\(key) \($0)".replacingOccurrences(of: "\"", with: "") } }
        return "  --task \(task) (built-in data: \(values?["data"].map { "\($0)".replacingOccurrences(of: "\"", with: "") } ?? "?"))\n"
            + wrapped(parts.joined(separator: ", "), indent: 4, width: 78)
    }.joined(separator: "\n")
}

/// `gan train`: train a GAN into a run directory, or resume one.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a GAN (default: DCGAN on Fashion-MNIST, about 3 minutes on 2 cores).",
        discussion: """
            Examples:
              gan train                                   # the quick DCGAN preset on Fashion-MNIST
              gan train --preset wgan-gp --steps 2000
              gan train --data ring8                      # the 2-D mixture pair and preset
              gan train --data path/to/images --image-size 32 --model dcgan
              gan train --resume runs/dcgan-quick --steps 6000
              gan train --task pix2pix --data edges2fashion   # image-to-image (also sr, inpaint, colorize)
              gan train --task pix2pix --data path/to/pairs --image-size 64 --jitter
              gan train --task cyclegan --data fashion2edges      # unpaired (also gray2color, sneaker2boot)
              gan train --task cyclegan --data path/to/horse2zebra --image-size 128 --jitter
              gan train --config runs.yaml --steps 500        # settings from a file (flags override it)
              gan train --preset wgan-gp --print-config       # the resolved settings (as in config.json)

            Presets (what each sets; --config and flags override any of it):
            \(Preset.allCases.map { "  \($0.rawValue)\n" + wrapped($0.defaultsDescription, indent: 4, width: 78) }.joined(separator: "\n"))
            \(taskPresets)
            """
    )

    @Option(
        help: ArgumentHelp(
            "Read the run's settings from this YAML or JSON file (keys: the flags' names in snake case, e.g. batch_size: 64; "
                + "flags given here override it; a run's config.json works as it is).",
            valueName: "file"))
    var config: String?

    @Flag(help: "Print the resolved settings (preset, then --config file, then flags) as config.json will hold them, and exit.")
    var printConfig = false

    @Option(help: "Preset: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")) (`gan train --help` lists what each sets).")
    var preset: String?

    @Option(help: "Model: \(ModelConfig.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: String?

    @Option(
        help: """
            Data: fashion-mnist (default), ring8, grid25, spiral, moons, an IDX directory or an image folder; with --task: \
            edges2fashion, inpaint, sr4, sr2, colorize or a paired folder; with --task cyclegan: fashion2edges, gray2color, \
            sneaker2boot or a folder with trainA/, trainB/, testA/, testB/.
            """)
    var data: String?

    @Option(help: "Image-to-image task: \(TranslationKind.allCases.map(\.rawValue).joined(separator: ", ")) (default: a GAN from noise).")
    var task: String?

    @Option(help: "With --task: generator: \(TranslationModelConfig.Generator.allCases.map(\.rawValue).joined(separator: ", ")).")
    var generator: String?

    @Option(help: "With --task: normalisation: batch or instance.")
    var norm: String?

    @Option(parsing: .unconditional, help: "With --task: weight λ of the L1 loss to the target (pix2pix: 100).")
    var l1Weight: Float?

    @Option(parsing: .unconditional, help: "With --task: weight of the perceptual loss on the shipped classifier's features (28x28 outputs; 0: off).")
    var perceptualWeight: Float?

    @Option(parsing: .unconditional, help: "With --task: weight of the adversarial term in G's loss (pix2pix: 1; sr: 0.01).")
    var adversarialWeight: Float?

    @Option(parsing: .unconditional, help: "With --task: the discriminators' base width (default: --width).")
    var dWidth: Int?

    @Flag(
        name: .customLong("conditional-d"), inversion: .prefixedNo,
        help: "With --task: D sees the input beside the output (pix2pix's conditional PatchGAN; sr: off).")
    var conditionalDiscriminator: Bool?

    @Flag(inversion: .prefixedNo, help: "With --task and a paired folder: random horizontal flips (default: with --jitter).")
    var flip: Bool?

    @Flag(inversion: .prefixedNo, help: "With --task and a folder: random resize-and-crop jitter and flips (alike for both images of a pair).")
    var jitter: Bool?

    @Flag(inversion: .prefixedNo, help: "With --task and a paired folder: translate B to A.")
    var reverse: Bool?

    @Option(parsing: .unconditional, help: "With --task sr and a folder of plain images (train/, test/): inputs are the images averaged over NxN blocks.")
    var downscale: Int?

    @Option(
        parsing: .unconditional,
        help: "With --task: the PatchGAN's strided layers (pix2pix: 1 up to 32 px, 2 up to 64, else 3; cyclegan: 2 up to 32 px, else 3).")
    var patchLayers: Int?

    @Option(parsing: .unconditional, help: "With --task cyclegan: λ of the cycle-consistency L1 of each direction (CycleGAN: 10).")
    var cycleWeight: Float?

    @Option(parsing: .unconditional, help: "With --task cyclegan: weight of the identity loss relative to λ (CycleGAN: 0.5; 0: off).")
    var identityWeight: Float?

    @Option(parsing: .unconditional, help: "With --task cyclegan: generated images each discriminator's pool keeps (CycleGAN: 50; 0: none).")
    var poolSize: Int?

    @Option(parsing: .unconditional, help: "With --task cyclegan: residual blocks per generator (default: 3 below 64 px, 6 below 256 px, else 9).")
    var residualBlocks: Int?

    @Option(parsing: .unconditional, help: "Use only the first N training examples.")
    var limit: Int?

    @Option(parsing: .unconditional, help: "Resize image-folder images to this square size.")
    var imageSize: Int?

    @Option(parsing: .unconditional, help: "Image-folder channels (1 or 3).")
    var channels: Int?

    @Flag(
        inversion: .prefixedNo,
        help:
            "Image folders (also paired and unpaired ones): keep the decoded images in FOLDER.swiftgan-cache/ (uint8 .npy, remade when files change) and memory-map them, so a later run decodes nothing and a folder larger than memory trains."
    )
    var cache: Bool?

    @Option(parsing: .unconditional, help: "Total generator steps.")
    var steps: Int?

    @Option(parsing: .unconditional, help: "Epochs (converted to steps; overrides --steps).")
    var epochs: Double?

    @Option(parsing: .unconditional, help: "Batch size.")
    var batchSize: Int?

    @Option(name: .customLong("lr-g"), parsing: .unconditional, help: "Generator learning rate.")
    var learningRateG: Float?

    @Option(name: .customLong("lr-d"), parsing: .unconditional, help: "Discriminator learning rate.")
    var learningRateD: Float?

    @Option(help: "Objective: \(Objective.allCases.map(\.rawValue).joined(separator: ", ")).")
    var objective: String?

    @Option(parsing: .unconditional, help: "Discriminator steps per generator step.")
    var criticSteps: Int?

    @Option(
        help: """
            How a step orders D's and G's updates: alternating (D, then G on the updated D; the default), simultaneous \
            (both losses from one pass, both gradients applied together, as TensorFlow's GradientTape example) or separate \
            (D on the real batch, D on a fake batch, then G: Keras's train_on_batch calls).
            """)
    var update: String?

    @Option(
        name: .customLong("d-loss-scale"), parsing: .unconditional,
        help: "A factor on D's objective loss (0.5: the average of the real and fake losses, as some PyTorch examples write it).")
    var discriminatorLossScale: Float?

    @Option(parsing: .unconditional, help: "Latent dimension.")
    var latentDim: Int?

    @Option(help: "Latent distribution: normal or uniform.")
    var latent: String?

    @Option(parsing: .unconditional, help: "Base width of the networks.")
    var width: Int?

    @Option(parsing: .unconditional, help: "Decay of an EMA generator (e.g. 0.999); 0 turns it off.")
    var ema: Float?

    @Flag(inversion: .prefixedNo, help: "Decay the learning rates linearly to 0 over the second half of the run (--task runs always do).")
    var lrDecay: Bool?

    @Flag(inversion: .prefixedNo, help: "Spectral normalisation in the discriminator.")
    var spectralNorm: Bool?

    @Flag(inversion: .prefixedNo, help: "Under mpirun: BatchNorm statistics over the global batch (every rank's), not each rank's own.")
    var syncBatchnorm: Bool?

    @Option(parsing: .unconditional, help: "R1 penalty weight γ (0: off).")
    var r1: Float?

    @Option(parsing: .unconditional, help: "One-sided label smoothing (real targets 1 - this).")
    var labelSmoothing: Float?

    @Option(help: "Optimizer: adam or rmsprop (the wgan preset's).")
    var optimizer: String?

    @Option(parsing: .unconditional, help: "Adam's β1.")
    var beta1: Float?

    @Option(parsing: .unconditional, help: "Adam's β2.")
    var beta2: Float?

    @Option(parsing: .unconditional, help: "The wgan objective's weight clipping bound.")
    var weightClip: Float?

    @Option(name: .customLong("gp-weight"), parsing: .unconditional, help: "λ of the wgan-gp gradient penalty.")
    var gradientPenaltyWeight: Float?

    @Option(name: .customLong("d-output"), help: "What D's last layer gives: logit or probability (a final Sigmoid, the mlp preset's).")
    var discriminatorOutput: String?

    @Option(name: .customLong("d-norm"), help: "D's hidden normalisation: batch-norm, layer-norm (the wgan-gp preset's) or none.")
    var discriminatorNorm: String?

    @Flag(name: .customLong("g-relu"), inversion: .prefixedNo, help: "ReLU instead of LeakyReLU(0.2) in the MLP generator.")
    var generatorReLU: Bool?

    @Option(name: .customLong("d-widths"), help: "With --model mlp: the discriminator's hidden widths, e.g. 512,256 (default 1024,512,256).")
    var discriminatorWidths: String?

    @Option(
        help:
            "PacGAN packing (Lin et al. 2018): D judges packs of this many samples, concatenated on channels (1: no packing). Unconditional models; the batch size must be a multiple."
    )
    var pack: Int?

    @Flag(
        inversion: .prefixedNo,
        help: "With --model cgan or cdcgan: a projection discriminator (Miyato & Koyama 2018) instead of label concatenation or label maps.")
    var projection: Bool?

    @Option(parsing: .unconditional, help: "With --model acgan: the weight of the auxiliary classifier's class loss in D's and G's losses (default 1).")
    var classWeight: Float?

    @Flag(
        inversion: .prefixedNo,
        help: "With --model acgan: D's classifier also learns the requested class on fakes (Odena et al.; PyTorch-GAN). Default off, as in StudioGAN.")
    var classOnFakes: Bool?

    @Option(parsing: .unconditional, help: "2-D mixtures: points in the fixed training set (default 50000).")
    var mixtureCount: Int?

    @Option(parsing: .unconditional, help: "Random seed (default 0).")
    var seed: UInt64?

    @Option(help: "Run directory (default runs/<preset or model>; runs/<preset or model>-2, -3, … when that holds a run).")
    var runDir: String?

    @Option(parsing: .unconditional, help: "Render samples every N steps.")
    var sampleEvery: Int?

    @Option(parsing: .unconditional, help: "Write a checkpoint every N steps.")
    var checkpointEvery: Int?

    @Option(parsing: .unconditional, help: "Log metrics every N steps.")
    var logEvery: Int?

    @Option(parsing: .unconditional, help: "Evaluate every N steps (FID for images, modes/quality/KL for ring8 and grid25) and keep best.safetensors.")
    var evalEvery: Int?

    @Option(parsing: .unconditional, help: "Samples per evaluation during training.")
    var evalCount: Int?

    @Option(
        help:
            "Image metrics evaluated beside FID during training, comma-separated: \(EvalMetric.allCases.map(\.rawValue).joined(separator: ", ")) (each takes a few seconds more per evaluation)."
    )
    var evalMetrics: String?

    @Option(
        name: .customLong("diffaugment"),
        help:
            "DiffAugment (Zhao et al. 2020): transform every image D sees, real and generated, comma-separated: \(DiffAugment.Policy.allCases.map(\.rawValue).joined(separator: ", "))."
    )
    var diffAugment: String?

    @Option(help: "Feature classifier for FID during training (default: the shipped Fashion-MNIST classifier).")
    var features: String?

    @Option(help: "Continue the run in this directory.")
    var resume: String?

    @Flag(help: "Replace an existing run directory.")
    var overwrite = false

    @Option(parsing: .unconditional, help: "Compute threads (default: all cores; under mpirun, the node's cores shared by its ranks).")
    var threads: Int?

    @Option(
        parsing: .unconditional,
        help: "Under mpirun: steps between the checks that every rank holds the same weights (and at the last step).")
    var checkWeightsEvery = 100

    @Flag(help: "Serve the run's live dashboard while it trains (see `gan serve`; --host and --port choose where).")
    var serve = false

    @OptionGroup var progressOptions: ProgressOptions

    @OptionGroup var imageLimits: ImageLimitOptions

    @OptionGroup var listen: ListenOptions

    func validate() throws {
        for (name, value) in [
            ("steps", steps), ("batch-size", batchSize), ("critic-steps", criticSteps), ("latent-dim", latentDim),
            ("width", width), ("sample-every", sampleEvery), ("checkpoint-every", checkpointEvery),
            ("log-every", logEvery), ("eval-every", evalEvery), ("image-size", imageSize), ("threads", threads), ("limit", limit),
            ("check-weights-every", checkWeightsEvery),
            ("patch-layers", patchLayers), ("mixture-count", mixtureCount), ("d-width", dWidth)
        ] {
            if let value, value < 1 { throw ValidationError("--\(name) must be at least 1, got \(value)") }
        }
        if let epochs, !(epochs > 0 && epochs <= 1_000_000) { throw ValidationError("--epochs must be in (0, 1000000], got \(epochs)") }
        if syncBatchnorm == true && task != nil {
            throw ValidationError("--sync-batchnorm applies to the GAN models; translation and CycleGAN runs normalise each rank's own batch")
        }
        if let preset, Preset(rawValue: preset) == nil {
            throw ValidationError("unknown preset '\(preset)' (choose from \(Preset.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let model, ModelConfig.Kind(rawValue: model) == nil {
            throw ValidationError("unknown model '\(model)' (choose from \(ModelConfig.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let objective, Objective(rawValue: objective) == nil {
            throw ValidationError("unknown objective '\(objective)' (choose from \(Objective.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let latent, ModelConfig.LatentDistribution(rawValue: latent) == nil {
            throw ValidationError("unknown latent distribution '\(latent)' (normal or uniform)")
        }
        if let optimizer, TrainingConfig.OptimizerKind(rawValue: optimizer) == nil {
            throw ValidationError("unknown optimizer '\(optimizer)' (adam or rmsprop)")
        }
        if let discriminatorOutput, ModelConfig.DiscriminatorOutput(rawValue: discriminatorOutput) == nil {
            throw ValidationError("unknown --d-output '\(discriminatorOutput)' (logit or probability)")
        }
        if let discriminatorNorm, ModelConfig.DiscriminatorNormalization(rawValue: discriminatorNorm) == nil {
            throw ValidationError("unknown --d-norm '\(discriminatorNorm)' (batch-norm, layer-norm or none)")
        }
        if resume != nil && (config != nil || printConfig) {
            throw ValidationError("--resume continues a run as its config.json says; --config and --print-config apply to new runs")
        }
        if let evalCount, evalCount < 11 { throw ValidationError("--eval-count must be at least 11, got \(evalCount)") }
        _ = try parsedEvalMetrics()
        if let channels, channels != 1 && channels != 3 { throw ValidationError("--channels must be 1 or 3, got \(channels)") }
        if resume != nil && (evalEvery != nil || evalCount != nil || features != nil || evalMetrics != nil) {
            throw ValidationError(
                "--resume keeps the run's evaluation settings; --eval-every, --eval-count, --eval-metrics and --features apply to new runs")
        }
        if resume != nil, let flag = flagsOfNewRuns.first(where: \.set) {
            throw ValidationError("--resume continues a run as configured; it takes only --steps (and --threads), not \(flag.name)")
        }
        try validateTranslation()
    }

    /// The flags that configure a new run (which --resume would otherwise ignore), and whether each was given.
    var flagsOfNewRuns: [(name: String, set: Bool)] {
        [("--run-dir", runDir != nil), ("--overwrite", overwrite)]
            + settingFlags.filter { $0.flag != "steps" }.map { ("--\($0.flag)", $0.value != nil) }
    }

    func run() throws {
        guard let session = try MPISession.startIfLaunched() else {
            // --threads scopes every kernel of the command (the default: all cores).
            return try withExecutionContext(threads: threads) { try imageLimits.scope { try progressOptions.show { try execute(parallel: nil) } } }
        }
        // One rank of a data-parallel job (mpirun -np K gan train …): the node's cores shared by its ranks.
        do {
            try withExecutionContext(threads: threads ?? session.defaultThreads) {
                try imageLimits.scope { try progressOptions.show { try execute(parallel: session.parallel) } }
            }
        } catch {
            session.fail(error)
        }
        session.finish()
    }

    private func execute(parallel: DataParallel?) throws {
        StopSignal.install()
        let settings = try fileSettings().merging(commandLineSettings)
        let resumedKind = try Self.runKind(of: resume, parallel: parallel)
        parallel?.checkWeightsEvery = checkWeightsEvery
        let task: String?
        do { task = resume == nil ? try settings.text("task") : nil } catch { throw CLIError("\(error)") }
        if task == CycleGANConfig.taskName || resumedKind == .cyclegan { return try executeCycleGAN(settings: settings, parallel: parallel) }
        if task != nil || resumedKind == .translation { return try executeTranslation(settings: settings, parallel: parallel) }
        let run: TrainingRun
        do {
            if let resume {
                run = try TrainingRun.resume(directory: resume, steps: steps, parallel: parallel)
            } else {
                let config = try resolvedConfig(settings, parallel: parallel)
                if printConfig { return try Self.printConfig(config) }
                let directory = try runDirectory(default: "runs/\(config.preset ?? config.model.kind.rawValue)", parallel: parallel)
                run = try TrainingRun.start(directory: directory, config: config, overwrite: overwrite, parallel: parallel)
            }
        } catch let error as ValidationError {
            throw error
        } catch let error as CLIError {
            throw error
        } catch let error as DistributedError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        let trainer = run.trainer
        let config = trainer.config
        let ranks = Self.ranksNote(parallel, batch: config.training.batchSize)
        print(
            "run: \(run.directory)  model: \(config.model.kind.rawValue)  objective: \(config.training.objective.rawValue)  "
                + "G \(trainer.generator.parameterCount.formatted()) / D \(trainer.discriminator.parameterCount.formatted()) parameters  "
                + "steps \(trainer.step) → \(config.training.steps)\(ranks)")
        let observers = try observe(run.directory, step: trainer.step, parallel: parallel)
        var ended = RunRecord.Outcome.failed
        defer { observers.stop(step: trainer.step, outcome: ended) }
        var progress = ProgressReporter(
            total: config.training.steps, start: trainer.step, batchesPerEpoch: trainer.loader.batchesPerEpoch, quiet: progressOptions.quiet)
        let outcome: TrainingRun.Outcome
        do {
            outcome = try run.run(
                progress: { progress.report($0, criticSteps: config.training.criticSteps) },
                evaluated: { progress.note(Self.describe($0)) },
                shouldStop: { StopSignal.isRequested })
        } catch {
            throw Self.stopped(error, directory: run.directory, parallel: parallel)
        }
        ended = outcome == .completed ? .completed : .interrupted
        Self.reportReductions(parallel)
        switch outcome {
        case .completed:
            if config.training.evalEvery != nil {
                print("best checkpoint by \(config.data.mixture == nil ? "FID" : "reverse KL"): \(TrainingRun.bestCheckpointPath(run.directory))")
            }
            print("done: \(run.directory)/samples/\(String(format: "step-%06d.png", trainer.step)), checkpoint \(TrainingRun.checkpointPath(run.directory))")
        case .interrupted(let step):
            let within = trainer.pausedAt == .start ? "at step \(step)" : "during step \(step + 1), between its updates"
            print("\ninterrupted \(within); checkpoint saved. Continue with: \(Self.launcher(parallel))gan train --resume \(run.directory)")
            throw ExitCode(130)
        }
    }
}

extension TrainCommand {
    /// `--eval-metrics` as metrics (none when not given).
    /// - Throws: `ValidationError` naming an unknown metric.
    func parsedEvalMetrics() throws -> [EvalMetric] {
        guard let evalMetrics else { return [] }
        return try evalMetrics.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let metric = EvalMetric(rawValue: trimmed) else {
                throw ValidationError(
                    "unknown --eval-metrics entry '\(trimmed)' (choose from \(EvalMetric.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return metric
        }
    }
}

/// What a data-parallel run adds to the command's output.
extension TrainCommand {
    /// `  2 ranks x batch 32` under mpirun, else nothing.
    static func ranksNote(_ parallel: DataParallel?, batch: Int) -> String {
        parallel.map { $0.size > 1 ? "  \($0.size) ranks x batch \(batch)" : "" } ?? ""
    }

    /// `mpirun -np K ` under mpirun (for the resume hint), else nothing.
    static func launcher(_ parallel: DataParallel?) -> String {
        parallel.map { $0.size > 1 ? "mpirun -np \($0.size) " : "" } ?? ""
    }

    /// `--run-dir`, else `base` (with --overwrite) or the first unused of `base`, `base-2`, … as rank 0 sees them.
    func runDirectory(default base: String, parallel: DataParallel?) throws -> String {
        if let runDir { return runDir }
        let chosen = overwrite ? base : TrainingRun.unusedDirectory(base)
        guard let parallel, parallel.size > 1 else { return chosen }
        return String(decoding: try parallel.communicator.broadcast(bytes: Array(chosen.utf8)), as: UTF8.self)
    }

    /// Rank 0's `count` on every rank (for steps from --epochs: ranks whose data differ are then
    /// told so by the data check instead of by a configuration that differs in its steps).
    static func rootCount(_ count: Int, _ parallel: DataParallel?) throws -> Int {
        guard let parallel, parallel.size > 1 else { return count }
        let bytes = try parallel.communicator.broadcast(bytes: withUnsafeBytes(of: UInt64(count).littleEndian, Array.init))
        return Int(bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
    }

    /// The kind of the run in `directory`, as rank 0 (which alone needs the directory) reads it.
    /// Every rank of a job calls it, resuming or not: a rank that starts while rank 0 resumes is
    /// refused by the agreement that follows.
    static func runKind(of directory: String?, parallel: DataParallel?) throws -> RunKind? {
        guard let parallel, parallel.size > 1 else { return directory.map { RunKind.of(directory: $0) } }
        let names: [RunKind: String] = [.gan: "gan", .translation: "translation", .cyclegan: "cyclegan"]
        let mine = directory.map { names[RunKind.of(directory: $0)]! } ?? ""
        let root = String(decoding: try parallel.communicator.broadcast(bytes: Array(mine.utf8)), as: UTF8.self)
        guard directory != nil else { return nil }
        return names.first { $0.value == root }?.key ?? .gan
    }

    /// The all-reduce volume and time, and the ranks' common weight checksum, after a data-parallel run.
    static func reportReductions(_ parallel: DataParallel?) {
        guard let parallel, parallel.size > 1 else { return }
        let volume = String(
            format: "allreduce: %.1f MB in %d calls, %.2f s", Double(parallel.reducedBytes) / 1e6, parallel.reductions, parallel.reductionSeconds)
        print(volume + (parallel.finalChecksum.map { "; weights identical on \(parallel.size) ranks (checksum \(String($0, radix: 16)))" } ?? ""))
    }

    /// The error that ended training: an agreement's as it is; any other
    /// with where the checkpoint stands (a diverged step is seen by every
    /// rank alike: the loss and gradients are averaged before the check).
    static func stopped(_ error: any Error, directory: String, parallel: DataParallel?) -> any Error {
        if error is DistributedError { return error }
        // Only rank 0 has the run directory to tell of.
        var stopped = (parallel?.rank ?? 0) == 0 ? trainingStopped(error, directory: directory, launcher: launcher(parallel)) : CLIError("\(error)")
        stopped.sharedByAllRanks = error is TrainingError
        return stopped
    }
}

/// A one-line error for the command line (printed as `Error: …`, exit code 1).
extension TrainCommand {
    /// One line for an evaluation during training.
    static func describe(_ evaluation: TrainingEvaluation) -> String {
        // The class histogram goes to the logs and the dashboard, not the console line.
        let values = evaluation.values.filter { !$0.name.hasPrefix("eval/class/") }.map { name, value in
            "\(name.replacingOccurrences(of: "eval/", with: "")) \(String(format: "%.4g", value))"
        }
        return "eval at step \(evaluation.step): " + values.joined(separator: "  ") + (evaluation.isBest ? "  (best so far)" : "")
    }
}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    /// Whether every rank of a data-parallel job meets this error alike (then each ends normally, rank 0 reporting it).
    var sharedByAllRanks = false
    init(_ description: String, sharedByAllRanks: Bool = false) {
        self.description = description
        self.sharedByAllRanks = sharedByAllRanks
    }
}
