import Foundation
import SwiftGANTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs `gan` to completion; returns the exit status and the combined output.
@discardableResult
func runGAN(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try runExecutable(ganExecutable(), arguments)
}

/// A short finished 2-D run (ring8, `steps` steps, logged every 10, evaluated and sampled every 30).
func finishedMixtureRun(steps: Int = 60, in folder: String? = nil, name: String = "ring") throws -> String {
    let directory = "\(folder ?? temporaryDirectory("run"))/\(name)"
    let (status, output) = try runGAN([
        "train", "--data", "ring8", "--steps", "\(steps)", "--log-every", "10", "--eval-every", "30", "--sample-every", "30",
        "--run-dir", directory, "--threads", "1"
    ])
    guard status == 0 else { throw ProcessFailure(output: output) }
    return directory
}

struct ProcessFailure: Error, CustomStringConvertible {
    var output: String
    var description: String { "gan failed:\n\(output)" }
}

/// A `gan` process that keeps running (a server, a training), with its
/// output collected line by line.
final class GANProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var stdoutText = ""
    private var stderrText = ""

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: ganExecutable())
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // At the end of the output the handler is removed (on Linux it would otherwise fire again and again).
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            self?.lock.withLock { self?.stdoutText += String(decoding: data, as: UTF8.self) }
        }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            self?.lock.withLock { self?.stderrText += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    var output: String { lock.withLock { stdoutText } }
    var errors: String { lock.withLock { stderrText } }

    /// Waits until standard output holds a line matching `pattern`'s capture group (a URL, say).
    func wait(for pattern: String, timeout: Double = 120) throws -> [String] {
        let expression = try NSRegularExpression(pattern: pattern)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let text = output
            if let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
                return (0..<match.numberOfRanges).map { String(text[Range(match.range(at: $0), in: text)!]) }
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        throw ProcessFailure(output: "no line matching \(pattern) in:\n\(output)\n\(errors)")
    }

    /// SIGINT, then waits for the exit; returns the status.
    @discardableResult
    func interrupt() -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGINT) }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// `gan serve`/`gan lab` started on a free port: the port and the printed URL.
final class Served {
    let process: GANProcess
    let port: Int
    let url: String
    var client: HTTPTestClient { HTTPTestClient(port: port) }

    init(_ arguments: [String]) throws {
        process = try GANProcess(arguments + ["--port", "0"])
        let match = try process.wait(for: #"(http://[^ ]+:([0-9]+)/\S*)"#)
        url = match[1]
        port = Int(match[2])!
    }

    /// Stops the server (the end of a test's use of it; also on deinit).
    func stop() { process.interrupt() }

    deinit { process.interrupt() }
}

/// Polls `condition` until it holds or `timeout` seconds pass; returns whether it held.
func eventually(timeout: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// A file tree's entries with their sizes and modification times, to show a viewer wrote nothing.
func treeState(_ directory: String) -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: directory)
    var entries: [String] = []
    while let name = enumerator?.nextObject() as? String {
        var status = stat()
        lstat("\(directory)/\(name)", &status)
        entries.append("\(name) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)")
    }
    return entries.sorted()
}

/// The lines of a run's metrics log that hold `key`.
func loggedLines(_ directory: String, key: String) -> Int {
    let text = (try? String(contentsOfFile: "\(directory)/metrics.jsonl", encoding: .utf8)) ?? ""
    return text.split(separator: "\n").filter { $0.contains("\"\(key)\"") }.count
}
