import SwiftGANTensor

/// An 8-bit image: `height` rows of `width` pixels of `channels`
/// interleaved samples (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
public struct RasterImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    /// The most pixels a decoded PNG or JPEG may have (50 megapixels: a
    /// large camera photo), checked against the file's header before any
    /// pixel is allocated, so a small file claiming a huge image is refused.
    /// Pass another `maximumPixels` to the decoders, or run inside
    /// `ImageLimits.withMaximumPixels` (`--max-pixels`), for larger images.
    public static let defaultMaximumPixels = 50_000_000

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        require([1, 2, 3, 4].contains(channels), "RasterImage: channels must be 1...4, got \(channels)")
        require(
            pixels.count == width * height * channels,
            "RasterImage: \(pixels.count) bytes for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }
}
