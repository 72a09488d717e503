import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Appends one JSON object per line to `metrics.jsonl`.
public final class MetricsLog {
    public let path: String
    private let handle: FileHandle

    public init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw FileError(file: path, problem: "cannot create the metrics log")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw FileError(file: path, problem: "cannot open the metrics log")
        }
        self.path = path
        self.handle = handle
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Writes `{"step": step, name: value, ...}` with keys in order.
    public func append(step: Int, _ values: [(String, Double)]) {
        var fields = ["\"step\": \(step)"]
        for (name, value) in values {
            let number = value.isFinite ? String(value) : "null"
            fields.append("\"\(name)\": \(number)")
        }
        handle.write(Data(("{" + fields.joined(separator: ", ") + "}\n").utf8))
    }

    /// Drops lines for steps after `step` (when a resumed run rewinds to its checkpoint).
    public static func truncate(path: String, afterStep step: Int) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
            guard let range = line.range(of: "\"step\": "),
                let value = Int(line[range.upperBound...].prefix { $0.isNumber })
            else { return false }
            return value <= step
        }
        try AtomicFile.write(Array((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8), to: path)
    }
}
