import SwiftGANTensor

/// Sample grids like `torchvision.utils.make_grid` + `save_image`.
public enum ImageGrid {
    /// Lays out a batch `[N, C, H, W]` as one image `[C, H', W']`: `nrow`
    /// images per row, `padding` pixels around and between them filled with
    /// `padValue` (in the images' own range), each image upscaled by an
    /// integer `scale` (nearest neighbour).
    ///
    /// H' = rows · (H·scale + padding) + padding with rows = ⌈N / nrow⌉, and
    /// W' = min(nrow, N) · (W·scale + padding) + padding.
    public static func make(
        _ images: Tensor, nrow: Int = 8, padding: Int = 2, padValue: Float = -1,
        scale: Int = 1
    ) -> Tensor {
        require(images.rank == 4 && images.shape[0] > 0, "ImageGrid.make: expected a non-empty [N, C, H, W], got \(images.shape)")
        require(
            nrow > 0 && padding >= 0 && scale >= 1,
            "ImageGrid.make: nrow \(nrow) and scale \(scale) must be positive and padding \(padding) non-negative")
        let (count, channels) = (images.shape[0], images.shape[1])
        let (height, width) = (images.shape[2] * scale, images.shape[3] * scale)
        let columns = Swift.min(nrow, count)
        let rows = (count + columns - 1) / columns
        let gridHeight = rows * (height + padding) + padding
        let gridWidth = columns * (width + padding) + padding
        var grid = [Float](repeating: padValue, count: channels * gridHeight * gridWidth)
        let source = images.scalars
        let (sourceHeight, sourceWidth) = (images.shape[2], images.shape[3])
        for index in 0..<count {
            let top = (index / columns) * (height + padding) + padding
            let left = (index % columns) * (width + padding) + padding
            for channel in 0..<channels {
                let plane = (index * channels + channel) * sourceHeight * sourceWidth
                for row in 0..<height {
                    let sourceRow = plane + (row / scale) * sourceWidth
                    let destinationRow = (channel * gridHeight + top + row) * gridWidth + left
                    for column in 0..<width { grid[destinationRow + column] = source[sourceRow + column / scale] }
                }
            }
        }
        return Tensor(grid, shape: [channels, gridHeight, gridWidth])
    }

    /// An 8-bit PNG image from `[C, H, W]` values in `[-1, 1]` (C = 1 or 3):
    /// byte = clamp(round(((v + 1) / 2) · 255)), as torchvision's `save_image`.
    public static func pngImage(_ image: Tensor) -> RasterImage {
        require(
            image.rank == 3 && (image.shape[0] == 1 || image.shape[0] == 3),
            "ImageGrid.pngImage: expected [1 or 3, H, W], got \(image.shape)")
        let (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2])
        let values = image.scalars
        var pixels = [UInt8](repeating: 0, count: channels * height * width)
        for channel in 0..<channels {
            for pixel in 0..<(height * width) {
                let value = (values[channel * height * width + pixel] + 1) / 2 * 255 + 0.5
                pixels[pixel * channels + channel] = UInt8(Swift.min(Swift.max(value, 0), 255))
            }
        }
        return RasterImage(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// A class grid's order: for a batch `[N, C, H, W]` whose image i has
    /// class i mod `classes` (how conditional samples cycle through the
    /// classes), the same images reordered so that `make(_, nrow:)` with the
    /// returned `nrow` = N / `classes` puts class r in row r, in the images'
    /// order. Nil unless N is a positive multiple of `classes`.
    public static func classRows(_ images: Tensor, classes: Int) -> (images: Tensor, nrow: Int)? {
        guard classes >= 1, images.rank >= 1, images.shape[0] >= classes, images.shape[0] % classes == 0 else { return nil }
        let perClass = images.shape[0] / classes
        let order = (0..<classes).flatMap { row in (0..<perClass).map { row + $0 * classes } }
        return (images.indexSelect(order), perClass)
    }

    /// Writes a batch `[N, C, H, W]` in `[-1, 1]` as a PNG grid, atomically.
    /// - Throws: `FileError` naming the path if it cannot be written.
    public static func write(
        _ images: Tensor, to path: String, nrow: Int = 8, padding: Int = 2,
        padValue: Float = -1, scale: Int = 1
    ) throws {
        let bytes = try PNG.encode(pngImage(make(images, nrow: nrow, padding: padding, padValue: padValue, scale: scale)))
        try AtomicFile.write(bytes, to: path)
    }
}
