import Foundation
import SwiftGANTensor

/// The IDX format of MNIST-style datasets (LeCun et al.): a big-endian
/// header `00 00 TYPE RANK`, `RANK` big-endian u32 dimensions, then the
/// elements row-major, big-endian. Files may be gzip-compressed.
public enum IDX {
    /// The element types IDX defines.
    public enum ElementType: UInt8, CaseIterable, Sendable {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        var byteSize: Int {
            switch self {
            case .uint8, .int8: 1
            case .int16: 2
            case .int32, .float32: 4
            case .float64: 8
            }
        }
    }

    /// One parsed IDX file.
    public struct Contents: Sendable {
        public var elementType: ElementType
        public var shape: [Int]
        /// The elements as floats, row-major.
        public var values: [Float]
    }

    /// What an IDX header declares.
    struct Header {
        var elementType: ElementType
        var shape: [Int]
        var size: Int
        /// The bytes of one item (one entry along the first axis), or nil when that overflows.
        var itemBytes: Int?
    }

    /// The most bytes an IDX file may decompress to (and be read as float32): a quarter of the machine's memory per float copy.
    static var maximumBytes: Int { Int(ProcessInfo.processInfo.physicalMemory / 20) }

    /// Reads an IDX file (raw or gzip-compressed, detected by its magic bytes).
    /// A compressed file is decompressed only as far as its header declares
    /// (and only the first `limit` items when given), so a small file cannot
    /// expand to more than it claims, nor claim more than memory can hold.
    /// - Parameter limit: read only the first `limit` items (along the first axis).
    /// - Throws: `FileError` naming the file: missing file, truncated or
    ///   corrupt gzip, wrong magic number, unknown type, a size in the
    ///   header that disagrees with the file's length or that memory cannot hold.
    public static func read(_ path: String, limit: Int? = nil) throws -> Contents {
        try decode(FileContents.read(path), file: path, limit: limit)
    }

    /// Parses the bytes of an IDX file, raw or gzip-compressed, as `read` does; `file` names them in errors.
    public static func decode(_ bytes: [UInt8], file path: String, limit: Int? = nil) throws -> Contents {
        guard Gzip.isCompressed(bytes) else { return try parse(bytes, file: path, limit: limit) }
        // The header alone first: 4 bytes and at most 255 dimensions.
        let start = try Gzip.decompressedPrefix(bytes, count: 4 + 4 * 255, file: path)
        // A stream shorter than that must still be a complete one (else: truncated gzip).
        if start.count < 4 + 4 * 255 { _ = try Gzip.decompress(bytes, file: path, limit: 4 + 4 * 255) }
        let header = try parseHeader(start, file: path)
        let items = Swift.min(header.shape[0], limit ?? .max)
        let needed = try neededBytes(header, items: items, file: path)
        if items < header.shape[0] {
            let prefix = try Gzip.decompressedPrefix(bytes, count: needed, file: path)
            guard prefix.count == needed else {
                throw FileError(file: path, problem: "truncated: the header declares \(header.shape) but the data ends after \(prefix.count) bytes")
            }
            return try parse(prefix, file: path, limit: items, isPrefix: true)
        }
        return try parse(try Gzip.decompress(bytes, file: path, limit: needed), file: path)
    }

    /// The bytes the header and `items` items take, checked against `maximumBytes`.
    private static func neededBytes(_ header: Header, items: Int, file: String) throws -> Int {
        let (data, overflow) = (header.itemBytes ?? .max).multipliedReportingOverflow(by: items)
        guard header.itemBytes != nil, !overflow, data <= maximumBytes - header.size else {
            throw FileError(
                file: file,
                problem: "the header declares \(header.shape) of \(header.elementType), more than the \(maximumBytes.formatted()) bytes "
                    + "this machine can read into memory (use --limit to read fewer)")
        }
        return header.size + data
    }

