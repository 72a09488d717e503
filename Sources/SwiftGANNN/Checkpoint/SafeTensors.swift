import Foundation
import SwiftGANTensor

/// Reading and writing the safetensors format (the format of Hugging Face's
/// `safetensors`, which PyTorch users open with `safetensors.torch.load_file`):
///
/// - 8 bytes: little-endian u64 `N`, the header length;
/// - `N` bytes: a UTF-8 JSON object mapping each tensor name to
///   `{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}`, plus an
///   optional `"__metadata__"` map of strings to strings;
/// - the byte buffer: each tensor's little-endian, row-major bytes at its
///   offsets (relative to the buffer's start), covering it without gaps.
///
/// Written files hold F32 (and I64 for integer state such as BatchNorm's
/// `num_batches_tracked`). Reading also accepts F16, BF16, F64, I32, I16, I8,
/// U8 and BOOL, converted to float32.
public enum SafeTensors {
    /// The tensors and metadata of one file.
    public struct Contents: Equatable, Sendable {
        public var tensors: StateDict
        public var metadata: [String: String]

        public init(tensors: StateDict, metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    static let maximumHeaderBytes = 100 << 20

    // MARK: Writing

    /// The file's bytes for `tensors` and `metadata`.
    public static func encode(_ tensors: StateDict, metadata: [String: String] = [:]) -> [UInt8] {
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in tensors.entries {
            let size = entry.tensor.count * (entry.storedType == .int64 ? 8 : 4)
            let shape = entry.tensor.shape.map(String.init).joined(separator: ",")
            let description =
                "{\"dtype\":\"\(entry.storedType.rawValue)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(offset + size)]}"
            fields.append("\(jsonString(entry.key)):\(description)")
            offset += size
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }  // pad with spaces, as the format allows

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        for entry in tensors.entries {
            entry.tensor.withUnsafeBufferPointer { values in
                switch entry.storedType {
                case .float32:
                    for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
                case .int64:
                    for value in values { withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) } }
                }
            }
        }
        return bytes
    }

