import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// A run directory and the training that writes it:
///
/// ```
/// runs/NAME/
///   config.json                  model, training and data configuration
///   checkpoint.safetensors       all state for exact resume (atomic writes)
///   samples/step-000500.png      the fixed noise batch every N steps
///   metrics.jsonl                one JSON object per logged step
///   events.out.tfevents.*        TensorBoard scalars and sample images
///   best.safetensors             with --eval-every: the checkpoint with the best FID
/// ```
public final class TrainingRun {
    /// How `run` ended.
    public enum Outcome: Equatable, Sendable {
        case completed
        /// Stopped on request (SIGINT/SIGTERM) after saving a checkpoint.
        case interrupted(step: Int)
    }

    public let directory: String
    public let trainer: Trainer
    /// The run's files: rank 0's alone in data-parallel training (nil on the other ranks, which write nothing).
    private let files: RunFiles?
    private let evaluator: TrainingEvaluator?
    private var bestScore: Double?

    public static func configPath(_ directory: String) -> String { "\(directory)/config.json" }

    /// Where a new run goes when no directory is named: `base` when it is
    /// absent or empty, else the first of `base-2`, `base-3`, … that is, so a
    /// second `gan train` never refuses or replaces the first one's run.
    public static func unusedDirectory(_ base: String) -> String {
        func isFree(_ path: String) -> Bool {
            var status = stat()
            guard lstat(path, &status) == 0 else { return true }
            let contents = (try? RunDirectory.entries(path)) ?? ["?"]
            return status.st_mode & S_IFMT == S_IFDIR && contents.allSatisfy { $0 == DirectoryLock.fileName || RunDirectory.isTemporary($0) }
        }
        var candidate = base
        var suffix = 2
        while !isFree(candidate) {
            candidate = "\(base)-\(suffix)"
            suffix += 1
        }
        return candidate
    }
    public static func checkpointPath(_ directory: String) -> String { "\(directory)/checkpoint.safetensors" }
    public static func bestCheckpointPath(_ directory: String) -> String { "\(directory)/\(TrainingEvaluator.bestFileName)" }

    init(directory: String, trainer: Trainer, evaluator: TrainingEvaluator?, lock: DirectoryLock?, resumed: Bool) throws {
        self.directory = directory
        self.trainer = trainer
        self.evaluator = evaluator
        files = try lock.map { try RunFiles(directory: directory, lock: $0, resumedAt: resumed ? trainer.step : nil) }
        bestScore = lock == nil ? nil : TrainingEvaluator.recordedBest(directory: directory, step: trainer.step)
    }

    /// Starts a new run in `directory`.
    /// - Throws: `FileError` when the directory already holds a run (unless
    ///   `overwrite`), holds anything but a run, data cannot be loaded, or
    ///   files cannot be written; `TrainingError.invalidConfiguration` for a
    ///   bad configuration. An old run is replaced only after the data and the
    ///   configuration proved good and the new run's first checkpoint is written.
    ///   With `parallel` of more than one rank, see `DistributedRun.start`.
    public static func start(directory: String, config: RunConfig, overwrite: Bool = false, parallel: DataParallel? = nil) throws -> TrainingRun {
        let (trainer, evaluator, lock) = try DistributedRun.open(
            starting: directory, config: config.encoded, overwrite: overwrite, parallel: parallel
        ) { try make(config, parallel: $0) }
        return try TrainingRun(directory: directory, trainer: trainer, evaluator: evaluator, lock: lock, resumed: false)
    }

    /// Reopens the run in `directory` at its checkpoint; `steps` sets a new total.
    /// - Throws: `FileError` naming a missing directory, config or checkpoint,
    ///   or a directory another process is writing.
    ///   With `parallel` of more than one rank, see `DistributedRun.resume`.
    public static func resume(directory: String, steps: Int? = nil, parallel: DataParallel? = nil) throws -> TrainingRun {
        let (trainer, evaluator, lock) = try DistributedRun.open(
            resuming: directory, steps: steps, parallel: parallel, read: { try readConfig(directory, steps: steps) },
            make: { try make($0, parallel: $1) })
        return try TrainingRun(directory: directory, trainer: trainer, evaluator: evaluator, lock: lock, resumed: true)
    }

    /// The run's `config.json`, with `steps` as its new total.
    static func readConfig(_ directory: String, steps: Int?) throws -> RunConfig {
        var config = try RunConfig.read(configPath(directory))
        if let steps { config.training.steps = try RunDirectory.checkedSteps(steps) }
        return config
    }

    static func make(_ config: RunConfig, parallel: DataParallel? = nil) throws -> (Trainer, TrainingEvaluator?) {
        if let problem = config.data.validationProblem() { throw TrainingError.invalidConfiguration(problem) }
        let dataset = try config.data.load(seed: config.training.seed)
        let trainer = try Trainer(config: config, dataset: dataset, parallel: parallel)
        // Only rank 0 evaluates.
        let evaluates = config.training.evalEvery != nil && (parallel?.rank ?? 0) == 0
        return (trainer, evaluates ? try TrainingEvaluator(config: config) : nil)
    }

