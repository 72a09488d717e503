import Foundation
import SwiftGANNN
import SwiftGANTensor

/// How every kind of run directory is started, replaced and resumed.
///
/// A run directory is recognised by its marker file (`.swiftgan-run`) or,
/// for runs written before the marker, by a checkpoint whose metadata has
/// a SwiftGAN step. One process writes it at a time (`DirectoryLock`).
/// `--overwrite` replaces only a recognised run that holds nothing but
/// what a run writes, and only once the new run is validated and its
/// first checkpoint written: the new run is built in a hidden sibling
/// directory and swapped in by two renames.
enum RunDirectory {
    /// The marker file's name.
    static let markerName = ".swiftgan-run"

    /// Whether `name` is something a run writes into its directory.
    static func isRunEntry(_ name: String) -> Bool {
        [
            "config.json", "checkpoint.safetensors", TrainingEvaluator.bestFileName, "metrics.jsonl", "samples", markerName, DirectoryLock.fileName,
            RunRecord.fileName
        ]
        .contains(name) || name.hasPrefix("events.out.tfevents.") || isTemporary(name)
    }

    /// Whether `name` is a sample grid a run writes into `samples/` (`step-NNNNNN.png`).
    static func isSampleGrid(_ name: String) -> Bool {
        name.hasPrefix("step-") && name.hasSuffix(".png") && name.dropFirst(5).dropLast(4).allSatisfy(\.isNumber)
    }

    /// Whether `name` is an `AtomicFile` temporary of a file a run writes.
    static func isTemporary(_ name: String) -> Bool {
        guard name.hasPrefix("."), let range = name.range(of: ".tmp-") else { return false }
        let target = String(name[name.index(after: name.startIndex)..<range.lowerBound])
        return target != "samples" && isRunEntry(target) || isSampleGrid(target)
    }

    /// Whether `directory` holds a SwiftGAN run (its marker, or a checkpoint with SwiftGAN metadata).
    static func isRun(_ directory: String) -> Bool {
        if FileManager.default.fileExists(atPath: "\(directory)/\(markerName)") { return true }
        let metadata = try? SafeTensors.readMetadata(TrainingRun.checkpointPath(directory))
        return metadata?["swiftgan.step"] != nil
    }

    /// Checks that `directory` may receive a new run and says whether it holds one to replace.
    /// - Returns: true when `directory` is a run that `overwrite` replaces; false when it is absent or empty.
    /// - Throws: `FileError` for a non-empty directory without `overwrite`, a
    ///   file, a symbolic link, or (with `overwrite`) a directory that is not
    ///   recognisably a run or holds files a run does not write.
    static func checkReplaceable(_ directory: String, overwrite: Bool) throws -> Bool {
        var status = stat()
        guard lstat(directory, &status) == 0 else { return false }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            let what = status.st_mode & S_IFMT == S_IFLNK ? "a symbolic link" : "not a directory"
            throw FileError(file: directory, problem: "is \(what); give a run directory (absent, empty or a SwiftGAN run)")
        }
        // A lock file and temporaries alone (a start that died before writing anything) count as empty.
        let contents = try entries(directory).filter { $0 != DirectoryLock.fileName && !isTemporary($0) }
        guard !contents.isEmpty else { return false }
        guard overwrite else {
            throw FileError(file: directory, problem: "already exists and is not empty; pass --overwrite to replace it or --resume to continue it")
        }
        guard isRun(directory) else {
            throw FileError(file: directory, problem: "is not a SwiftGAN run directory (no \(markerName) and no SwiftGAN checkpoint); refusing to overwrite it")
        }
        func kind(_ path: String) -> mode_t {
            var status = stat()
            return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : 0
        }
        // Each entry must be what a run writes there: regular files, and samples/ a directory of sample grids.
        let samples = kind("\(directory)/samples") == S_IFDIR ? try entries("\(directory)/samples") : []
        let foreign =
            contents.filter { !isRunEntry($0) || kind("\(directory)/\($0)") != ($0 == "samples" ? S_IFDIR : S_IFREG) }
            + samples.filter { !(isSampleGrid($0) || isTemporary($0)) || kind("\(directory)/samples/\($0)") != S_IFREG }.map { "samples/\($0)" }
        guard foreign.isEmpty else {
            let listed = foreign.sorted().prefix(5).joined(separator: ", ") + (foreign.count > 5 ? ", …" : "")
            throw FileError(
                file: directory,
                problem: "holds files a run does not write (\(listed)); refusing to overwrite it: move them away or choose another --run-dir")
        }
        return true
    }

    /// Before a resume: finishes a replacement a crash interrupted, then checks that `directory` exists.
    static func checkResumable(_ directory: String) throws {
        try RunSwap.recover(directory)
        try checkExisting(directory)
    }

    /// Throws unless `directory` exists and is a directory.
    static func checkExisting(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw FileError(file: directory, problem: "no such run directory")
        }
        guard isDirectory.boolValue else { throw FileError(file: directory, problem: "is a file, not a run directory") }
    }

    /// The names in `directory`.
    static func entries(_ directory: String) throws -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw FileError(file: directory, problem: "cannot list the directory: \(String(cString: strerror(errno)))")
        }
    }

    /// Creates `directory` and its parents.
    static func create(_ directory: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw FileError(file: directory, problem: "cannot create the run directory: \(String(cString: strerror(errno)))")
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
    /// Whether the checkpointed state is inside a paused step (see `Trainer.trainStep(stoppingWhen:)`).
    var isMidStep: Bool { get }
    /// All state for exact resume.
    func checkpoint() throws -> SafeTensors.Contents
    /// Restores a checkpoint written for the same configuration.
    func restore(_ contents: SafeTensors.Contents, file: String) throws
}