    /// Parses the header at the start of `bytes`.
    static func parseHeader(_ bytes: [UInt8], file: String) throws -> Header {
        func fail(_ problem: String) -> FileError { FileError(file: file, problem: problem) }
        guard bytes.count >= 4 else { throw fail("too short for an IDX header (\(bytes.count) bytes)") }
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw fail(String(format: "wrong magic number: starts with %02x %02x, IDX files start with 00 00", bytes[0], bytes[1]))
        }
        guard let type = ElementType(rawValue: bytes[2]) else {
            throw fail(String(format: "unknown IDX element type 0x%02x", bytes[2]))
        }
        let rank = Int(bytes[3])
        guard rank >= 1 else { throw fail("IDX rank is 0") }
        let headerSize = 4 + 4 * rank
        guard bytes.count >= headerSize else {
            throw fail("header declares \(rank) dimensions but the file ends after \(bytes.count) bytes")
        }
        let shape = (0..<rank).map { axis in
            (0..<4).reduce(0) { $0 << 8 | Int(bytes[4 + 4 * axis + $1]) }
        }
        let (itemCount, overflow) = shape.dropFirst().reduce((type.byteSize, false)) { partial, dimension in
            let product = partial.0.multipliedReportingOverflow(by: dimension)
            return (product.partialValue, partial.1 || product.overflow)
        }
        return Header(elementType: type, shape: shape, size: headerSize, itemBytes: overflow ? nil : itemCount)
    }

    /// Parses IDX bytes (already decompressed); `file` names them in errors.
    /// - Parameters:
    ///   - limit: convert only the first `limit` items.
    ///   - isPrefix: `bytes` hold only the header and the first `limit` items (not the whole file).
    public static func parse(_ bytes: [UInt8], file: String, limit: Int? = nil, isPrefix: Bool = false) throws -> Contents {
        let header = try parseHeader(bytes, file: file)
        let (type, headerSize) = (header.elementType, header.size)
        var shape = header.shape
        let items = Swift.min(shape[0], limit ?? .max)
        let declaredItems = isPrefix ? items : shape[0]
        let (dataBytes, overflow) = (header.itemBytes ?? .max).multipliedReportingOverflow(by: declaredItems)
        guard header.itemBytes != nil, !overflow, bytes.count - headerSize == dataBytes else {
            let needed = overflow || header.itemBytes == nil ? "an impossible number of" : String(headerSize + dataBytes)
            throw FileError(file: file, problem: "header sizes \(shape) of \(type) need \(needed) bytes but the file has \(bytes.count)")
        }
        shape[0] = items
        // Checked above: items x item bytes does not overflow (and a zero dimension anywhere makes it 0).
        let count = dataBytes == 0 ? 0 : items * header.itemBytes! / type.byteSize
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress! + headerSize
            for index in 0..<count {
                let at = base + index * type.byteSize
                switch type {
                case .uint8: values[index] = Float(at[0])
                case .int8: values[index] = Float(Int8(bitPattern: at[0]))
                case .int16: values[index] = Float(Int16(bitPattern: UInt16(at[0]) << 8 | UInt16(at[1])))
                case .int32: values[index] = Float(Int32(bitPattern: bigEndianWord(at)))
                case .float32: values[index] = Float(bitPattern: bigEndianWord(at))
                case .float64:
                    let high = UInt64(bigEndianWord(at))
                    let low = UInt64(bigEndianWord(at + 4))
                    values[index] = Float(Double(bitPattern: high << 32 | low))
                }
            }
        }
        return Contents(elementType: type, shape: shape, values: values)
    }

    private static func bigEndianWord(_ at: UnsafePointer<UInt8>) -> UInt32 {
        UInt32(at[0]) << 24 | UInt32(at[1]) << 16 | UInt32(at[2]) << 8 | UInt32(at[3])
    }

    /// The bytes of an IDX file holding `values` as unsigned bytes (for tests and exports).
    public static func encodeUInt8(_ values: [UInt8], shape: [Int]) -> [UInt8] {
        require(shape.reduce(1, *) == values.count, "IDX.encodeUInt8: \(values.count) values for shape \(shape)")
        var bytes: [UInt8] = [0, 0, ElementType.uint8.rawValue, UInt8(shape.count)]
        for dimension in shape {
            bytes += [
                UInt8(truncatingIfNeeded: dimension >> 24), UInt8(truncatingIfNeeded: dimension >> 16),
                UInt8(truncatingIfNeeded: dimension >> 8), UInt8(truncatingIfNeeded: dimension)
            ]
        }
        return bytes + values
    }
}
