import Foundation
import SwiftGANTensor

/// Paired image folders, in the two layouts pix2pix users bring:
///
/// ```
/// DIR/train/1.png  DIR/test/…       one image per pair, A on the left half, B on the right (pix2pix's datasets)
/// DIR/train/A/1.png  DIR/train/B/1.png   two folders with matching file names (also DIR/A/train, DIR/B/train)
/// ```
///
/// The translation maps A to B (or B to A with `reversed`).
public enum PairedFolder {
    /// Loads `split` (`train` or `test`) of the folder at `directory`.
    ///
    /// - Parameters:
    ///   - channels: 1 (gray) or 3 (RGB) for both sides.
    ///   - size: resize each side so the shorter edge is `size` and centre-crop it square;
    ///     nil keeps the images' own (square, equal) size.
    ///   - jitter: store the images at 1.125x `size` (or of their own size
    ///     without one; rounded to an even size: 288 for 256) for the loader's
    ///     random crops back to it (pix2pix's 286 → 256).
    ///   - cache: keep the decoded sides in `DIR.swiftgan-cache/` (`{split}-c{C}-s{S}-a.npy`
    ///     and `-b.npy`, remade when a file changes) and memory-map them, as `ImageFolder.load` does.
    /// - Returns: the pairs, kept as 8-bit values (pixels rounded after conversion and resizing, as PIL does).
    /// - Throws: `FileError` naming the file: a missing or empty split, an
    ///   `AB` image of odd width, a pair whose halves differ in size, a file
    ///   in `A/` without its partner in `B/` (or the reverse), an undecodable image.
    public static func load(
        directory: String, split: String, channels: Int = 3, size: Int? = nil, jitter: Bool = false,
        reversed: Bool = false, cache: Bool = false
    ) throws -> PairedDataset {
        require(channels == 1 || channels == 3, "PairedFolder.load: channels must be 1 or 3, got \(channels)")
        let pairs = try listPairs(directory: directory, split: split)
        // Without a size, jitter crops back to the first image's own (square) size.
        let cropSize = jitter ? try size ?? decodePair(pairs[0], channels: channels).0.height : size
        let loadSize = cropSize.map { jitter ? ($0 * 9 / 8 + 1) / 2 * 2 : $0 }
        func shape() throws -> [Int] {
            let side = try loadSize ?? decodePair(pairs[0], channels: channels).0.height
            return [pairs.count, channels, side, side]
        }
        let sides: (a: PixelStore, b: PixelStore)
        if cache {
            var seen = Set<String>()
            let files = pairs.flatMap { [$0.a, $0.b] }.filter { seen.insert($0).inserted }
            let store = DecodedImageCache(directory: directory, files: files, channels: channels, size: loadSize, prefix: "\(split)-", suffixes: ["-a", "-b"])
            let stores = try store.load(range: .minusOneToOne) { cached in
                cached[0] == pairs.count && cached[1] == channels && cached[2] == cached[3] && loadSize.map { cached[2] == $0 } ?? true
            } shape: {
                try shape()
            } decode: { arrays, shape in
                try decode(pairs, into: (arrays[0], arrays[1]), shape: shape, size: loadSize)
            }
            sides = (stores[0], stores[1])
        } else {
            let shape = try shape()
            var b: PixelStore?
            let a = try PixelStore(shape: shape) { aBytes in
                b = try PixelStore(shape: shape) { bBytes in try decode(pairs, into: (aBytes, bBytes), shape: shape, size: loadSize) }
            }
            sides = (a, b!)
        }
        let (input, target) = reversed ? (sides.b, sides.a) : (sides.a, sides.b)
        return PairedDataset(
            inputImages: .bytes(input), targetImages: .bytes(target), labels: Array(repeating: 0, count: pairs.count),
            classNames: [URL(fileURLWithPath: directory).lastPathComponent], names: pairs.map(\.name), cropSize: jitter ? cropSize : nil)
    }

    /// Decodes every pair's A and B sides into `outputs` (`shape.reduce(*)` bytes each) on the context's threads,
    /// resized to `size` when given, pixels rounded to 8 bits.
    /// - Throws: the error of the first pair (in order) that failed: a non-square image, or one not of `shape`'s size.
    static func decode(
        _ pairs: [Pair], into outputs: (a: UnsafeMutableBufferPointer<UInt8>, b: UnsafeMutableBufferPointer<UInt8>), shape: [Int], size: Int?
    ) throws {
        let (channels, side) = (shape[1], shape[2])
        let imageSize = channels * side * side
        let (aBase, bBase) = (UncheckedPointer(outputs.a.baseAddress!), UncheckedPointer(outputs.b.baseAddress!))
        let limit = ImageLimits.maximumPixels
        try ParallelDecode.run(count: pairs.count) { index in
            let pair = pairs[index]
            var (a, b) = try decodePair(pair, channels: channels, maximumPixels: limit)
            if let size {
                a = a.resizedAndCropped(to: size)
                b = b.resizedAndCropped(to: size)
            }
            guard a.height == a.width else {
                throw FileError(file: pair.a, problem: "images are \(a.width)x\(a.height); pass an image size to resize them square")
            }
            guard a.height == side else {
                throw FileError(file: pair.a, problem: "pairs are \(a.width)x\(a.height) here but \(side)x\(side) in \(pairs[0].a); pass an image size")
            }
            a.storeBytes(at: aBase.pointer + index * imageSize)
            b.storeBytes(at: bBase.pointer + index * imageSize)
        }
    }

