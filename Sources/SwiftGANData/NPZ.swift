import CZlib
import Foundation
import SwiftGANTensor

/// NumPy's `.npz`: a ZIP archive of `.npy` files, one per array, named
/// `KEY.npy` (`numpy.savez` stores them; `numpy.savez_compressed`
/// deflates them). pytorch-fid keeps FID reference statistics this way
/// (`mu`, `sigma`).
public enum NPZ {
    /// The largest archive member read (statistics and sample arrays fit far below it).
    public static let maximumMemberBytes = 1 << 32

    // MARK: Writing

    /// A ZIP archive storing each `(name, .npy bytes)` as `name.npy`, uncompressed (as `numpy.savez` does).
    public static func encode(_ arrays: [(name: String, npy: [UInt8])]) -> [UInt8] {
        var archive: [UInt8] = []
        var directory: [UInt8] = []
        for (name, data) in arrays {
            require(data.count < Int(UInt32.max), "NPZ.encode: \(name) is too large for a ZIP member without ZIP64")
            let fileName = Array("\(name).npy".utf8)
            let checksum = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
            let offset = UInt32(archive.count)
            // Local header: version 2.0, no flags, stored, a fixed DOS time (1980-01-01) so archives are reproducible.
            archive += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            archive += le32(checksum) + le32(UInt32(data.count)) + le32(UInt32(data.count)) + le16(UInt16(fileName.count)) + le16(0)
            archive += fileName + data
            directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            directory += le32(checksum) + le32(UInt32(data.count)) + le32(UInt32(data.count)) + le16(UInt16(fileName.count))
            directory += le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + fileName
        }
        let directoryOffset = UInt32(archive.count)
        archive += directory
        archive += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(arrays.count)) + le16(UInt16(arrays.count))
        archive += le32(UInt32(directory.count)) + le32(directoryOffset) + le16(0)
        return archive
    }

    /// Writes the arrays to `path` as a `.npz` archive, atomically.
    public static func write(_ arrays: [(name: String, npy: [UInt8])], to path: String) throws {
        try AtomicFile.write(encode(arrays), to: path)
    }

    // MARK: Reading

    /// The `.npy` bytes of each array in an archive, by key (the member name without `.npy`).
    /// - Throws: `FileError` naming `file`: not a ZIP archive, a member
    ///   compressed otherwise than stored or deflated, a checksum that
    ///   disagrees, or sizes that run past the archive.
    public static func decode(_ bytes: [UInt8], file: String) throws -> [String: [UInt8]] {
        func fail(_ problem: String) -> FileError { FileError(file: file, problem: problem) }
        func u16(_ at: Int) throws -> Int {
            guard at >= 0, at + 2 <= bytes.count else { throw fail("truncated ZIP archive") }
            return Int(bytes[at]) | Int(bytes[at + 1]) << 8
        }
        func u32(_ at: Int) throws -> Int { try (u16(at) | u16(at + 2) << 16) }
        func u64(_ at: Int) throws -> Int {
            let low = try u32(at)
            let high = try u32(at + 4)
            guard high < 1 << 30 else { throw fail("a ZIP64 size is implausibly large") }
            return low | high << 32
        }
        // The end-of-central-directory record is within the last 64 KiB + 22 bytes (after an optional comment).
        guard bytes.count >= 22 else { throw fail("not a .npz file (too short for a ZIP archive)") }
        var end = bytes.count - 22
        let earliest = Swift.max(0, bytes.count - 22 - 0xFFFF)
        while end >= earliest, try u32(end) != 0x0605_4B50 { end -= 1 }
        guard end >= earliest else { throw fail("not a .npz file (no ZIP end-of-directory record)") }
        var entries = try u16(end + 10)
        var directorySize = try u32(end + 12)
        var directoryOffset = try u32(end + 16)
        // ZIP64 end of central directory, when the classic fields are saturated.
        if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF, end >= 20, try u32(end - 20) == 0x0706_4B50 {
            let record = try u64(end - 12)
            guard try u32(record) == 0x0606_4B50 else { throw fail("a ZIP64 locator points at no ZIP64 record") }
            entries = try u64(record + 32)
            directorySize = try u64(record + 40)
            directoryOffset = try u64(record + 48)
        }
        guard directoryOffset + directorySize <= bytes.count, entries <= bytes.count / 46 + 1 else {
            throw fail("the ZIP directory runs past the end of the file")
        }
        var arrays: [String: [UInt8]] = [:]
        var at = directoryOffset
        for _ in 0..<entries {
            guard try u32(at) == 0x0201_4B50 else { throw fail("a ZIP directory entry is corrupt") }
            let method = try u16(at + 10)
            let checksum = UInt32(try u32(at + 16))
            var compressed = try u32(at + 20)
            var size = try u32(at + 24)
            let nameLength = try u16(at + 28)
            let extraLength = try u16(at + 30)
            let commentLength = try u16(at + 32)
            var localOffset = try u32(at + 42)
            guard at + 46 + nameLength <= bytes.count else { throw fail("truncated ZIP archive") }
            let name = String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self)
            // ZIP64 extra field (id 1): the saturated sizes and offset, in that order.
            var extra = at + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = try u16(extra)
                let length = try u16(extra + 2)
                if id == 1 {
                    var field = extra + 4
                    if size == 0xFFFF_FFFF {
                        size = try u64(field)
                        field += 8
                    }
                    if compressed == 0xFFFF_FFFF {
                        compressed = try u64(field)
                        field += 8
                    }
                    if localOffset == 0xFFFF_FFFF { localOffset = try u64(field) }
                }
                extra += 4 + length
            }
            at = extraEnd + commentLength
            guard size <= maximumMemberBytes else { throw fail("\(name) holds \(size) bytes, more than the \(maximumMemberBytes) a member may") }
            guard try u32(localOffset) == 0x0403_4B50 else { throw fail("\(name): its local header is missing") }
            let dataStart = localOffset + 30 + (try u16(localOffset + 26)) + (try u16(localOffset + 28))
            guard dataStart + compressed <= bytes.count else { throw fail("\(name): its data runs past the end of the file") }
            let stored = Array(bytes[dataStart..<(dataStart + compressed)])
            let data: [UInt8]
            switch method {
            case 0: data = stored
            case 8:
                let (output, finished) = try Gzip.inflateStream(stored, file: file, stopAfter: size + 1, raw: true)
                guard finished, output.count == size else { throw fail("\(name): its deflated data does not inflate to \(size) bytes") }
                data = output
            default: throw fail("\(name) uses ZIP compression method \(method); only stored and deflated members are read")
            }
            let actual = data.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
            guard actual == checksum else { throw fail("\(name): its CRC-32 disagrees with the archive's (a corrupt file)") }
            arrays[name.hasSuffix(".npy") ? String(name.dropLast(4)) : name] = data
        }
        return arrays
    }

    /// Reads a `.npz` file.
    /// - Throws: `FileError` naming the file.
    public static func read(_ path: String) throws -> [String: [UInt8]] { try decode(try FileContents.read(path), file: path) }

    private static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}
