import Foundation
import SwiftGANTensor

/// Unpaired domain folders in CycleGAN's dataset layout:
///
/// ```
/// DIR/trainA/*.png   DIR/trainB/*.jpg   DIR/testA/…   DIR/testB/…
/// ```
///
/// The two domains may hold different numbers of images (and class
/// subdirectories, as an image folder may).
public enum UnpairedFolder {
    /// Loads `split` (`train` or `test`): `DIR/{split}A` and `DIR/{split}B`.
    ///
    /// - Parameters:
    ///   - channels: 1 (gray) or 3 (RGB) for both domains; nil keeps the
    ///     domains' own channels (from their first images), which must agree.
    ///   - size: resize each image so the shorter side is `size` and
    ///     centre-crop it square; nil keeps the images' own (square, equal) size.
    ///   - jitter: store the images at 1.125x the size for the loader's random crops back to it.
    ///   - cache: keep each domain's decoded bytes in `DIR/{split}A.swiftgan-cache/` and
    ///     `…B.swiftgan-cache/` and memory-map them (`ImageFolder.load(cache:)`).
    /// - Throws: `FileError` naming the directory or file: a missing or empty
    ///   domain, domains of different channels without `channels`, images of
    ///   different or non-square sizes without `size`, an undecodable image.
    public static func load(
        directory: String, split: String, channels: Int? = nil, size: Int? = nil, jitter: Bool = false, cache: Bool = false
    ) throws
        -> UnpairedDataset
    {
        require(channels.map { $0 == 1 || $0 == 3 } ?? true, "UnpairedFolder.load: channels must be 1 or 3")
        let (pathA, pathB) = ("\(directory)/\(split)A", "\(directory)/\(split)B")
        let resolvedChannels = try channels ?? agreedChannels(pathA, pathB)
        let cropSize = jitter ? try size ?? ownSize(pathA) : size
        let loadSize = cropSize.map { jitter ? ($0 * 9 / 8 + 1) / 2 * 2 : $0 }
        let a = try ImageFolder.load(directory: pathA, channels: resolvedChannels, size: loadSize, cache: cache)
        let b = try ImageFolder.load(directory: pathB, channels: resolvedChannels, size: loadSize, cache: cache)
        for (path, images) in [(pathA, a), (pathB, b)] where images.imageShape[1] != images.imageShape[2] {
            throw FileError(file: path, problem: "images are \(images.imageShape[2])x\(images.imageShape[1]); pass an image size to resize them square")
        }
        guard a.imageShape == b.imageShape else {
            throw FileError(
                file: pathB,
                problem: "images are \(b.imageShape[2])x\(b.imageShape[1]) but \(pathA)'s are \(a.imageShape[2])x\(a.imageShape[1]); pass an image size")
        }
        let (namesA, namesB) = (try ImageFolder.listImages(pathA).files, try ImageFolder.listImages(pathB).files)
        func relative(_ files: [String], _ root: String) -> [String] { files.map { String($0.dropFirst(root.count + 1)) } }
        return UnpairedDataset(
            imagesA: a.imageArray, imagesB: b.imageArray, labelsA: a.labels, labelsB: b.labels, classNames: a.classNames,
            namesA: relative(namesA, pathA), namesB: relative(namesB, pathB), cropSize: jitter ? cropSize : nil)
    }

    /// Whether `DIR/{split}A` and `DIR/{split}B` both exist.
    public static func hasSplit(directory: String, split: String) -> Bool {
        ["A", "B"].allSatisfy { isDirectory("\(directory)/\(split)\($0)") }
    }

    /// The channels of the first image of a domain directory: 1 for gray (with or without alpha), 3 for colour.
    public static func nativeChannels(_ domain: String) throws -> Int {
        let first = try ImageFolder.listImages(domain).files[0]
        return try ImageFolder.decodeImage(first).channels <= 2 ? 1 : 3
    }

    private static func agreedChannels(_ pathA: String, _ pathB: String) throws -> Int {
        let (a, b) = (try nativeChannels(pathA), try nativeChannels(pathB))
        guard a == b else {
            func kind(_ channels: Int) -> String { channels == 1 ? "grayscale" : "colour" }
            throw FileError(
                file: pathB,
                problem: "holds \(kind(b)) images but \(pathA) holds \(kind(a)) ones; pass a channel count (1 or 3) to convert both domains")
        }
        return a
    }

    private static func ownSize(_ domain: String) throws -> Int {
        let image = try ImageFolder.decodeImage(ImageFolder.listImages(domain).files[0])
        return Swift.min(image.width, image.height)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
