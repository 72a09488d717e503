import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// A CycleGAN run directory, laid out as every run's:
///
/// ```
/// runs/NAME/
///   config.json                  networks, training and data ("task": "cyclegan")
///   checkpoint.safetensors       all state for exact resume, both image pools included (atomic writes)
///   samples/step-000500.png      rows A | G(A) | F(G(A)) and B | F(B) | G(F(B)) for 8 fixed test images each
///   metrics.jsonl                one JSON object per logged step
///   events.out.tfevents.*        TensorBoard scalars and sample images
/// ```
public final class CycleGANRun {
    public let directory: String
    public let trainer: CycleGANTrainer
    /// The fixed test images rendered into sample grids (8 of each domain).
    public let preview: UnpairedDataset
    /// The run's files: rank 0's alone in data-parallel training (nil on the other ranks).
    private let files: RunFiles?

    private init(directory: String, trainer: CycleGANTrainer, preview: UnpairedDataset, lock: DirectoryLock?, resumed: Bool) throws {
        self.directory = directory
        self.trainer = trainer
        self.preview = preview
        files = try lock.map { try RunFiles(directory: directory, lock: $0, resumedAt: resumed ? trainer.step : nil) }
    }

    /// Starts a new run in `directory`; the old run (with `overwrite`) is
    /// removed only after both splits loaded and the configuration proved good.
    /// - Throws: `FileError` for the directory or the data, `TrainingError.invalidConfiguration`.
    /// With `parallel` of more than one rank, as `DistributedRun.start` says.
    public static func start(directory: String, config: CycleGANConfig, overwrite: Bool = false, parallel: DataParallel? = nil) throws
        -> CycleGANRun
    {
        let (trainer, preview, lock) = try DistributedRun.open(
            starting: directory, config: config.encoded, overwrite: overwrite, parallel: parallel
        ) { try make(config, parallel: $0) }
        return try CycleGANRun(directory: directory, trainer: trainer, preview: preview, lock: lock, resumed: false)
    }

    /// Reopens the run in `directory` at its checkpoint; `steps` sets a new total.
    public static func resume(directory: String, steps: Int? = nil, parallel: DataParallel? = nil) throws -> CycleGANRun {
        func read() throws -> CycleGANConfig {
            var config = try CycleGANConfig.read(TrainingRun.configPath(directory))
            if let steps { config.training.steps = try RunDirectory.checkedSteps(steps) }
            return config
        }
        let (trainer, preview, lock) = try DistributedRun.open(
            resuming: directory, steps: steps, parallel: parallel, read: read, make: { try make($0, parallel: $1) })
        return try CycleGANRun(directory: directory, trainer: trainer, preview: preview, lock: lock, resumed: true)
    }

    private static func make(_ config: CycleGANConfig, parallel: DataParallel? = nil) throws -> (CycleGANTrainer, UnpairedDataset) {
        let training = try config.data.load(split: .train)
        let trainer = try CycleGANTrainer(config: config, dataset: training, parallel: parallel)
        let test = try config.data.load(split: .test, limit: 8)
        guard test.shapeA == trainer.config.model.shapeA, test.shapeB == trainer.config.model.shapeB else {
            throw TrainingError.invalidConfiguration(
                "the test images are A \(test.shapeA), B \(test.shapeB) but the training images "
                    + "A \(trainer.config.model.shapeA), B \(trainer.config.model.shapeB)")
        }
        return (trainer, test)
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

    /// Renders the preview images to `samples/step-NNNNNN.png` and TensorBoard (rank 0).
    public func renderSamples() throws {
        guard let files else { return }
        let grid = CycleGANGrid.make(a: preview.domainA, b: preview.domainB, generatorAB: trainer.generatorAB, generatorBA: trainer.generatorBA)
        try files.writeSamples(ImageGrid.pngImage(grid), step: trainer.step)
    }
}

/// CycleGAN sample grids: rows A, G(A), F(G(A)), then B, F(B), G(F(B)),
/// gray rows shown as RGB when a domain is colour.
public enum CycleGANGrid {
    /// `[C, H', W']` in [-1, 1] for `a` `[n, CA, H, W]` and `b` `[n, CB, H, W]`.
    public static func make(a: Tensor, b: Tensor, generatorAB: ResNetGenerator, generatorBA: ResNetGenerator) -> Tensor {
        let count = Swift.min(a.shape[0], b.shape[0])
        let a = a.slice(axis: 0, start: 0, end: count)
        let b = b.slice(axis: 0, start: 0, end: count)
        let fakeB = CycleGANTrainer.translate(a, with: generatorAB)
        let fakeA = CycleGANTrainer.translate(b, with: generatorBA)
        let rows = [
            a, fakeB, CycleGANTrainer.translate(fakeB, with: generatorBA), b, fakeA, CycleGANTrainer.translate(fakeA, with: generatorAB)
        ]
        let channels = rows.map { $0.shape[1] }.max()!
        return withoutGradients {
            let coloured = rows.map { $0.shape[1] < channels ? concat(Array(repeating: $0, count: channels), axis: 1) : $0 }
            return ImageGrid.make(concat(coloured, axis: 0), nrow: count)
        }
    }
}
