import Foundation
import SwiftGANTensor

/// `run.json`: how a run directory came about, one entry per process that
/// started or resumed it (the command line, the host, the thread count, the
/// wall-clock start and, once it stops, its end, seconds, last step and how
/// it ended), so a viewer can show what produced the curves.
///
/// ```json
/// {"sessions": [{"command": ["gan", "train", "--steps", "500"], "host": "box", "threads": 2,
///                "started": "2026-12-01T22:50:00Z", "step": 0, "version": "0.10.0",
///                "ended": "2026-12-01T22:52:10Z", "seconds": 130.2, "final_step": 500, "outcome": "completed"}]}
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
        /// When the process stopped training (ISO 8601, UTC); nil while it trains, or when it was killed.
        public var ended: String?
        /// Wall-clock seconds from start to end.
        public var seconds: Double?
        /// The step the process stopped at.
        public var finalStep: Int?
        /// How it stopped.
        public var outcome: Outcome?

        private enum CodingKeys: String, CodingKey {
            case version, command, host, threads, started, step, ended, seconds, outcome
            case finalStep = "final_step"
        }

        public init(command: [String], host: String, threads: Int, started: String, step: Int, version: String? = SwiftGANVersion.current) {
            self.version = version
            self.command = command
            self.host = host
            self.threads = threads
            self.started = started
            self.step = step
        }
    }

    /// How a session stopped.
    public enum Outcome: String, Codable, Sendable {
        /// It reached the run's last step.
        case completed
        /// A signal stopped it after a checkpoint (`gan train --resume` continues).
        case interrupted
        /// An error stopped it (a diverged loss, a full disk, a failed rank).
        case failed
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
        try write(RunRecord(sessions: (old?.sessions ?? []) + [session]), to: directory)
    }

    /// Records the end of `session` (this process's, appended at its start) in `directory`'s record.
    /// - Throws: `FileError` when the file cannot be written.
    public static func finish(_ session: Session, in directory: String, step: Int, outcome: Outcome, seconds: Double) throws {
        var record =
            (try? FileContents.readIfPresent(path(directory))).flatMap { $0 }.flatMap {
                try? JSONDecoder().decode(RunRecord.self, from: Data($0))
            } ?? RunRecord(sessions: [session])
        var ended = session
        ended.ended = timestamp(Date())
        ended.seconds = (seconds * 10).rounded() / 10
        ended.finalStep = step
        ended.outcome = outcome
        if let index = record.sessions.lastIndex(of: session) { record.sessions[index] = ended } else { record.sessions.append(ended) }
        try write(record, to: directory)
    }

    private static func write(_ record: RunRecord, to directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(record)) + [UInt8(ascii: "\n")], to: path(directory))
    }

    /// ISO 8601 in UTC (`2026-12-01T22:50:00Z`).
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// A session for this process now.
    public static func currentSession(command: [String], threads: Int, step: Int) -> Session {
        let host = ProcessInfo.processInfo.hostName
        return Session(command: command, host: host.isEmpty ? "localhost" : host, threads: threads, started: timestamp(Date()), step: step)
    }
}

extension TrainingRun {
    /// Whether `directory` holds a SwiftGAN run of any kind (its marker
    /// file, or a checkpoint with SwiftGAN metadata).
    public static func isRunDirectory(_ directory: String) -> Bool { RunDirectory.isRun(directory) }
}
