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
            // Nothing moved: the old run is where it was.
            let error = FileError(file: directory, problem: "cannot move the old run aside: \(String(cString: strerror(errno)))")
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        guard rename(staging, directory) == 0 else {
            let reason = String(cString: strerror(errno))
            let restored = rename(replaced, directory) == 0
            let error = FileError(
                file: directory,
                problem: "cannot move the new run into place: \(reason)"
                    + (restored ? "" : "; the old run is in \(replaced) (the next start or resume of \(directory) puts it back)"))
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
        // Exactly the names `sibling` makes (a pid after the kind), holding a run (or only the lock, for a
        // start that died at once), whose lock (which must exist) can be taken: nobody is using them.
        let siblings = ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { entry in
            ["new", "replaced"].contains { kind in
                let prefix = ".\(name).\(kind)-"
                return entry.hasPrefix(prefix) && entry.count > prefix.count && entry.dropFirst(prefix.count).allSatisfy(\.isNumber)
            }
        }
        let abandoned = siblings.map { "\(parent)/\($0)" }.filter { path in
            guard (try? DirectoryLock(directory: path, create: false)) != nil else { return false }
            return RunDirectory.isRun(path) || (try? RunDirectory.entries(path)) == [DirectoryLock.fileName]
        }
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