extension DirectoryTrainer {
    var isMidStep: Bool { false }
}

extension RunDirectory {
    /// A new run: checks that `directory` may be used (holding its lock
    /// when it is a run to replace), builds the trainer (loading the data),
    /// writes the marker, `config.json` and the step-0 checkpoint, and only
    /// then puts the new run in place of the old one.
    /// - Returns: the trainer, what `make` returned beside it, and the new run's lock.
    static func start<Trainer: DirectoryTrainer, Extra>(
        _ directory: String, overwrite: Bool, make: () throws -> (Trainer, Extra)
    ) throws -> (Trainer, Extra, DirectoryLock) {
        try RunSwap.recover(directory)
        let replacing = try checkReplaceable(directory, overwrite: overwrite)
        // Nobody resumes the old run while the new one is validated.
        let oldLock = replacing ? try DirectoryLock(directory: directory) : nil
        let (trainer, extra) = try make()
        let target = replacing ? RunSwap.stagingPath(directory) : directory
        let existed = FileManager.default.fileExists(atPath: target)
        try create(target)
        let lock = try DirectoryLock(directory: target)
        // Another process may have started a run here since the check: leave it alone.
        guard try entries(target).allSatisfy({ $0 == DirectoryLock.fileName || isTemporary($0) }) else {
            throw FileError(file: directory, problem: "another run was started here meanwhile; refusing to mix two runs")
        }
        var written: [String] = []
        do {
            try AtomicFile.write(Array("SwiftGAN run directory\n".utf8), to: "\(target)/\(markerName)")
            written.append(markerName)
            try AtomicFile.write(trainer.encodedConfig(), to: TrainingRun.configPath(target))
            written.append("config.json")
            let checkpoint = try trainer.checkpoint()
            try SafeTensors.write(checkpoint.tensors, metadata: checkpoint.metadata, to: TrainingRun.checkpointPath(target))
            written.append("checkpoint.safetensors")
            // The user may have added files to the old run while the data loaded.
            if replacing { _ = try checkReplaceable(directory, overwrite: true) }
        } catch {
            // Only what this call wrote goes: the staging directory, or the files (and a directory it created).
            if replacing {
                try? FileManager.default.removeItem(atPath: target)
            } else {
                for name in written { unlink("\(target)/\(name)") }
                if !existed, (try? entries(target)) == [DirectoryLock.fileName] { try? FileManager.default.removeItem(atPath: target) }
            }
            throw error
        }
        if replacing { try RunSwap.swap(staging: target, into: directory) }
        withExtendedLifetime(oldLock) {}
        return (trainer, extra, lock)
    }

    /// A resumed run: takes the lock, reads the checkpoint, builds the
    /// trainer, restores it, checks it is not past its total and rewrites
    /// `config.json` (and the marker, for runs written before it).
    static func resume<Trainer: DirectoryTrainer, Extra>(
        _ directory: String, make: () throws -> (Trainer, Extra)
    ) throws -> (Trainer, Extra, DirectoryLock) {
        try checkResumable(directory)
        let lock = try DirectoryLock(directory: directory)
        for name in try entries(directory) where isRunEntry(name) && name != DirectoryLock.fileName {
            var status = stat()
            if lstat("\(directory)/\(name)", &status) == 0 && status.st_mode & S_IFMT == S_IFLNK {
                throw FileError(file: "\(directory)/\(name)", problem: "is a symbolic link; a run's own files must be inside the run, refusing to resume")
            }
        }
        let checkpointPath = TrainingRun.checkpointPath(directory)
        let checkpoint = try SafeTensors.read(checkpointPath)
        let (trainer, extra) = try make()
        try trainer.restore(checkpoint, file: checkpointPath)
        guard trainer.step < trainer.totalSteps || trainer.step == trainer.totalSteps && !trainer.isMidStep else {
            throw TrainingError.invalidConfiguration(
                "the checkpoint is at step \(trainer.step)\(trainer.isMidStep ? " (inside step \(trainer.step + 1))" : ""), "
                    + "past the requested total \(trainer.totalSteps)")
        }
        try AtomicFile.write(trainer.encodedConfig(), to: TrainingRun.configPath(directory))
        try AtomicFile.write(Array("SwiftGAN run directory\n".utf8), to: "\(directory)/\(markerName)")
        return (trainer, extra, lock)
    }

    /// A new total of steps from `--steps` for a resumed run.
    static func checkedSteps(_ steps: Int) throws -> Int {
        guard steps > 0 else { throw TrainingError.invalidConfiguration("steps \(steps) must be at least 1") }
        return steps
    }
}
