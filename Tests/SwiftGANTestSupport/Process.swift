import Foundation

/// The path of the `gan` executable built next to the test bundle.
public func ganExecutable() -> String {
    var url = Bundle.main.bundleURL
    while url.pathComponents.count > 1 && !FileManager.default.fileExists(atPath: url.appendingPathComponent("gan").path) {
        url = url.deletingLastPathComponent()
    }
    return url.appendingPathComponent("gan").path
}

/// Runs the executable at `path` with `arguments`; returns the exit status and the combined output.
public func runExecutable(
    _ path: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]
) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
