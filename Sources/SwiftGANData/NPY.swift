import Foundation
import SwiftGANTensor

/// NumPy's `.npy` format: the magic `\x93NUMPY`, a version, a header length
/// (u16 in version 1, u32 in 2 and 3), a Python-literal header
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, then the
/// data in C order.
public enum NPY {
    /// The element types read and written.
    public enum ElementType: String, Sendable, CaseIterable {
        case float32 = "<f4", float64 = "<f8", uint8 = "|u1", int64 = "<i8"

        var byteSize: Int {
            switch self {
            case .float32: 4
            case .float64, .int64: 8
            case .uint8: 1
            }
        }
    }

    /// An array read from a file: the values as float32 and the stored type.
    public struct Contents: Sendable {
        public var tensor: Tensor
        public var elementType: ElementType
    }

    // MARK: Writing

    /// The bytes of a version 1.0 `.npy` file holding `tensor` as `type`
    /// (values are rounded and clamped for the integer types).
    public static func encode(_ tensor: Tensor, as type: ElementType = .float32) -> [UInt8] {
        var bytes = header(shape: tensor.shape, type: type)
        bytes.reserveCapacity(bytes.count + tensor.count * type.byteSize)
        tensor.withUnsafeBufferPointer { values in
            for value in values {
                switch type {
                case .float32: withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                case .float64: withUnsafeBytes(of: Double(value).bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
                case .uint8: bytes.append(UInt8(Swift.min(Swift.max(value.rounded(), 0), 255)))
                case .int64: withUnsafeBytes(of: Int64(value.rounded()).littleEndian) { bytes.append(contentsOf: $0) }
                }
            }
        }
        return bytes
    }

    /// The magic, version and header of a version 1.0 file, padded so the data starts on a 64-byte boundary.
    static func header(shape: [Int], type: ElementType) -> [UInt8] {
        let tuple = shape.isEmpty ? "()" : shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(type.rawValue)', 'fortran_order': False, 'shape': \(tuple), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        bytes += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
        return bytes + Array(header.utf8)
    }

    /// Writes `tensor` to `path` as a version 1.0 `.npy` file, atomically.
    public static func write(_ tensor: Tensor, to path: String, as type: ElementType = .float32) throws {
        try AtomicFile.write(encode(tensor, as: type), to: path)
    }

    // MARK: Reading

    /// Reads a `.npy` file (versions 1.0, 2.0 and 3.0).
    /// - Throws: `FileError` naming the file: bad magic or version, an
    ///   unreadable header, an unsupported dtype, Fortran order, or a data
    ///   length that disagrees with the shape.
    public static func read(_ path: String) throws -> Contents {
        try decode(FileContents.read(path), file: path)
    }

    /// Parses `.npy` bytes; `file` names them in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> Contents {
        let (type, shape, dataStart, count) = try layout(bytes, file: file)
        let values: [Float] = bytes.withUnsafeBytes { raw in
            (0..<count).map { index in
                let at = raw.baseAddress! + dataStart + index * type.byteSize
                switch type {
                case .float32: return Float(bitPattern: UInt32(littleEndian: at.loadUnaligned(as: UInt32.self)))
                case .float64: return Float(Double(bitPattern: UInt64(littleEndian: at.loadUnaligned(as: UInt64.self))))
                case .uint8: return Float(at.loadUnaligned(as: UInt8.self))
                case .int64: return Float(Int64(littleEndian: at.loadUnaligned(as: Int64.self)))
                }
            }
        }
        return Contents(tensor: Tensor(values, shape: shape), elementType: type)
    }

    /// Parses `.npy` bytes of a floating-point array at full float64
    /// precision (statistics such as a covariance; `decode` gives float32 tensors).
    public static func decodeFloat64(_ bytes: [UInt8], file: String) throws -> (shape: [Int], values: [Double]) {
        let (type, shape, dataStart, count) = try layout(bytes, file: file)
        guard type == .float64 || type == .float32 else {
            throw FileError(file: file, problem: "expected a float32 or float64 array, found \(type.rawValue)")
        }
        let values: [Double] = bytes.withUnsafeBytes { raw in
            (0..<count).map { index in
                let at = raw.baseAddress! + dataStart + index * type.byteSize
                return type == .float64
                    ? Double(bitPattern: UInt64(littleEndian: at.loadUnaligned(as: UInt64.self)))
                    : Double(Float(bitPattern: UInt32(littleEndian: at.loadUnaligned(as: UInt32.self))))
            }
        }
        return (shape, values)
    }

