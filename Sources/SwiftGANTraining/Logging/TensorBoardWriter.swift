import Foundation
import SwiftGANData
import SwiftGANTensor

/// Writes TensorBoard event files (`events.out.tfevents.<time>.<host>`):
/// TFRecord framing (little-endian u64 length, masked CRC-32C of the length,
/// the data, masked CRC-32C of the data) around `Event` protocol buffers
/// holding scalar and PNG image summaries. TensorBoard, `tbparse` and
/// `EventAccumulator` read them.
public final class TensorBoardWriter {
    /// The event file's path.
    public let path: String
    private let file: AppendFile

    /// Creates `directory` if needed and starts a new event file in it.
    /// - Throws: `FileError` naming the path if it cannot be created.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let host = ProcessInfo.processInfo.hostName.isEmpty ? "localhost" : ProcessInfo.processInfo.hostName
        let time = Int(Date().timeIntervalSince1970)
        var candidate = "\(directory)/events.out.tfevents.\(time).\(host)"
        var suffix = 1
        while FileManager.default.fileExists(atPath: candidate) {
            candidate = "\(directory)/events.out.tfevents.\(time).\(host).\(suffix)"
            suffix += 1
        }
        path = candidate
        file = try AppendFile(path: path)
        // The first event names the file format version.
        var event = ProtoWriter()
        event.double(1, Date().timeIntervalSince1970)
        event.string(3, "brain.Event:2")
        try write(event.bytes)
    }

    /// Continues the event stream of a resumed run: every event file in
    /// `directory` loses its events after `step` (the ones logged after the
    /// checkpoint, which the resumed run logs again) and any record cut short
    /// by a crash, and new events go to the newest file. Starts a new file
    /// when there is none.
    /// - Throws: `FileError` naming an event file that cannot be read or rewritten.
    public convenience init(continuing directory: String, afterStep step: Int) throws {
        let files = try EventFile.paths(in: directory)
        for file in files { try EventFile.truncate(file, afterStep: step) }
        guard let newest = files.last else {
            try self.init(directory: directory)
            return
        }
        try self.init(appendingTo: newest)
    }

    private init(appendingTo path: String) throws {
        self.path = path
        file = try AppendFile(path: path)
    }

    /// Logs scalar `value` under `tag` at `step`.
    public func scalar(_ tag: String, _ value: Float, step: Int) throws {
        var summaryValue = ProtoWriter()
        summaryValue.string(1, tag)
        summaryValue.float(2, value)
        try summary(summaryValue, step: step)
    }

    /// Logs several scalars at one step (one event).
    public func scalars(_ values: [(String, Float)], step: Int) throws {
        var summaryMessage = ProtoWriter()
        for (tag, value) in values {
            var summaryValue = ProtoWriter()
            summaryValue.string(1, tag)
            summaryValue.float(2, value)
            summaryMessage.message(1, summaryValue)
        }
        try event(summary: summaryMessage, step: step)
    }

    /// Logs a PNG image (`Summary.Image`) under `tag` at `step`.
    public func image(_ tag: String, png: [UInt8], width: Int, height: Int, channels: Int, step: Int) throws {
        var image = ProtoWriter()
        image.varint(1, UInt64(height))
        image.varint(2, UInt64(width))
        image.varint(3, UInt64(channels))
        image.bytes(4, png)
        var summaryValue = ProtoWriter()
        summaryValue.string(1, tag)
        summaryValue.message(4, image)
        try summary(summaryValue, step: step)
    }

    /// Flushes the file to disk.
    /// - Throws: `FileError` when the system reports a write error.
    public func flush() throws { try file.synchronize() }

    private func summary(_ value: ProtoWriter, step: Int) throws {
        var summaryMessage = ProtoWriter()
        summaryMessage.message(1, value)
        try event(summary: summaryMessage, step: step)
    }

    private func event(summary: ProtoWriter, step: Int) throws {
        var event = ProtoWriter()
        event.double(1, Date().timeIntervalSince1970)
        event.varint(2, UInt64(bitPattern: Int64(step)))
        event.message(5, summary)
        try write(event.bytes)
    }

    private func write(_ data: [UInt8]) throws {
        var record: [UInt8] = []
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Array($0) }
        record += length
        record += withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { Array($0) }
        record += data
        record += withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { Array($0) }
        try file.append(record)
    }
}

/// A minimal protocol-buffer encoder for the few messages TensorBoard needs.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    private mutating func key(_ field: Int, _ wireType: UInt64) { appendVarint(UInt64(field) << 3 | wireType) }

    private mutating func appendVarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(remaining & 0x7F) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    mutating func varint(_ field: Int, _ value: UInt64) {
        key(field, 0)
        appendVarint(value)
    }

    mutating func double(_ field: Int, _ value: Double) {
        key(field, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        key(field, 2)
        appendVarint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ field: Int, _ value: String) { bytes(field, Array(value.utf8)) }

    mutating func message(_ field: Int, _ value: ProtoWriter) { bytes(field, value.bytes) }
}

/// CRC-32C (Castagnoli), as TFRecord uses it.
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked form: rotate right by 15 and add 0xa282ead8.
    public static func masked(_ bytes: [UInt8]) -> UInt32 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
