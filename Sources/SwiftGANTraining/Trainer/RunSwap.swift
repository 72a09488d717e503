import Foundation
import SwiftGANTensor

/// Replacing a run directory by a complete new one with two renames:
/// the old run moves to a hidden sibling (`.NAME.replaced-PID`), the new
/// one (built in `.NAME.new-PID`) takes its name, and the old one is
/// deleted. A crash between the renames leaves both siblings, and the
/// next start or resume of `NAME` finishes the swap (`recover`).
enum RunSwap {
    /// The hidden sibling a new run for `directory` is built in.
    static func stagingPath(_ directory: String) -> String { sibling(directory, "new") }

    /// Puts `staging` in place of the run at `directory` and deletes the old run.
    /// - Throws: `FileError` when a rename fails (the old run is then back in place).
    static func swap(staging: String, into directory: String) throws {
        let replaced = sibling(directory, "replaced")
        guard rename(directory, replaced) == 0 else {
            let error = FileError(file: directory, problem: "cannot move the old run aside: \(String(cString: strerror(errno)))")
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        guard rename(staging, directory) == 0 else {
            let error = FileError(file: directory, problem: "cannot move the new run into place: \(String(cString: strerror(errno)))")
            _ = rename(replaced, directory)
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        try? FileManager.default.removeItem(atPath: replaced)
    }

    /// Finishes or undoes a swap a crash interrupted, and removes the
    /// leftovers of abandoned ones: a complete new run (marker and
    /// checkpoint) takes the missing name, else the old run returns to it.
    /// Siblings still locked by a live process are left alone.
    static func recover(_ directory: String) throws {
        let url = URL(fileURLWithPath: directory)
        let parent = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let siblings = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter {
            $0.hasPrefix(".\(name).new-") || $0.hasPrefix(".\(name).replaced-")
        }
        // Only siblings whose lock can be taken are abandoned.
        let abandoned = siblings.map { "\(parent)/\($0)" }.filter { (try? DirectoryLock(directory: $0)) != nil }
        if !FileManager.default.fileExists(atPath: directory) {
            let complete = abandoned.first { path in
                path.contains(".new-") && FileManager.default.fileExists(atPath: "\(path)/\(RunDirectory.markerName)")
                    && FileManager.default.fileExists(atPath: TrainingRun.checkpointPath(path))
            }
            if let restored = complete ?? abandoned.first(where: { $0.contains(".replaced-") }) {
                guard rename(restored, directory) == 0 else {
                    throw FileError(file: directory, problem: "cannot restore the interrupted replacement \(restored): \(String(cString: strerror(errno)))")
                }
            }
        }
        for path in abandoned where FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
    }

    private static func sibling(_ directory: String, _ kind: String) -> String {
        let url = URL(fileURLWithPath: directory)
        return "\(url.deletingLastPathComponent().path)/.\(url.lastPathComponent).\(kind)-\(getpid())"
    }
}