    /// The bytes of a `.npy` file holding float64 `values` of `shape` (C order).
    public static func encodeFloat64(_ values: [Double], shape: [Int]) -> [UInt8] {
        require(values.count == shape.reduce(1, *), "NPY.encodeFloat64: \(values.count) values for shape \(shape)")
        var bytes = header(shape: shape, type: .float64)
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    /// The shape and data offset of a uint8 `.npy` file of `fileLength` bytes from its first bytes (`header`),
    /// for memory-mapping its data (`PixelStore(mapping:)`).
    /// - Throws: `FileError` naming the file when it is not a C-ordered uint8 array of that length.
    public static func uint8Layout(_ header: [UInt8], fileLength: Int, file: String) throws -> (shape: [Int], dataStart: Int) {
        let (type, shape, dataStart, _) = try layout(header, file: file, totalLength: fileLength)
        guard type == .uint8 else { throw FileError(file: file, problem: "expected a uint8 array, found \(type.rawValue)") }
        return (shape, dataStart)
    }

    /// The element type, shape, data offset and element count of `.npy` bytes, all checked
    /// (against `totalLength` bytes when only the header is given).
    private static func layout(_ bytes: [UInt8], file: String, totalLength: Int? = nil) throws -> (
        type: ElementType, shape: [Int], dataStart: Int, count: Int
    ) {
        func fail(_ problem: String) -> FileError { FileError(file: file, problem: problem) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("not a .npy file (missing the \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported .npy format version \(major).\(bytes[7])")
        }
        guard headerStart + headerLength <= bytes.count else {
            throw fail("truncated: the header claims \(headerLength) bytes but the file has \(bytes.count - headerStart)")
        }
        let encoding: String.Encoding = major == 3 ? .utf8 : .isoLatin1
        guard let header = String(bytes: bytes[headerStart..<(headerStart + headerLength)], encoding: encoding) else {
            throw fail("the header is not readable text")
        }
        guard let descr = literal(after: "'descr'", in: header)?.trimmingCharacters(in: CharacterSet(charactersIn: "'\" ")) else {
            throw fail("the header has no 'descr'")
        }
        let normalizedDescr = descr == "=f4" ? "<f4" : descr == "=f8" ? "<f8" : descr == "=i8" ? "<i8" : descr == "<u1" ? "|u1" : descr
        guard let type = ElementType(rawValue: normalizedDescr) else {
            throw fail("unsupported dtype '\(descr)' (supported: \(ElementType.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let fortran = literal(after: "'fortran_order'", in: header)?.trimmingCharacters(in: .whitespaces) else {
            throw fail("the header has no 'fortran_order'")
        }
        guard fortran.hasPrefix("False") else {
            throw fail("Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray first")
        }
        guard let shapeText = tuple(after: "'shape'", in: header) else { throw fail("the header has no 'shape'") }
        let parts = shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let shape = try parts.map { part -> Int in
            guard let value = Int(part.hasSuffix("L") ? String(part.dropLast()) : part), value >= 0 else {
                throw fail("'shape' \(shapeText) is not a tuple of non-negative integers")
            }
            return value
        }
        let dataStart = headerStart + headerLength
        let (count, overflow) = shape.reduce((1, false)) { partial, dimension in
            let product = partial.0.multipliedReportingOverflow(by: dimension)
            return (product.partialValue, partial.1 || product.overflow)
        }
        guard !overflow, !count.multipliedReportingOverflow(by: type.byteSize).overflow else {
            throw fail("shape \(shape) of \(type.rawValue) is too large (its byte count overflows) for a file of \(bytes.count) bytes")
        }
        let length = totalLength ?? bytes.count
        guard length - dataStart == count * type.byteSize else {
            throw fail("shape \(shape) of \(type.rawValue) needs \(count * type.byteSize) data bytes but the file has \(length - dataStart)")
        }
        return (type, shape, dataStart, count)
    }

    /// The text after `key:` up to the next comma at bracket depth 0.
    private static func literal(after key: String, in header: String) -> String? {
        guard let range = header.range(of: key) else { return nil }
        var rest = header[range.upperBound...].drop { $0 == " " || $0 == ":" }
        if rest.first == "(" { return nil }
        rest = rest.prefix { $0 != "," && $0 != "}" }
        return String(rest)
    }

    /// The contents of the parenthesised tuple after `key:`.
    private static func tuple(after key: String, in header: String) -> String? {
        guard let range = header.range(of: key) else { return nil }
        let rest = header[range.upperBound...].drop { $0 == " " || $0 == ":" }
        guard rest.first == "(", let close = rest.firstIndex(of: ")") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }
}
