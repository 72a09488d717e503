import Foundation
import SwiftGANTensor

/// The page's own files (HTML, CSS, JavaScript), shipped as this target's
/// resources and read once into memory: nothing comes from a CDN or the
/// network, and a request never touches the disk for them.
public struct SiteFiles: Sendable {
    /// File name to contents and content type.
    public let files: [String: (bytes: [UInt8], type: String)]

    /// Reads every file of the `Site` resource folder: the bundle next to
    /// the executable, else the source tree this library was built from.
    /// - Throws: `FileError` naming the places looked in.
    public static func load() throws -> SiteFiles {
        let executablePath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? "."
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/Site").path
        let candidates =
            ["SwiftGAN_SwiftGANServer.resources", "SwiftGAN_SwiftGANServer.bundle"].map {
                executable.appendingPathComponent($0).appendingPathComponent("Site").path
            } + [sourceTree]
        guard let folder = candidates.first(where: { FileManager.default.fileExists(atPath: "\($0)/index.html") }) else {
            throw FileError(file: "Site/index.html", problem: "the dashboard's page was not found (looked in \(candidates.joined(separator: ", ")))")
        }
        var files: [String: (bytes: [UInt8], type: String)] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where !name.hasPrefix(".") {
            files[name] = (try FileContents.read("\(folder)/\(name)"), contentType(name))
        }
        return SiteFiles(files: files)
    }

    /// The content type for a file name's extension.
    public static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension {
        case "html": "text/html; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }
}
