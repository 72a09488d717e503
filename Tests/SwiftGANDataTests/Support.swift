import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData

func writeFile(_ path: String, _ bytes: [UInt8]) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// Runs `body` and expects a `FileError` naming `file` whose problem contains `fragment`.
func expectDataError(
    file: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected an error mentioning '\(fragment)'", sourceLocation: sourceLocation)
    } catch let error as FileError {
        #expect(error.file == file, "error names \(error.file)", sourceLocation: sourceLocation)
        #expect(error.problem.contains(fragment), "got: \(error.problem)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}

/// Path of one of this target's committed fixtures.
func fixturePath(_ name: String) -> String { SwiftGANTestSupport.fixturePath(name, in: .module) }

/// Progress reports seen, by task (what a loader reported while a test watched).
final class ProgressRecorder: ProgressObserver, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var tasks: [String: Int] = [:]
    func update(_ task: String, done: Int, total: Int) {
        lock.lock()
        tasks[task, default: 0] += 1
        lock.unlock()
    }
}
