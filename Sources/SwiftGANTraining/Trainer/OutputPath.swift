import Foundation
import SwiftGANTensor

/// The check for a file a command was asked to write (`--out`, `--grid`):
/// it must be a regular file or absent, its directory must exist, and it
/// must not be one of a run directory's own files (`gan export --out
/// runs/x/checkpoint.safetensors` would destroy the run).
public enum OutputPath {
    /// Throws unless `path` may be written.
    /// - Throws: `FileError` naming the path and why not.
    public static func check(_ path: String) throws {
        try AtomicFile.checkReplaceable(path)
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent
        let parent = url.deletingLastPathComponent().resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError(file: path, problem: "cannot be written: no such directory \(parent.path)")
        }
        if RunDirectory.isRun(parent.path) && RunDirectory.isRunEntry(name) {
            throw FileError(file: path, problem: "is the run's own \(name) in \(parent.path); refusing to replace it: write outputs elsewhere")
        }
        let grandparent = parent.deletingLastPathComponent().path
        if parent.lastPathComponent == "samples" && RunDirectory.isRun(grandparent) {
            throw FileError(file: path, problem: "is inside the samples of the run in \(grandparent); write outputs elsewhere")
        }
    }
}
