import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// A translation run directory, laid out as a GAN run's:
///
/// ```
/// runs/NAME/
///   config.json                  task, networks, training and data (with a "task" key)
///   checkpoint.safetensors       all state for exact resume (atomic writes)
///   samples/step-000500.png      rows of 8 fixed test inputs, G's outputs and the targets
///   metrics.jsonl                one JSON object per logged step
///   events.out.tfevents.*        TensorBoard scalars and sample images
/// ```
public final class TranslationRun {
    public let directory: String
    public let trainer: TranslationTrainer
    /// The fixed pairs rendered into sample grids (the first 8 test pairs, or training pairs without a test split).
    public let preview: PairedDataset
    /// The run's files: rank 0's alone in data-parallel training (nil on the other ranks).
    private let files: RunFiles?

    private init(directory: String, trainer: TranslationTrainer, preview: PairedDataset, lock: DirectoryLock?, resumed: Bool) throws {
        self.directory = directory
        self.trainer = trainer
        self.preview = preview
        files = try lock.map { try RunFiles(directory: directory, lock: $0, resumedAt: resumed ? trainer.step : nil) }
    }

    /// Starts a new run in `directory`; the old run (with `overwrite`) is
    /// removed only after the data loaded and the configuration proved good.
    /// - Throws: `FileError` for the directory or the data, `TrainingError.invalidConfiguration`.
    /// With `parallel` of more than one rank, as `DistributedRun.start` says.
    public static func start(directory: String, config: TranslationConfig, overwrite: Bool = false, parallel: DataParallel? = nil) throws
        -> TranslationRun
    {
        let (trainer, preview, lock) = try DistributedRun.open(
            starting: directory, config: config.encoded, overwrite: overwrite, parallel: parallel
        ) { try make(config, parallel: $0) }
        return try TranslationRun(directory: directory, trainer: trainer, preview: preview, lock: lock, resumed: false)
    }

    /// Reopens the run in `directory` at its checkpoint; `steps` sets a new total.
    public static func resume(directory: String, steps: Int? = nil, parallel: DataParallel? = nil) throws -> TranslationRun {
        func read() throws -> TranslationConfig {
            var config = try TranslationConfig.read(TrainingRun.configPath(directory))
            if let steps { config.training.steps = try RunDirectory.checkedSteps(steps) }
            return config
        }
        let (trainer, preview, lock) = try DistributedRun.open(
            resuming: directory, steps: steps, parallel: parallel, read: read, make: { try make($0, parallel: $1) })
        return try TranslationRun(directory: directory, trainer: trainer, preview: preview, lock: lock, resumed: true)
    }

    private static func make(_ config: TranslationConfig, parallel: DataParallel? = nil) throws -> (TranslationTrainer, PairedDataset) {
        let training = try config.data.load(split: .train)
        let trainer = try TranslationTrainer(config: config, dataset: training, parallel: parallel)
        // A folder without a test split previews training pairs; any other problem with the split is an error.
        let hasTest = config.data.task != nil || PairedFolder.hasSplit(directory: config.data.path ?? "", split: "test")
        let test = hasTest ? try config.data.load(split: .test, limit: 8) : training.prefix(8).centreCropped()
        guard test.inputImages.imageShape == trainer.config.model.inputShape, test.targetImages.imageShape == trainer.config.model.outputShape
        else {
            throw TrainingError.invalidConfiguration(
                "the test pairs are \(test.inputShape) → \(test.outputShape) but the training pairs "
                    + "\(trainer.config.model.inputShape) → \(trainer.config.model.outputShape)")
        }
        return (trainer, test.prefix(8))
    }

    /// Trains to the configured total, logging, rendering samples and
    /// checkpointing on their schedules and at the end; `shouldStop` saves a
    /// checkpoint and returns `.interrupted`.
    /// - Throws: `TrainingError.diverged` (the checkpoint on disk stays the last good one), or file errors.
    public func run(progress: ([String: Float]) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws -> TrainingRun.Outcome {
        let training = trainer.config.training
        let loop = RunLoop(
            steps: training.steps, logEvery: training.logEvery, sampleEvery: training.sampleEvery, checkpointEvery: training.checkpointEvery,
            files: files)
        return try DistributedRun.agreeingOnStops(trainer.parallel, shouldStop) { stop in
            try loop.run(
                step: { trainer.step }, train: { try trainer.trainStep() }, scalars: RunLoop.sorted, render: renderSamples, save: saveCheckpoint,
                afterStep: { try DistributedRun.checkWeights(trainer, step: $0, total: training.steps) },
                progress: files == nil ? { _ in } : progress, shouldStop: stop)
        }
    }

    /// Writes `checkpoint.safetensors` atomically (rank 0; a collective in data-parallel training).
    public func saveCheckpoint() throws {
        try trainer.gatherRankStreams()
        guard let files else { return }
        try files.writeCheckpoint(trainer.checkpoint())
    }

    /// Renders the preview pairs to `samples/step-NNNNNN.png` and TensorBoard (rank 0).
    public func renderSamples() throws {
        guard let files else { return }
        let outputs = trainer.translate(preview.inputs)
        let grid = TranslationGrid.make(inputs: preview.inputs, outputs: outputs, targets: preview.targets)
        try files.writeSamples(ImageGrid.pngImage(grid), step: trainer.step)
    }
}

/// Sample grids for translation: a row of inputs, a row of outputs, and
/// (when given) a row of targets, each `nrow` wide.
public enum TranslationGrid {
    /// `[C, H', W']` in [-1, 1]; gray rows become RGB when another row is
    /// colour, and smaller inputs are enlarged (nearest neighbour) to the outputs' size.
    public static func make(inputs: Tensor, outputs: Tensor, targets: Tensor?) -> Tensor {
        let channels = Swift.max(inputs.shape[1], outputs.shape[1])
        func prepared(_ images: Tensor) -> Tensor {
            var result = images
            if result.shape[2] < outputs.shape[2] { result = result.upsampleNearest(scale: outputs.shape[2] / result.shape[2]) }
            if result.shape[1] < channels { result = concat(Array(repeating: result, count: channels), axis: 1) }
            return result
        }
        return withoutGradients {
            let rows = [inputs, outputs] + (targets.map { [$0] } ?? [])
            return ImageGrid.make(concat(rows.map(prepared), axis: 0), nrow: inputs.shape[0])
        }
    }
}
