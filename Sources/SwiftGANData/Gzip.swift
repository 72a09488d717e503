import CZlib
import SwiftGANTensor

/// gzip (RFC 1952) compression and decompression through zlib: the only
/// file that calls zlib.
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number 1f 8b.
    public static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed contents of a gzip stream (concatenated members are joined).
    /// - Parameter limit: the most bytes the stream may decompress to; a
    ///   stream that would give more (a gzip bomb) is refused as soon as it passes the limit.
    /// - Throws: `FileError` naming `file` for corrupt, truncated or oversized data.
    public static func decompress(_ bytes: [UInt8], file: String, limit: Int = .max) throws -> [UInt8] {
        let (output, finished) = try inflateStream(bytes, file: file, stopAfter: limit == .max ? .max : limit + 1)
        guard output.count <= limit else {
            throw FileError(file: file, problem: "decompresses to more than the \(limit) bytes it may hold")
        }
        guard finished else {
            throw FileError(file: file, problem: "truncated gzip data: the stream ends after \(bytes.count) compressed bytes without its trailer")
        }
        return output
    }

    /// The first `count` decompressed bytes of a gzip stream (fewer if it is
    /// shorter), decompressing no further than that.
    /// - Throws: `FileError` naming `file` for corrupt data.
    public static func decompressedPrefix(_ bytes: [UInt8], count: Int, file: String) throws -> [UInt8] {
        let output = try inflateStream(bytes, file: file, stopAfter: count).output
        return Array(output.prefix(count))
    }

    /// Inflates until the stream ends or `stopAfter` bytes came out; says whether the stream ended.
    /// With `raw`, a bare deflate stream (as ZIP archives hold) instead of a gzip member.
    static func inflateStream(_ bytes: [UInt8], file: String, stopAfter: Int, raw: Bool = false) throws -> (output: [UInt8], finished: Bool) {
        guard bytes.count <= Int(UInt32.max) else {
            throw FileError(file: file, problem: "gzip files of 4 GiB and more are not supported (\(bytes.count) bytes); decompress it first")
        }
        var stream = z_stream()
        // 16 + MAX_WBITS: expect a gzip header and trailer; -MAX_WBITS: neither.
        guard inflateInit2_(&stream, raw ? -MAX_WBITS : 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw FileError(file: file, problem: "cannot initialise zlib")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(Swift.min(bytes.count * 4, stopAfter))
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var input = bytes
        var finished = false
        try input.withUnsafeMutableBufferPointer { inputBuffer in
            stream.next_in = inputBuffer.baseAddress
            stream.avail_in = UInt32(inputBuffer.count)
            while output.count < stopAfter {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { chunkBuffer in
                    stream.next_out = chunkBuffer.baseAddress
                    stream.avail_out = UInt32(chunkBuffer.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow (as `gzip -c a b` writes).
                    if !raw && stream.avail_in > 0 && inflateReset(&stream) == Z_OK { continue }
                    finished = true
                    return
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: the input ended before the stream did.
                    return
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw FileError(file: file, problem: "corrupt gzip data: \(message)")
                }
            }
        }
        return (output, finished)
    }

    /// `bytes` compressed as one gzip member (level 6, like `gzip`).
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        require(status == Z_OK, "Gzip.compress: zlib initialisation failed (\(status))")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))) + 32)
        var input = bytes
        let produced: Int = input.withUnsafeMutableBufferPointer { inputBuffer in
            output.withUnsafeMutableBufferPointer { outputBuffer in
                stream.next_in = inputBuffer.baseAddress
                stream.avail_in = UInt32(inputBuffer.count)
                stream.next_out = outputBuffer.baseAddress
                stream.avail_out = UInt32(outputBuffer.count)
                let result = deflate(&stream, Z_FINISH)
                require(result == Z_STREAM_END, "Gzip.compress: deflate failed (\(result))")
                return outputBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[0..<produced])
    }
}
