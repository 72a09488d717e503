import Foundation
import SwiftGANTensor

/// Reading TensorBoard event files back: the TFRecord framing (length,
/// masked CRC-32C of the length, data, masked CRC-32C of the data) and the
/// `step` field (2) of each `Event`. A resumed run uses it to drop the
/// events logged after its checkpoint, so TensorBoard shows each step once.
package enum EventFile {
    /// One record: its bytes in the file and its event's step (0 when the event has none, as the version event).
    package struct Record {
        package var range: Range<Int>
        package var step: Int
    }

    /// The event files in `directory`, oldest first (by the time in the name, then the suffix).
    static func paths(in directory: String) throws -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasPrefix("events.out.tfevents.")
        }
        func order(_ name: String) -> (Int, Int, String) {
            let parts = name.dropFirst("events.out.tfevents.".count).split(separator: ".")
            let time = parts.first.flatMap { Int($0) } ?? 0
            let suffix = parts.count > 1 ? Int(parts.last!) ?? 0 : 0
            return (time, suffix, name)
        }
        return names.sorted { order($0) < order($1) }.map { "\(directory)/\($0)" }
    }

    /// The complete, checksummed records at the start of `bytes`; reading
    /// stops at the first record that is cut short or fails its checksum.
    package static func records(_ bytes: [UInt8]) -> [Record] {
        var records: [Record] = []
        var offset = 0
        func littleEndian(_ start: Int, _ count: Int) -> UInt64 {
            (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[start + $1]) << (8 * UInt64($1)) }
        }
        while bytes.count - offset >= 16 {
            let length = littleEndian(offset, 8)
            guard UInt32(littleEndian(offset + 8, 4)) == CRC32C.masked(Array(bytes[offset..<(offset + 8)])),
                length <= UInt64(bytes.count - offset - 16)
            else { break }
            let dataStart = offset + 12
            let dataEnd = dataStart + Int(length)
            let data = Array(bytes[dataStart..<dataEnd])
            guard UInt32(littleEndian(dataEnd, 4)) == CRC32C.masked(data) else { break }
            records.append(Record(range: offset..<(dataEnd + 4), step: step(ofEvent: data) ?? 0))
            offset = dataEnd + 4
        }
        return records
    }

    /// Rewrites `path` (atomically) without the records after `step` and
    /// without a damaged tail; leaves it untouched when nothing needs to go.
    static func truncate(_ path: String, afterStep step: Int) throws {
        let bytes = try FileContents.read(path)
        let records = records(bytes)
        let kept = records.filter { $0.step <= step }
        guard kept.count != records.count || records.last?.range.upperBound ?? 0 != bytes.count else { return }
        try AtomicFile.write(to: path) { append in
            for record in kept { try append(Array(bytes[record.range])) }
        }
    }

    /// The `step` (field 2, a varint) of an `Event` message, if present.
    static func step(ofEvent data: [UInt8]) -> Int? {
        var index = 0
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < data.count, shift < 64 {
                let byte = data[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while index < data.count {
            guard let key = varint() else { return nil }
            let (field, wireType) = (key >> 3, key & 7)
            switch wireType {
            case 0:
                guard let value = varint() else { return nil }
                if field == 2 { return Int(truncatingIfNeeded: Int64(bitPattern: value)) }
            case 1: index += 8
            case 5: index += 4
            case 2:
                guard let length = varint(), length <= UInt64(data.count - index) else { return nil }
                index += Int(length)
            default: return nil
            }
        }
        return nil
    }
}
