import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Appends one JSON object per line to `metrics.jsonl`. Each line is
/// written whole or not at all (a full disk leaves the file as it was
/// before the line, and the error names the file).
public final class MetricsLog {
    public let path: String
    private let file: AppendFile

    /// Opens (or creates) the log at `path` for appending.
    /// - Throws: `FileError` when it cannot be opened or is not a regular file.
    public init(path: String) throws {
        self.path = path
        file = try AppendFile(path: path)
    }

    /// Writes `{"step": step, name: value, ...}` with keys in order.
    /// - Throws: `FileError` when the line cannot be written.
    public func append(step: Int, _ values: [(String, Double)]) throws {
        var fields = ["\"step\": \(step)"]
        for (name, value) in values {
            let number = value.isFinite ? String(value) : "null"
            fields.append("\"\(name)\": \(number)")
        }
        try file.append(Array(("{" + fields.joined(separator: ", ") + "}\n").utf8))
    }

    /// Drops lines for steps after `step` (when a resumed run rewinds to its
    /// checkpoint) and a last line cut short by a crash.
    public static func truncate(path: String, afterStep step: Int) throws {
        guard let data = try FileContents.readIfPresent(path) else { return }
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        // The piece after the last newline is empty, or a line the writer never finished.
        lines.removeLast()
        let kept = lines.filter { line in
            guard line.hasPrefix("{"), line.hasSuffix("}"), let range = line.range(of: "\"step\": "),
                let value = Int(line[range.upperBound...].prefix { $0.isNumber })
            else { return false }
            return value <= step
        }
        guard kept.count != lines.count || data.last != UInt8(ascii: "\n") && !data.isEmpty else { return }
        try AtomicFile.write(Array((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8), to: path)
    }
}
