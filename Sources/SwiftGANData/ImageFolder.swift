import Foundation
import SwiftGANTensor

/// A directory of PNG and JPEG images as a dataset (torchvision's `ImageFolder`):
/// either flat (all images unlabelled, label 0) or one subdirectory per class
/// (sorted subdirectory names are the class names, label = index).
public enum ImageFolder {
    /// Loads every PNG and JPEG image under `directory`, decoded in parallel
    /// on the context's threads (reporting "decoding images" progress), as bytes.
    ///
    /// - Parameters:
    ///   - channels: 1 (gray, ITU-R 601 luma as PIL's "L") or 3 (RGB); alpha is dropped, gray is replicated.
    ///   - size: resize so the shorter side is `size` (area averaging when
    ///     shrinking, bilinear when growing), then centre-crop to `size x size`.
    ///     Without it, all images must already share one size.
    ///   - range: pixel scaling of the batches, `[-1, 1]` by default.
    ///   - cache: keep the decoded bytes in `DIRECTORY.swiftgan-cache/` (a
    ///     uint8 `.npy` and the file list it was made from) and memory-map
    ///     them: a later load of the unchanged folder decodes nothing, and a
    ///     folder larger than memory pages in as batches read it. Any added,
    ///     removed or changed file (size or modification time) remakes it.
    /// - Returns: images `[N, channels, H, W]` (kept as 8-bit values, pixels
    ///   rounded after conversion and resizing, as PIL does) with labels and class names.
    /// - Throws: `FileError` naming the file: a missing or empty directory, a
    ///   non-image file, an undecodable image, or mixed sizes without `size`.
    public static func load(
        directory: String, channels: Int = 3, size: Int? = nil,
        range: PixelRange = .minusOneToOne, cache: Bool = false
    ) throws -> ImageDataset {
        require(channels == 1 || channels == 3, "ImageFolder.load: channels must be 1 or 3, got \(channels)")
        require(size.map { $0 > 0 } ?? true, "ImageFolder.load: size must be positive")
        let (files, labels, classNames) = try listImages(directory)
        let pixels: PixelStore
        if cache {
            let cache = DecodedImageCache(directory: directory, files: files, channels: channels, size: size)
            pixels = try cache.load(range: range) { shape in
                shape[0] == files.count && shape[1] == channels && size.map { shape[2] == $0 && shape[3] == $0 } ?? true
            } shape: {
                try decodedShape(files, channels: channels, size: size)
            } decode: { arrays, shape in
                try decode(files, into: arrays[0], shape: shape, size: size)
            }[0]
        } else {
            let shape = try decodedShape(files, channels: channels, size: size)
            pixels = try PixelStore(shape: shape, range: range) { try decode(files, into: $0, shape: shape, size: size) }
        }
        return ImageDataset(pixels: pixels, labels: labels, classNames: classNames)
    }

    /// `[N, C, H, W]` the images decode to: `size x size`, or the first image's own size.
    static func decodedShape(_ files: [String], channels: Int, size: Int?) throws -> [Int] {
        if let size { return [files.count, channels, size, size] }
        let first = try decodeImage(files[0])
        return [files.count, channels, first.height, first.width]
    }

    /// Decodes `files` into `output` (`shape.reduce(*)` bytes) on the context's threads, each image's
    /// pixels rounded to 8 bits after conversion and resizing.
    /// - Throws: the error of the first file (in order) that failed.
    static func decode(_ files: [String], into output: UnsafeMutableBufferPointer<UInt8>, shape: [Int], size: Int?) throws {
        let (channels, height, width) = (shape[1], shape[2], shape[3])
        let imageSize = channels * height * width
        let base = UncheckedPointer(output.baseAddress!)
        let limit = ImageLimits.maximumPixels
        try ParallelDecode.run(count: files.count) { index in
            var image = FloatImage(try decodeImage(files[index], maximumPixels: limit), channels: channels)
            if let size { image = image.resizedAndCropped(to: size) }
            guard image.height == height && image.width == width else {
                throw FileError(
                    file: files[index], problem: "image is \(image.width)x\(image.height) but \(files[0]) is \(width)x\(height); pass a size to resize them")
            }
            image.storeBytes(at: base.pointer + index * imageSize)
        }
    }

