import Foundation
import SwiftGANTraining

/// The run directories a dashboard shows: one run (`gan serve --run R`),
/// or every run inside a folder (`gan serve --runs DIR`, listed anew on
/// each call, so runs started later appear). Runs are named by their
/// directory's name; a name is never a path.
public struct RunCatalog: Sendable {
    public enum Source: Sendable, Equatable {
        case run(String)
        case folder(String)
        /// No runs (the lab alone).
        case none
    }

    public let source: Source

    public init(_ source: Source) { self.source = source }

    /// The served runs, by name, in name order.
    public func runs() -> [(name: String, directory: String)] {
        switch source {
        case .none:
            return []
        case .run(let directory):
            return [(Self.name(of: directory), directory)]
        case .folder(let folder):
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return names.filter(Self.isValidName).sorted().compactMap { name in
                let directory = "\(folder)/\(name)"
                var status = stat()
                // Symbolic links are not followed out of the folder.
                guard lstat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR,
                    TrainingRun.isRunDirectory(directory) || FileManager.default.fileExists(atPath: "\(directory)/metrics.jsonl")
                else { return nil }
                return (name, directory)
            }
        }
    }

    /// The directory of the run called `name`, or nil when no served run has that name.
    public func directory(named name: String) -> String? {
        guard Self.isValidName(name) else { return nil }
        return runs().first { $0.name == name }?.directory
    }

    /// Whether `name` can name a run: not empty, not hidden, no separators, at most 255 bytes.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 255 && !name.hasPrefix(".") && !name.contains("/") && !name.contains("\0")
    }

    /// A directory's last path component ("run" for `/`).
    public static func name(of directory: String) -> String {
        let trimmed = directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory
        let name = (trimmed as NSString).lastPathComponent
        return isValidName(name) ? name : "run"
    }
}

/// Why a request for a file inside a run was refused.
public enum RunFileRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLong(Int)
    case absolute
    case traversal
    case hidden
    case outsideRun
    case notFound
    case notAFile

    /// The HTTP status a server answers with.
    public var status: Int {
        switch self {
        case .tooLong: 414
        case .notFound: 404
        default: 403
        }
    }

    public var description: String {
        switch self {
        case .tooLong(let length): "path of \(length) bytes is longer than \(RunFilePath.maximumPathLength)"
        case .absolute: "absolute path"
        case .traversal: "path with '..', '.' or an empty component"
        case .hidden: "hidden file"
        case .outsideRun: "path leads outside the run directory (symbolic link)"
        case .notFound: "no such file"
        case .notAFile: "not a regular file"
        }
    }
}

/// Resolving a request path to a file inside a run directory.
public enum RunFilePath {
    /// The longest relative path accepted, in bytes.
    public static let maximumPathLength = 512

    /// The real path of `relative` (already percent-decoded) inside
    /// `directory`: refused when it is absolute, has `..`, `.` or empty
    /// components, names a hidden file (lock, temporaries), leads through a
    /// symbolic link out of the run, or is not a regular file.
    public static func resolve(_ relative: String, in directory: String) -> Result<String, RunFileRefusal> {
        let length = relative.utf8.count
        guard length <= maximumPathLength else { return .failure(.tooLong(length)) }
        guard !relative.hasPrefix("/") else { return .failure(.absolute) }
        let components = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !components.isEmpty, !relative.contains("\0"), !relative.contains("\\"),
            components.allSatisfy({ !$0.isEmpty && $0 != ".." && $0 != "." })
        else { return .failure(.traversal) }
        guard components.allSatisfy({ !$0.hasPrefix(".") }) else { return .failure(.hidden) }
        guard let root = realPath(directory) else { return .failure(.notFound) }
        guard let target = realPath("\(directory)/\(relative)") else { return .failure(.notFound) }
        guard target.hasPrefix(root == "/" ? "/" : root + "/") else { return .failure(.outsideRun) }
        var status = stat()
        guard stat(target, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return .failure(.notAFile) }
        return .success(target)
    }

    /// The real path of `name` inside the run (`config.json`, a checkpoint),
    /// or nil when it is absent or refused (a link out of the run, not a
    /// regular file): what a viewer reads goes through the same checks as
    /// what it serves.
    public static func inside(_ name: String, of directory: String) -> String? {
        if case .success(let path) = resolve(name, in: directory) { return path }
        return nil
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
