import CPNG
import Foundation
import SwiftGANTensor

/// PNG decoding and encoding through libpng's simplified API: the only file
/// that calls libpng.
public enum PNG {
    // libpng's PNG_FORMAT_FLAG_* bits.
    private static let alphaFlag: UInt32 = 0x01
    private static let colorFlag: UInt32 = 0x02

    /// Whether `bytes` start with the PNG signature.
    public static func isPNG(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// Decodes a PNG of any bit depth, colour type or interlacing to 8-bit
    /// samples, keeping its channels (palette images become RGB or RGBA).
    /// - Throws: `FileError` naming `file` with libpng's message, or for a header claiming more than `maximumPixels` pixels.
    public static func decode(_ bytes: [UInt8], file: String, maximumPixels: Int = ImageLimits.maximumPixels) throws -> RasterImage {
        guard isPNG(bytes) else { throw FileError(file: file, problem: "not a PNG file (no PNG signature)") }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let began = bytes.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else {
            let message = errorMessage(&image)
            png_image_free(&image)
            throw FileError(file: file, problem: "cannot decode PNG: \(message)")
        }
        // 8-bit sRGB samples with the file's own colour and alpha.
        image.format = image.format & (alphaFlag | colorFlag)
        let channels = (image.format & colorFlag != 0 ? 3 : 1) + (image.format & alphaFlag != 0 ? 1 : 0)
        let width = Int(image.width)
        let height = Int(image.height)
        guard width > 0, height > 0, width * height <= maximumPixels else {
            png_image_free(&image)
            throw FileError(
                file: file, problem: "the header claims \(width)x\(height) pixels, more than the limit of \(maximumPixels) (gan --max-pixels N raises it)")
        }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let finished = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
        guard finished != 0 else {
            let message = errorMessage(&image)
            png_image_free(&image)
            throw FileError(file: file, problem: "cannot decode PNG: \(message)")
        }
        return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Reads and decodes a PNG file.
    public static func read(_ path: String) throws -> RasterImage {
        try decode(FileContents.read(path), file: path)
    }

    /// Encodes an 8-bit gray, gray+alpha, RGB or RGBA image as PNG bytes.
    public static func encode(_ picture: RasterImage) throws -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(picture.width)
        image.height = UInt32(picture.height)
        image.format = (picture.channels >= 3 ? colorFlag : 0) | (picture.channels % 2 == 0 ? alphaFlag : 0)
        var size = 0
        // First call: ask for the size.
        var ok = picture.pixels.withUnsafeBytes { png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }
        guard ok != 0 else {
            throw FileError(file: "(memory)", problem: "cannot encode PNG: \(errorMessage(&image))")
        }
        var output = [UInt8](repeating: 0, count: size)
        ok = output.withUnsafeMutableBytes { out in
            picture.pixels.withUnsafeBytes { png_image_write_to_memory(&image, out.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        guard ok != 0 else {
            throw FileError(file: "(memory)", problem: "cannot encode PNG: \(errorMessage(&image))")
        }
        return Array(output.prefix(size))
    }

    private static func errorMessage(_ image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let text = raw.prefix { $0 != 0 }
            return String(decoding: text, as: UTF8.self)
        }
    }
}
