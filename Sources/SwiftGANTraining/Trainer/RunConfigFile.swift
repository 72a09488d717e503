import Foundation
import SwiftGANTensor

/// A run's `config.json`, as every kind of run writes and reads it: sorted,
/// indented keys and a final newline; read back with errors naming the file.
public protocol RunConfigFile: Codable {
    /// The kind of run, in error messages (`run`, `translation run`).
    static var configKind: String { get }
    /// Why a file that decoded is still not this kind of run, or nil.
    var kindProblem: String? { get }
    /// Why its values cannot be used (a negative width, a model larger
    /// than the machine's memory, an infinite learning rate), or nil.
    var valueProblem: String? { get }
}

extension RunConfigFile {
    public var kindProblem: String? { nil }

    /// The file's bytes.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }

    /// Reads `config.json` at `path`.
    /// - Throws: `FileError` naming the file when it is missing, invalid,
    ///   another kind of run's, or holds values that cannot be used.
    public static func read(_ path: String) throws -> Self {
        guard let bytes = try FileContents.readIfPresent(path) else {
            throw FileError(file: path, problem: "no such file (is this a run directory?)")
        }
        return try decode(Data(bytes), file: path)
    }

    /// Parses and checks the bytes of a `config.json` as `read` does; `path` names them in errors.
    public static func decode(_ data: Data, file path: String) throws -> Self {
        let config: Self
        do {
            config = try JSONDecoder().decode(Self.self, from: data)
        } catch {
            throw FileError(file: path, problem: "not a valid \(configKind) configuration: \(error)")
        }
        if let problem = config.kindProblem { throw FileError(file: path, problem: problem) }
        if let problem = config.valueProblem { throw FileError(file: path, problem: "invalid configuration: \(problem)") }
        return config
    }
}
