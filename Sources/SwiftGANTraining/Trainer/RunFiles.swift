import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// The files one process writes into an open run directory, under the
/// run's lock: the logs (metrics and TensorBoard), sample grids in
/// `samples/` and checkpoints. Every write is whole or not at all, and
/// nothing is written through a symbolic link out of the run.
///
/// Opening a run cleans the temporaries a killed process left, and a
/// resumed run continues its logs from the checkpoint's step (the steps
/// logged after it are dropped, since they are trained again).
final class RunFiles {
    let directory: String
    let metrics: MetricsLog
    let tensorboard: TensorBoardWriter
    /// Whether the run was resumed (its step-0 samples were rendered by the process that started it).
    let isResumed: Bool
    private let lock: DirectoryLock

    /// Opens `directory`'s files; `resumedAt` is the checkpoint's step for a resumed run.
    /// - Throws: `FileError` naming a file that cannot be opened, or a `samples` that is not a directory inside the run.
    init(directory: String, lock: DirectoryLock, resumedAt step: Int?) throws {
        self.directory = directory
        self.lock = lock
        isResumed = step != nil
        let samples = "\(directory)/samples"
        var status = stat()
        if lstat(samples, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw FileError(
                    file: samples,
                    problem: "is \(status.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "not a directory"); refusing to write samples outside the run")
            }
        } else {
            try RunDirectory.create(samples)
        }
        for folder in [directory, samples] {
            for name in try RunDirectory.entries(folder) where RunDirectory.isTemporary(name) { unlink("\(folder)/\(name)") }
        }
        let metricsPath = "\(directory)/metrics.jsonl"
        if let step {
            try MetricsLog.truncate(path: metricsPath, afterStep: step)
            tensorboard = try TensorBoardWriter(continuing: directory, afterStep: step)
        } else {
            tensorboard = try TensorBoardWriter(directory: directory)
        }
        metrics = try MetricsLog(path: metricsPath)
    }

    /// Writes a sample grid as `samples/step-NNNNNN.png` and logs it to TensorBoard as `samples`.
    func writeSamples(_ picture: RasterImage, step: Int) throws {
        let png = try PNG.encode(picture)
        try AtomicFile.write(png, to: "\(directory)/samples/\(String(format: "step-%06d.png", step))")
        try tensorboard.image("samples", png: png, width: picture.width, height: picture.height, channels: picture.channels, step: step)
    }

    /// Writes `contents` as `name` (the checkpoint by default) and flushes the logs.
    func writeCheckpoint(_ contents: SafeTensors.Contents, name: String = "checkpoint.safetensors") throws {
        try SafeTensors.write(contents.tensors, metadata: contents.metadata, to: "\(directory)/\(name)")
        try tensorboard.flush()
    }
}
