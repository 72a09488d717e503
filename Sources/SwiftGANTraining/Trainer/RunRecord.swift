import Foundation
import SwiftGANTensor

/// `run.json`: how a run directory came about, one entry per process that
/// started or resumed it (the command line, the host, the thread count and
/// the wall-clock start), so a viewer can show what produced the curves.
///
/// ```json
/// {"sessions": [{"command": ["gan", "train", "--steps", "500"], "host": "box", "threads": 2,
///                "started": "2026-12-01T22:50:00Z", "step": 0, "version": "0.9.0"}]}
/// ```
public struct RunRecord: Codable, Equatable, Sendable {
    /// One process's start or resume.
    public struct Session: Codable, Equatable, Sendable {
        /// The SwiftGAN version that ran (`SwiftGANVersion.current`).
        public var version: String?
        public var command: [String]
        public var host: String
        public var threads: Int
        /// ISO 8601, UTC.
        public var started: String
        /// The step the process started from (0 for a new run).
        public var step: Int

        public init(command: [String], host: String, threads: Int, started: String, step: Int, version: String? = SwiftGANVersion.current) {
            self.version = version
            self.command = command
            self.host = host
            self.threads = threads
            self.started = started
            self.step = step
        }
    }

    public var sessions: [Session]

    public init(sessions: [Session]) { self.sessions = sessions }

    /// The file's name inside the run directory.
    public static let fileName = "run.json"

    /// `directory`'s `run.json`.
    public static func path(_ directory: String) -> String { "\(directory)/\(fileName)" }

    /// Adds `session` to `directory`'s record (atomically; an unreadable old
    /// record is replaced, since it only describes the run).
    /// - Throws: `FileError` when the file cannot be written.
    public static func append(_ session: Session, to directory: String) throws {
        let old = (try? FileContents.readIfPresent(path(directory))).flatMap { $0 }.flatMap {
            try? JSONDecoder().decode(RunRecord.self, from: Data($0))
        }
        let record = RunRecord(sessions: (old?.sessions ?? []) + [session])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(record)) + [UInt8(ascii: "\n")], to: path(directory))
    }

    /// A session for this process now.
    public static func currentSession(command: [String], threads: Int, step: Int) -> Session {
        let host = ProcessInfo.processInfo.hostName
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return Session(
            command: command, host: host.isEmpty ? "localhost" : host, threads: threads, started: formatter.string(from: Date()), step: step)
    }
}

extension TrainingRun {
    /// Whether `directory` holds a SwiftGAN run of any kind (its marker
    /// file, or a checkpoint with SwiftGAN metadata).
    public static func isRunDirectory(_ directory: String) -> Bool { RunDirectory.isRun(directory) }
}