    /// One pair's files: one side-by-side image (`a == b`) or two files.
    struct Pair {
        var name: String
        var a: String
        var b: String
        var sideBySide: Bool { a == b }
    }

    /// Whether `directory` has a `split` in either layout.
    public static func hasSplit(directory: String, split: String) -> Bool {
        ["\(directory)/\(split)", "\(directory)/A/\(split)", "\(directory)/B/\(split)"].contains(where: isDirectory)
    }

    static func listPairs(directory: String, split: String) throws -> [Pair] {
        let candidates = [("\(directory)/\(split)/A", "\(directory)/\(split)/B"), ("\(directory)/A/\(split)", "\(directory)/B/\(split)")]
        for (aDirectory, bDirectory) in candidates where isDirectory(aDirectory) || isDirectory(bDirectory) {
            guard isDirectory(aDirectory) else { throw FileError(file: aDirectory, problem: "missing: \(bDirectory) needs its A side") }
            guard isDirectory(bDirectory) else { throw FileError(file: bDirectory, problem: "missing: \(aDirectory) needs its B side") }
            let aNames = try images(in: aDirectory)
            let bNames = try images(in: bDirectory)
            if let orphan = aNames.first(where: { !bNames.contains($0) }) {
                throw FileError(file: "\(aDirectory)/\(orphan)", problem: "has no partner \(bDirectory)/\(orphan)")
            }
            if let orphan = bNames.first(where: { !aNames.contains($0) }) {
                throw FileError(file: "\(bDirectory)/\(orphan)", problem: "has no partner \(aDirectory)/\(orphan)")
            }
            guard !aNames.isEmpty else { throw FileError(file: aDirectory, problem: "no PNG or JPEG images in this split") }
            return aNames.map { Pair(name: $0, a: "\(aDirectory)/\($0)", b: "\(bDirectory)/\($0)") }
        }
        let splitDirectory = "\(directory)/\(split)"
        guard isDirectory(splitDirectory) else {
            throw FileError(
                file: splitDirectory, problem: "no such directory (expected \(split)/ with side-by-side AB images, or \(split)/A and \(split)/B)")
        }
        let names = try images(in: splitDirectory)
        guard !names.isEmpty else { throw FileError(file: splitDirectory, problem: "no PNG or JPEG images in this split") }
        return names.map { Pair(name: $0, a: "\(splitDirectory)/\($0)", b: "\(splitDirectory)/\($0)") }
    }

    /// Sorted image file names in `directory`; anything else is an error.
    static func images(in directory: String) throws -> [String] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw FileError(file: directory, problem: "cannot list the directory")
        }
        for entry in entries {
            let lowered = entry.lowercased()
            guard lowered.hasSuffix(".png") || lowered.hasSuffix(".jpg") || lowered.hasSuffix(".jpeg") else {
                throw FileError(file: "\(directory)/\(entry)", problem: "not an image (only .png, .jpg and .jpeg files may be in a paired folder)")
            }
        }
        return entries
    }

    /// The two sides of a pair at their stored size.
    static func decodePair(_ pair: Pair, channels: Int, maximumPixels: Int = ImageLimits.maximumPixels) throws -> (FloatImage, FloatImage) {
        if pair.sideBySide {
            let image = FloatImage(try ImageFolder.decodeImage(pair.a, maximumPixels: maximumPixels), channels: channels)
            guard image.width % 2 == 0 else {
                throw FileError(file: pair.a, problem: "a side-by-side AB image must have an even width, this one is \(image.width) pixels wide")
            }
            let half = image.width / 2
            return (image.columns(0..<half), image.columns(half..<image.width))
        }
        let a = FloatImage(try ImageFolder.decodeImage(pair.a, maximumPixels: maximumPixels), channels: channels)
        let b = FloatImage(try ImageFolder.decodeImage(pair.b, maximumPixels: maximumPixels), channels: channels)
        guard a.width == b.width && a.height == b.height else {
            throw FileError(file: pair.b, problem: "is \(b.width)x\(b.height) but its partner \(pair.a) is \(a.width)x\(a.height)")
        }
        return (a, b)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }
}

extension FloatImage {
    /// The columns `range` of every row and channel.
    func columns(_ range: Range<Int>) -> FloatImage {
        var result: [Float] = []
        result.reserveCapacity(channels * height * range.count)
        for line in 0..<(channels * height) { result += values[(line * width + range.lowerBound)..<(line * width + range.upperBound)] }
        return FloatImage(channels: channels, height: height, width: range.count, values: result)
    }
}
