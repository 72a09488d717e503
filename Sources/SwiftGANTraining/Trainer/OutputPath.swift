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

    /// Throws unless `path` may receive a folder of new files (`gan sample --out-dir`):
    /// absent with an existing parent, or an empty directory; never a
    /// symbolic link, a run directory or a run's `samples/`.
    /// - Throws: `FileError` naming the path and why not.
    public static func checkDirectory(_ path: String) throws {
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw FileError(file: path, problem: "exists and is not a directory (a symbolic link or a file); give a new or empty directory")
            }
            if RunDirectory.isRun(path) { throw FileError(file: path, problem: "is a run directory; write outputs elsewhere") }
            let entries = try RunDirectory.entries(path)
            guard entries.isEmpty else {
                throw FileError(file: path, problem: "is not empty (\(entries.count) entries); give a new or empty directory so no file is replaced")
            }
        } else {
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw FileError(file: path, problem: "cannot be created: no such directory \(parent)")
            }
        }
        let url = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        if url.lastPathComponent == "samples" && RunDirectory.isRun(url.deletingLastPathComponent().path) {
            throw FileError(file: path, problem: "is the samples folder of the run in \(url.deletingLastPathComponent().path); write outputs elsewhere")
        }
    }
}