    /// Trains to the configured total, logging every `logEvery` steps,
    /// rendering samples and checkpointing on their schedules and at the end.
    ///
    /// - Parameters:
    ///   - progress: called after every step (for progress bars).
    ///   - shouldStop: polled between steps and between a step's updates
    ///     (critic steps); when it returns true the run saves a checkpoint
    ///     (of the paused step, if inside one: a resume finishes it exactly)
    ///     and returns `.interrupted`.
    /// - Throws: `TrainingError.diverged` (the checkpoint on disk stays the
    ///   last good one), or file errors.
    ///   - evaluated: called after each `--eval-every` evaluation.
    public func run(
        progress: (StepMetrics) -> Void = { _ in }, evaluated: (TrainingEvaluation) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> Outcome {
        let training = trainer.config.training
        let loop = RunLoop(
            steps: training.steps, logEvery: training.logEvery, sampleEvery: training.sampleEvery, checkpointEvery: training.checkpointEvery,
            files: files)
        return try DistributedRun.agreeingOnStops(trainer.parallel, shouldStop) { stop in
            try loop.run(
                step: { trainer.step }, train: { try trainer.trainStep(stoppingWhen: stop) }, scalars: \.named, render: renderSamples,
                save: saveCheckpoint,
                afterStep: { step in
                    try DistributedRun.checkWeights(trainer, step: step, total: training.steps)
                    if let evalEvery = training.evalEvery, step % evalEvery == 0 || step == training.steps {
                        try trainer.gatherRankStreams()  // for best.safetensors
                        if files != nil { evaluated(try evaluate()) }
                    }
                }, progress: files == nil ? { _ in } : progress, shouldStop: stop)
        }
    }

    /// Writes `checkpoint.safetensors` atomically (rank 0; a collective in data-parallel training).
    public func saveCheckpoint() throws {
        try trainer.gatherRankStreams()
        guard let files else { return }
        try files.writeCheckpoint(trainer.checkpoint())
    }

    /// Evaluates the sampling generator now (`--eval-every`), logs the values
    /// and writes `best.safetensors` when the score improves.
    /// - Precondition: the run was configured with `evalEvery`.
    public func evaluate() throws -> TrainingEvaluation {
        guard let evaluator, let files else { throw TrainingError.invalidConfiguration("evaluation needs --eval-every (and runs on rank 0)") }
        let step = trainer.step
        let (values, score) = evaluator.evaluate(trainer.samplingGenerator(), step: step)
        try files.metrics.append(step: step, values.map { ($0.name, $0.value) })
        try files.tensorboard.scalars(values.map { ($0.name, Float($0.value)) }, step: step)
        let isBest = score.isFinite && (bestScore.map { score < $0 } ?? true)
        if isBest {
            var contents = try trainer.checkpoint()
            contents.metadata["swiftgan.best_score"] = String(score)
            contents.metadata["swiftgan.best_metric"] = evaluator.scoreName
            try files.writeCheckpoint(contents, name: TrainingEvaluator.bestFileName)
            bestScore = score
        }
        return TrainingEvaluation(step: step, values: values, score: score, isBest: isBest)
    }

    /// Renders the fixed noise batch to `samples/step-NNNNNN.png` and TensorBoard.
    public func renderSamples() throws {
        guard let files else { return }
        let samples = trainer.sample(trainer.fixedLatents, labels: trainer.fixedLabels)
        let image: Tensor
        if trainer.config.model.kind == .mlp2d {
            image = ScatterPlot.render(points: samples.reshaped([-1, 2]), modes: trainer.config.data.mixture?.modes ?? [])
        } else {
            let classes = Swift.min(trainer.config.model.classCount, 16)
            if trainer.config.model.isConditional, let rows = ImageGrid.classRows(samples, classes: classes) {
                image = ImageGrid.make(rows.images, nrow: rows.nrow)  // one row per class
            } else {
                image = ImageGrid.make(samples, nrow: 8)
            }
        }
        try files.writeSamples(ImageGrid.pngImage(image), step: trainer.step)
    }
}

/// Renders 2-D points as an image: mode centres as gray crosses, samples as white dots.
public enum ScatterPlot {
    /// `[1, size, size]` in [-1, 1] covering the points' extent (at least ±1.5 around the modes).
    public static func render(points: Tensor, modes: [(x: Float, y: Float)], size: Int = 256) -> Tensor {
        var canvas = [Float](repeating: -1, count: size * size)
        let values = points.scalars
        let extent = Swift.max(1.5, (modes.map { Swift.max(Swift.abs($0.x), Swift.abs($0.y)) }.max() ?? 0) + 1)
        func pixel(_ x: Float, _ y: Float) -> (Int, Int)? {
            let column = Int((x / extent + 1) / 2 * Float(size - 1))
            let row = Int((1 - y / extent) / 2 * Float(size - 1))
            return column >= 0 && column < size && row >= 0 && row < size ? (row, column) : nil
        }
        for mode in modes {
            guard let (row, column) = pixel(mode.x, mode.y) else { continue }
            for offset in -4...4 {
                if column + offset >= 0 && column + offset < size { canvas[row * size + column + offset] = 0 }
                if row + offset >= 0 && row + offset < size { canvas[(row + offset) * size + column] = 0 }
            }
        }
        for index in stride(from: 0, to: values.count - 1, by: 2) {
            if let (row, column) = pixel(values[index], values[index + 1]) { canvas[row * size + column] = 1 }
        }
        return Tensor(canvas, shape: [1, size, size])
    }
}
