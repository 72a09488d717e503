import Foundation
import SwiftGANNN
import SwiftGANTensor

/// The checks and the clearing shared by every kind of new run directory.
/// A new run first checks that the directory may be used, then loads its
/// data and builds its trainer, and only then clears the old run: a bad
/// `--data` or configuration leaves the old run as it was.
enum RunDirectory {
    /// Throws unless `directory` is absent, empty, or (with `overwrite`) a run directory.
    static func checkReplaceable(_ directory: String, overwrite: Bool) throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: directory) else { return }
        let contents = (try? manager.contentsOfDirectory(atPath: directory)) ?? []
        guard !contents.isEmpty else { return }
        guard overwrite else {
            throw FileError(file: directory, problem: "already exists and is not empty; pass --overwrite to replace it or --resume to continue it")
        }
        guard contents.contains("config.json") else {
            throw FileError(file: directory, problem: "is not a SwiftGAN run directory; refusing to overwrite it")
        }
    }

    /// Empties (or creates) `directory` for a new run.
    static func clear(_ directory: String) throws {
        let manager = FileManager.default
        for entry in (try? manager.contentsOfDirectory(atPath: directory)) ?? [] {
            try manager.removeItem(atPath: "\(directory)/\(entry)")
        }
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Throws unless `directory` exists and is a directory.
    static func checkExisting(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError(file: directory, problem: "no such run directory")
        }
    }
}

/// What a run directory needs of its trainer to start and resume it.
protocol DirectoryTrainer: AnyObject {
    /// Steps taken.
    var step: Int { get }
    /// The configured total.
    var totalSteps: Int { get }
    /// `config.json`'s contents (the resolved configuration).
    func encodedConfig() throws -> [UInt8]
    /// Restores a checkpoint written for the same configuration.
    func restore(_ contents: SafeTensors.Contents, file: String) throws
}

extension RunDirectory {
    /// A new run: checks that `directory` may be used, builds the trainer
    /// (loading the data), and only then clears the old run and writes `config.json`.
    static func start<Trainer: DirectoryTrainer, Extra>(
        _ directory: String, overwrite: Bool, make: () throws -> (Trainer, Extra)
    ) throws -> (Trainer, Extra) {
        try checkReplaceable(directory, overwrite: overwrite)
        let made = try make()
        try clear(directory)
        try AtomicFile.write(made.0.encodedConfig(), to: TrainingRun.configPath(directory))
        return made
    }

    /// A resumed run: reads the checkpoint, builds the trainer, restores it,
    /// checks it is not past its total, rewrites `config.json` and drops
    /// logged steps after the checkpoint.
    static func resume<Trainer: DirectoryTrainer, Extra>(_ directory: String, make: () throws -> (Trainer, Extra)) throws -> (Trainer, Extra) {
        let checkpointPath = TrainingRun.checkpointPath(directory)
        let checkpoint = try SafeTensors.read(checkpointPath)
        let made = try make()
        let trainer = made.0
        try trainer.restore(checkpoint, file: checkpointPath)
        guard trainer.step <= trainer.totalSteps else {
            throw TrainingError.invalidConfiguration("the checkpoint is at step \(trainer.step), past the requested total \(trainer.totalSteps)")
        }
        try AtomicFile.write(trainer.encodedConfig(), to: TrainingRun.configPath(directory))
        try MetricsLog.truncate(path: "\(directory)/metrics.jsonl", afterStep: trainer.step)
        return made
    }

    /// A new total of steps from `--steps` for a resumed run.
    static func checkedSteps(_ steps: Int) throws -> Int {
        guard steps > 0 else { throw TrainingError.invalidConfiguration("steps \(steps) must be at least 1") }
        return steps
    }
}
