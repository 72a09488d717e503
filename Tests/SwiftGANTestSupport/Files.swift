import Foundation

/// A new, empty directory under the system's temporary directory for the
/// files one test writes (`swiftgan-LABEL-UUID`).
public func temporaryDirectory(_ label: String = "test") -> String {
    let path = NSTemporaryDirectory() + "swiftgan-\(label)-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The path of a committed fixture in `bundle`'s `Fixtures` folder (pass
/// the test target's `Bundle.module`), or a path that names the missing
/// fixture, so the failing read says which.
public func fixturePath(_ name: String, in bundle: Bundle) -> String {
    bundle.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")?.path ?? "(missing fixture \(name))"
}
