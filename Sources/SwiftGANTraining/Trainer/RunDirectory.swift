import Foundation
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