    /// Writes `tensors` to `path` atomically (temporary file, fsync, rename).
    /// - Throws: `FileError` if the file cannot be written.
    public static func write(_ tensors: StateDict, metadata: [String: String] = [:], to path: String) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: path)
    }

    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    // MARK: Reading

    /// Reads a safetensors file.
    /// - Throws: `FileError` naming the file and the problem: missing or
    ///   unreadable file, truncated header or data, invalid JSON, an
    ///   unsupported dtype, offsets that disagree with a shape, overlap, leave
    ///   gaps or run past the end of the file.
    public static func read(_ path: String) throws -> Contents {
        try decode(FileContents.read(path), file: path)
    }

    /// The `__metadata__` of a safetensors file, reading only its header
    /// (to recognise a checkpoint without loading its tensors).
    /// - Throws: `FileError` naming the file when it is missing, too short or its header is not JSON.
    public static func readMetadata(_ path: String) throws -> [String: String] {
        // A regular file only (a FIFO would block the open below).
        var status = stat()
        guard stat(path, &status) == 0 else { throw FileError(file: path, problem: "no such file") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw FileError(file: path, problem: "is not a regular file; refusing to read it") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileError(file: path, problem: "cannot read the file") }
        defer { try? handle.close() }
        let lengthBytes = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        guard lengthBytes.count == 8 else { throw FileError(file: path, problem: "not a safetensors file: too short for the header length") }
        let headerLength = lengthBytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(maximumHeaderBytes) else {
            throw FileError(file: path, problem: "not a safetensors file: header length \(headerLength) is implausibly large")
        }
        let header = (try? handle.read(upToCount: Int(headerLength))) ?? Data()
        guard header.count == Int(headerLength), let object = (try? JSONSerialization.jsonObject(with: header)) as? [String: Any] else {
            throw FileError(file: path, problem: "the header is not a valid JSON object")
        }
        return (object["__metadata__"] as? [String: Any])?.compactMapValues { $0 as? String } ?? [:]
    }

    /// Parses the bytes of a safetensors file; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws -> Contents {
        func fail(_ problem: String) -> FileError { FileError(file: file, problem: problem) }
        guard bytes.count >= 8 else {
            throw fail("not a safetensors file: \(bytes.count) bytes is too short for the 8-byte header length")
        }
        let headerLength = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(maximumHeaderBytes) else {
            throw fail("not a safetensors file: header length \(headerLength) is implausibly large")
        }
        guard 8 + Int(headerLength) <= bytes.count else {
            throw fail("truncated: the header claims \(headerLength) bytes but the file has only \(bytes.count - 8) after the length")
        }
        let headerBytes = bytes[8..<(8 + Int(headerLength))]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail("not a safetensors file: the header does not start with '{'")
        }
        guard let headerText = String(bytes: headerBytes, encoding: .utf8),
            let json = try? JSONSerialization.jsonObject(with: Data(headerText.utf8)),
            let object = json as? [String: Any]
        else {
            throw fail("the header is not a valid JSON object")
        }
        let bufferStart = 8 + Int(headerLength)
        let bufferLength = bytes.count - bufferStart

        var metadata: [String: String] = [:]
        if let rawMetadata = object["__metadata__"] {
            guard let map = rawMetadata as? [String: Any] else { throw fail("'__metadata__' is not an object") }
            for (key, value) in map {
                guard let text = value as? String else { throw fail("'__metadata__' value for '\(key)' is not a string") }
                metadata[key] = text
            }
        }

        struct Descriptor { var key: String, type: ElementType, shape: [Int], begin: Int, end: Int }
        var descriptors: [Descriptor] = []
        for (key, value) in object where key != "__metadata__" {
            guard let fields = value as? [String: Any] else { throw fail("tensor '\(key)': entry is not an object") }
            guard let dtypeName = fields["dtype"] as? String else { throw fail("tensor '\(key)': missing 'dtype'") }
            guard let type = ElementType(rawValue: dtypeName) else {
                throw fail("tensor '\(key)': unsupported dtype '\(dtypeName)' (supported: \(ElementType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard let shapeValues = fields["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
                throw fail("tensor '\(key)': 'shape' is not a list of non-negative integers")
            }
            guard let offsetValues = fields["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2 else {
                throw fail("tensor '\(key)': 'data_offsets' is not a pair of integers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, begin <= end, end <= bufferLength else {
                throw fail("tensor '\(key)': data_offsets [\(begin), \(end)] lie outside the \(bufferLength)-byte data buffer (truncated file?)")
            }
            let (count, overflow) = shape.reduce((1, false)) { partial, dimension in
                let product = partial.0.multipliedReportingOverflow(by: dimension)
                return (product.partialValue, partial.1 || product.overflow)
            }
            guard !overflow, count.multipliedReportingOverflow(by: type.byteSize).partialValue == end - begin,
                !count.multipliedReportingOverflow(by: type.byteSize).overflow
            else {
                let needed = overflow ? "too many" : String(count * type.byteSize)
                throw fail(
                    "tensor '\(key)': shape \(shape) of \(dtypeName) needs \(needed) bytes "
                        + "but data_offsets [\(begin), \(end)] hold \(end - begin)")
            }
            descriptors.append(Descriptor(key: key, type: type, shape: shape, begin: begin, end: end))
        }
        // The tensors must tile the buffer exactly: no overlaps, no gaps.
        let ordered = descriptors.sorted { ($0.begin, $0.end, $0.key) < ($1.begin, $1.end, $1.key) }
        var position = 0
        for descriptor in ordered {
            if descriptor.begin < position {
                throw fail("tensor '\(descriptor.key)': data_offsets [\(descriptor.begin), \(descriptor.end)] overlap another tensor's data")
            }
            if descriptor.begin > position {
                throw fail("tensor '\(descriptor.key)': data_offsets start at \(descriptor.begin), leaving a gap after byte \(position)")
            }
            position = descriptor.end
        }
        guard position == bufferLength else {
            throw fail("the data buffer has \(bufferLength) bytes but the tensors cover \(position)")
        }

        var tensors = StateDict()
        for descriptor in descriptors.sorted(by: { $0.begin < $1.begin || ($0.begin == $1.begin && $0.key < $1.key) }) {
            let values = bytes.withUnsafeBufferPointer { buffer in
                descriptor.type.decode(
                    UnsafeRawBufferPointer(buffer).baseAddress! + bufferStart + descriptor.begin,
                    count: (descriptor.end - descriptor.begin) / descriptor.type.byteSize)
            }
            tensors.set(
                descriptor.key, Tensor(values, shape: descriptor.shape),
                storedType: descriptor.type.isInteger ? .int64 : .float32)
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            guard let number = value as? NSNumber else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), Swift.abs(double) < 9.0e15 else { return nil }
            result.append(Int(double))
        }
        return result
    }

    /// The element types the reader understands.
    enum ElementType: String, CaseIterable {
        case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

        var byteSize: Int {
            switch self {
            case .f64, .i64: 8
            case .f32, .i32: 4
            case .f16, .bf16, .i16: 2
            case .i8, .u8, .bool: 1
            }
        }

        var isInteger: Bool { [.i64, .i32, .i16, .i8, .u8, .bool].contains(self) }

        /// Little-endian elements at `pointer` (any alignment) as floats.
        func decode(_ pointer: UnsafeRawPointer, count: Int) -> [Float] {
            (0..<count).map { index in
                let at = pointer + index * byteSize
                switch self {
                case .f32: return Float(bitPattern: UInt32(littleEndian: at.loadUnaligned(as: UInt32.self)))
                case .f64: return Float(Double(bitPattern: UInt64(littleEndian: at.loadUnaligned(as: UInt64.self))))
                case .f16: return Float(Float16(bitPattern: UInt16(littleEndian: at.loadUnaligned(as: UInt16.self))))
                case .bf16: return Float(bitPattern: UInt32(UInt16(littleEndian: at.loadUnaligned(as: UInt16.self))) << 16)
                case .i64: return Float(Int64(littleEndian: at.loadUnaligned(as: Int64.self)))
                case .i32: return Float(Int32(littleEndian: at.loadUnaligned(as: Int32.self)))
                case .i16: return Float(Int16(littleEndian: at.loadUnaligned(as: Int16.self)))
                case .i8: return Float(at.loadUnaligned(as: Int8.self))
                case .u8: return Float(at.loadUnaligned(as: UInt8.self))
                case .bool: return at.loadUnaligned(as: UInt8.self) != 0 ? 1 : 0
                }
            }
        }
    }
}

extension Module {
    /// Saves the state dict as a safetensors file, atomically.
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDict(), metadata: metadata, to: path)
    }

    /// Loads a safetensors file into this module (strictly by default).
    /// - Throws: `FileError` for file problems, `StateDictError` for key or shape problems.
    public func load(from path: String, strict: Bool = true) throws {
        try loadStateDict(SafeTensors.read(path).tensors, strict: strict)
    }
}
