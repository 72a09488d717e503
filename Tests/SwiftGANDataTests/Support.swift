import Foundation
import Testing
@testable import SwiftGANData

func fixturePath(_ name: String) -> String {
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")?.path ?? "(missing fixture \(name))"
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "swiftgan-data-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
}

/// Runs `body` and expects a `DataError` naming `file` whose problem contains `fragment`.
func expectDataError(file: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected an error mentioning '\(fragment)'", sourceLocation: sourceLocation)
    } catch let error as DataError {
        #expect(error.file == file, "error names \(error.file)", sourceLocation: sourceLocation)
        #expect(error.problem.contains(fragment), "got: \(error.problem)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
}