    /// Image files in `directory` with labels: flat, or one subdirectory per class.
    static func listImages(_ directory: String) throws -> (files: [String], labels: [Int], classNames: [String]) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError(file: directory, problem: "no such directory")
        }
        let entries = try visibleEntries(directory)
        let subdirectories = entries.filter { isDirectoryPath("\(directory)/\($0)") }
        var files: [String] = []
        var labels: [Int] = []
        var classNames: [String] = []
        if subdirectories.isEmpty {
            files = try entries.map { try checkedImage("\(directory)/\($0)") }
            labels = Array(repeating: 0, count: files.count)
            classNames = [URL(fileURLWithPath: directory).lastPathComponent]
        } else {
            for name in entries where !subdirectories.contains(name) {
                throw FileError(file: "\(directory)/\(name)", problem: "a file beside class subdirectories; put every image in a class subdirectory")
            }
            for (label, name) in subdirectories.enumerated() {
                let classDirectory = "\(directory)/\(name)"
                for entry in try visibleEntries(classDirectory) {
                    let path = "\(classDirectory)/\(entry)"
                    guard !isDirectoryPath(path) else {
                        throw FileError(file: path, problem: "nested directory inside class '\(name)'")
                    }
                    files.append(try checkedImage(path))
                    labels.append(label)
                }
                classNames.append(name)
            }
        }
        guard !files.isEmpty else { throw FileError(file: directory, problem: "no PNG or JPEG images found") }
        return (files, labels, classNames)
    }

    private static func visibleEntries(_ directory: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw FileError(file: directory, problem: "cannot list the directory")
        }
    }

    private static func isDirectoryPath(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private static func checkedImage(_ path: String) throws -> String {
        let lowered = path.lowercased()
        guard lowered.hasSuffix(".png") || lowered.hasSuffix(".jpg") || lowered.hasSuffix(".jpeg") else {
            throw FileError(file: path, problem: "not an image (only .png, .jpg and .jpeg files may be in an image folder)")
        }
        return path
    }

    /// Decodes a PNG or JPEG file by its contents.
    /// - Parameter maximumPixels: the largest image accepted (the scope's `ImageLimits.maximumPixels`;
    ///   decode workers are given the caller's, since they run outside its scope).
    static func decodeImage(_ path: String, maximumPixels: Int = ImageLimits.maximumPixels) throws -> RasterImage {
        let bytes = try FileContents.read(path)
        if JPEG.isJPEG(bytes) { return try JPEG.decode(bytes, file: path, maximumPixels: maximumPixels) }
        if PNG.isPNG(bytes) { return try PNG.decode(bytes, file: path, maximumPixels: maximumPixels) }
        throw FileError(file: path, problem: "neither a PNG nor a JPEG file (unrecognised signature)")
    }
}

/// A float image in planar `[C, H, W]` layout with values 0...255.
struct FloatImage {
    var channels: Int, height: Int, width: Int
    var values: [Float]

    /// Converts an 8-bit image to `channels` planes (alpha dropped, gray
    /// replicated, RGB to luma with PIL's 299/587/114 weights).
    init(_ image: RasterImage, channels: Int) {
        self.channels = channels
        height = image.height
        width = image.width
        let pixelCount = image.width * image.height
        values = [Float](repeating: 0, count: channels * pixelCount)
        let color = image.channels >= 3
        for pixel in 0..<pixelCount {
            let base = pixel * image.channels
            if channels == 1 {
                if color {
                    let r = Float(image.pixels[base])
                    let g = Float(image.pixels[base + 1])
                    let b = Float(image.pixels[base + 2])
                    values[pixel] = (r * 299 + g * 587 + b * 114) / 1000
                } else {
                    values[pixel] = Float(image.pixels[base])
                }
            } else {
                for channel in 0..<3 {
                    values[channel * pixelCount + pixel] = Float(image.pixels[base + (color ? channel : 0)])
                }
            }
        }
    }

    /// Writes the values rounded to 8 bits (clamped to 0...255) at `destination`, `channels * height * width` bytes.
    func storeBytes(at destination: UnsafeMutablePointer<UInt8>) {
        for offset in values.indices { destination[offset] = UInt8(Swift.min(Swift.max(values[offset].rounded(), 0), 255)) }
    }

    init(channels: Int, height: Int, width: Int, values: [Float]) {
        self.channels = channels
        self.height = height
        self.width = width
        self.values = values
    }

    /// Shorter side to `size`, then the central `size x size` square.
    /// An image more than 4 times as long as it is wide is first cut to the
    /// central 4:1 part (the square and ample filter support around it), so
    /// a 1 x 50,000,000 image is not enlarged to billions of pixels first.
    func resizedAndCropped(to size: Int) -> FloatImage {
        let shorter = Swift.min(height, width)
        if Swift.max(height, width) > 4 * shorter {
            let (cutHeight, cutWidth) = (Swift.min(height, 4 * shorter), Swift.min(width, 4 * shorter))
            let (top, left) = ((height - cutHeight) / 2, (width - cutWidth) / 2)
            var values = [Float](repeating: 0, count: channels * cutHeight * cutWidth)
            for channel in 0..<channels {
                for row in 0..<cutHeight {
                    for column in 0..<cutWidth {
                        values[(channel * cutHeight + row) * cutWidth + column] = self.values[(channel * height + top + row) * width + left + column]
                    }
                }
            }
            return FloatImage(channels: channels, height: cutHeight, width: cutWidth, values: values).resizedAndCropped(to: size)
        }
        let scale = Double(size) / Double(Swift.min(height, width))
        let newHeight = Swift.max(size, Int((Double(height) * scale).rounded()))
        let newWidth = Swift.max(size, Int((Double(width) * scale).rounded()))
        let resized = (newHeight == height && newWidth == width) ? self : resized(height: newHeight, width: newWidth)
        let top = (newHeight - size) / 2
        let left = (newWidth - size) / 2
        var cropped = [Float](repeating: 0, count: channels * size * size)
        for channel in 0..<channels {
            for row in 0..<size {
                for column in 0..<size {
                    cropped[(channel * size + row) * size + column] =
                        resized.values[(channel * newHeight + top + row) * newWidth + left + column]
                }
            }
        }
        return FloatImage(channels: channels, height: size, width: size, values: cropped)
    }

