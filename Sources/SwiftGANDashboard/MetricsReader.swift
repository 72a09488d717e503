import Foundation

/// One line of a run's `metrics.jsonl`: the step and the values logged at it
/// (`loss/discriminator`, `eval/fid`, ...). A value the trainer wrote as
/// `null` (NaN or infinite) is nil.
public struct MetricRecord: Codable, Equatable, Sendable {
    public var step: Int
    public var values: [String: Double?]

    public init(step: Int, values: [String: Double?]) {
        self.step = step
        self.values = values
    }
}

/// Where a reader of `metrics.jsonl` stands: the file (its inode, since a
/// resumed run rewrites the file by renaming a new one over it) and the
/// byte offset just after the last whole line read.
public struct MetricsCursor: Codable, Equatable, Sendable {
    public var inode: UInt64
    public var offset: Int

    public init(inode: UInt64 = 0, offset: Int = 0) {
        self.inode = inode
        self.offset = offset
    }
}

/// What one read of `metrics.jsonl` returns: the whole lines after the
/// cursor, the cursor to pass next time, and whether the file was replaced
/// or shortened since the cursor (then `records` start from its beginning
/// and a viewer drops what it held).
public struct MetricsChunk: Codable, Equatable, Sendable {
    public var records: [MetricRecord]
    public var cursor: MetricsCursor
    public var reset: Bool
}

/// Reads `metrics.jsonl` incrementally, never writing: a line is taken only
/// once its newline is on disk, so a line being written is read next time.
public enum MetricsReader {
    /// The most bytes one read returns (a viewer catches up over several reads).
    public static let defaultByteLimit = 4 << 20

    /// The records after `cursor` in the file at `path` (an absent file has none).
    public static func read(_ path: String, after cursor: MetricsCursor = MetricsCursor(), byteLimit: Int = defaultByteLimit) -> MetricsChunk {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return MetricsChunk(records: [], cursor: MetricsCursor(), reset: cursor.offset != 0) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            return MetricsChunk(records: [], cursor: MetricsCursor(), reset: cursor.offset != 0)
        }
        let inode = UInt64(status.st_ino)
        let size = Int(status.st_size)
        let reset = cursor.offset != 0 && (cursor.inode != inode || cursor.offset > size)
        let start = reset ? 0 : cursor.offset
        let length = min(size - start, byteLimit)
        guard length > 0 else { return MetricsChunk(records: [], cursor: MetricsCursor(inode: inode, offset: start), reset: reset) }
        var bytes = [UInt8](repeating: 0, count: length)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(start)) }
        guard count > 0, let lastNewline = bytes[..<count].lastIndex(of: UInt8(ascii: "\n")) else {
            // A "line" longer than a whole read is no log line: skip past it rather than stall.
            let skipped = count == byteLimit ? start + count : start
            return MetricsChunk(records: [], cursor: MetricsCursor(inode: inode, offset: skipped), reset: reset)
        }
        let records = bytes[...lastNewline].split(separator: UInt8(ascii: "\n")).compactMap { parse(Array($0)) }
        return MetricsChunk(records: records, cursor: MetricsCursor(inode: inode, offset: start + lastNewline + 1), reset: reset)
    }

    /// Every record in the file.
    public static func readAll(_ path: String) -> [MetricRecord] {
        var records: [MetricRecord] = []
        var cursor = MetricsCursor()
        while true {
            let chunk = read(path, after: cursor)
            if chunk.reset { records = [] }
            records += chunk.records
            if chunk.cursor.offset == cursor.offset { return records }
            cursor = chunk.cursor
        }
    }

    /// One line, or nil when it is not an object with an integer `step`
    /// (a foreign or damaged line is skipped, not fatal).
    static func parse(_ line: [UInt8]) -> MetricRecord? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let step = (object["step"] as? NSNumber)?.intValue
        else { return nil }
        var values: [String: Double?] = [:]
        for (key, value) in object where key != "step" {
            if let number = value as? NSNumber {
                values[key] = number.doubleValue
            } else if value is NSNull {
                values[key] = .some(nil)
            }
        }
        return MetricRecord(step: step, values: values)
    }
}
