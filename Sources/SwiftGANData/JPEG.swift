import CJPEG
import SwiftGANTensor

/// JPEG decoding through libjpeg-turbo (Debian `libjpeg-dev`): the only file
/// that calls it. Images decode to 8-bit gray or RGB.
public enum JPEG {
    /// Whether `bytes` start with the JPEG SOI marker.
    public static func isJPEG(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF
    }

    /// Decodes JPEG bytes; `file` names them in errors.
    /// - Throws: `FileError` with libjpeg's message, for a header claiming
    ///   more than `maximumPixels` pixels, or for data that ends before the image.
    public static func decode(_ bytes: [UInt8], file: String, maximumPixels: Int = ImageLimits.maximumPixels) throws -> RasterImage {
        guard isJPEG(bytes) else { throw FileError(file: file, problem: "not a JPEG file (no SOI marker)") }
        var pixels: UnsafeMutablePointer<UInt8>?
        var width: Int32 = 0
        var height: Int32 = 0
        var channels: Int32 = 0
        var message = [CChar](repeating: 0, count: 256)
        let ok = bytes.withUnsafeBufferPointer { data in
            message.withUnsafeMutableBufferPointer { text in
                swiftgan_jpeg_decode(
                    data.baseAddress, data.count, maximumPixels, &pixels, &width, &height, &channels,
                    text.baseAddress, text.count)
            }
        }
        guard ok == 1, let pixels else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw FileError(file: file, problem: "cannot decode JPEG: \(text)")
        }
        defer { swiftgan_jpeg_free(pixels) }
        let count = Int(width) * Int(height) * Int(channels)
        return RasterImage(
            width: Int(width), height: Int(height), channels: Int(channels),
            pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
    }
}