    /// Separable resampling: area averaging along an axis that shrinks,
    /// bilinear (half-pixel centres) along an axis that grows.
    func resized(height newHeight: Int, width newWidth: Int) -> FloatImage {
        let horizontal = Resampling.weights(from: width, to: newWidth)
        let vertical = Resampling.weights(from: height, to: newHeight)
        var rows = [Float](repeating: 0, count: channels * height * newWidth)
        for channel in 0..<channels {
            for row in 0..<height {
                let source = (channel * height + row) * width
                let destination = (channel * height + row) * newWidth
                for (column, taps) in horizontal.enumerated() {
                    rows[destination + column] = taps.reduce(0) { $0 + $1.weight * values[source + $1.index] }
                }
            }
        }
        var result = [Float](repeating: 0, count: channels * newHeight * newWidth)
        for channel in 0..<channels {
            for (row, taps) in vertical.enumerated() {
                for column in 0..<newWidth {
                    result[(channel * newHeight + row) * newWidth + column] =
                        taps.reduce(0) { $0 + $1.weight * rows[(channel * height + $1.index) * newWidth + column] }
                }
            }
        }
        return FloatImage(channels: channels, height: newHeight, width: newWidth, values: result)
    }
}

/// One-dimensional resampling weights.
enum Resampling {
    /// For each output position, the input positions and weights (summing to 1).
    static func weights(from inputLength: Int, to outputLength: Int) -> [[(index: Int, weight: Float)]] {
        let scale = Double(inputLength) / Double(outputLength)
        return (0..<outputLength).map { output in
            if scale >= 1 {
                // Area: the output pixel covers [output·scale, (output+1)·scale) of the input.
                let start = Double(output) * scale
                let end = start + scale
                var taps: [(Int, Float)] = []
                var position = Int(start)
                while Double(position) < end && position < inputLength {
                    let overlap = Swift.min(end, Double(position + 1)) - Swift.max(start, Double(position))
                    if overlap > 1e-9 { taps.append((position, Float(overlap / scale))) }
                    position += 1
                }
                return taps
            }
            // Bilinear with half-pixel centres, clamped at the edges.
            let source = Swift.max((Double(output) + 0.5) * scale - 0.5, 0)
            let low = Swift.min(Int(source), inputLength - 1)
            let high = Swift.min(low + 1, inputLength - 1)
            let fraction = Float(source - Double(low))
            return high == low || fraction == 0 ? [(index: low, weight: Float(1))] : [(index: low, weight: 1 - fraction), (index: high, weight: fraction)]
        }
    }
}

/// Single image files as tensors, for tools that translate or score one
/// image at a time.
public enum ImageFile {
    /// Whether `path` names a PNG or JPEG file by its extension.
    public static func isImagePath(_ path: String) -> Bool {
        let lowered = path.lowercased()
        return lowered.hasSuffix(".png") || lowered.hasSuffix(".jpg") || lowered.hasSuffix(".jpeg")
    }

    /// Reads a PNG or JPEG file as `[1, channels, size, size]` in [-1, 1]
    /// (gray or RGB as `ImageFolder.load` converts; resized so the shorter
    /// side is `size`, then centre-cropped, unless it already is `size` square).
    /// - Throws: `FileError` naming the file.
    public static func read(_ path: String, channels: Int, size: Int) throws -> Tensor {
        require(channels == 1 || channels == 3, "ImageFile.read: channels must be 1 or 3, got \(channels)")
        var image = FloatImage(try ImageFolder.decodeImage(path), channels: channels)
        if image.height != size || image.width != size { image = image.resizedAndCropped(to: size) }
        return Tensor(image.values.map { PixelRange.minusOneToOne.scale($0) }, shape: [1, channels, size, size])
    }

    /// Writes `[C, H, W]` (C = 1 or 3) in [-1, 1] as a PNG file, atomically.
    /// - Throws: `FileError` naming the path.
    public static func writePNG(_ image: Tensor, to path: String) throws {
        try AtomicFile.write(try PNG.encode(ImageGrid.pngImage(image)), to: path)
    }
}
