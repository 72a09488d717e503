import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData

/// Paired and unpaired folders kept as bytes (like image folders), read a
/// batch at a time through `ImageArray`, and cached beside the folder.
@Suite struct FolderBytesTests {
    /// A gray PNG of `width x height` whose pixel (x, y) is `value(x, y)`.
    func writeGray(_ path: String, width: Int, height: Int, _ value: (Int, Int) -> UInt8) throws {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels.append(value(x, y)) } }
        try AtomicFile.write(try PNG.encode(RasterImage(width: width, height: height, channels: 1, pixels: pixels)), to: path)
    }

    /// `count` side-by-side pairs of 10x10 halves in `root/train/`: A a pattern of the index, B its negative.
    func writePairs(_ root: String, count: Int, offset: Int = 0) throws {
        try FileManager.default.createDirectory(atPath: "\(root)/train", withIntermediateDirectories: true)
        for index in 0..<count {
            let pattern = { (x: Int, y: Int) in UInt8((x * 23 + y * 7 + (index + offset) * 41) % 256) }
            try writeGray("\(root)/train/\(index).png", width: 20, height: 10) { x, y in x < 10 ? pattern(x, y) : 255 - pattern(x - 10, y) }
        }
    }

    @Test func pairedFoldersStayBytesOfTheRoundedImage() throws {
        let root = temporaryDirectory("paired-bytes")
        try writePairs(root, count: 3)
        let pairs = try PairedFolder.load(directory: root, split: "train", channels: 1, size: 8)
        let (inputs, targets) = (try #require(pairs.inputImages.pixels), try #require(pairs.targetImages.pixels))
        #expect(inputs.shape == [3, 1, 8, 8] && targets.shape == [3, 1, 8, 8])
        // Each side is what the image folder decoder makes of the same half: resized, then rounded to 8 bits.
        var expected = FloatImage(try ImageFolder.decodeImage("\(root)/train/1.png"), channels: 1).columns(0..<10).resizedAndCropped(to: 8)
        expected.values = expected.values.map { $0.rounded() / 127.5 - 1 }
        #expect(pairs.inputImages.images(at: [1]).scalars == expected.values)
        // B = 255 - A survives the rounding (area weights of 10 → 8 never make exactly .5).
        let inputBytes = inputs.withBytes { Array($0) }
        #expect(targets.withBytes { Array($0) } == inputBytes.map { 255 - $0 })
    }

    @Test func pairedCacheIsMappedUntilAFileChanges() throws {
        let root = temporaryDirectory("paired-cache") + "/pairs"
        try writePairs(root, count: 4)
        let plain = try PairedFolder.load(directory: root, split: "train", channels: 1, size: 8)
        let made = try PairedFolder.load(directory: root, split: "train", channels: 1, size: 8, cache: true)
        #expect(made.inputs == plain.inputs && made.targets == plain.targets && made.names == plain.names)
        for side in ["a", "b"] {
            let array = try NPY.read("\(root).swiftgan-cache/train-c1-s8-\(side).npy")
            #expect(array.elementType == .uint8 && array.tensor.shape == [4, 1, 8, 8])
        }
        // Unchanged: mapped, nothing decoded, and reversing swaps the cached sides.
        let recorder = ProgressRecorder()
        let (again, reversed) = try ProgressReporting.withObserver(recorder) {
            (
                try PairedFolder.load(directory: root, split: "train", channels: 1, size: 8, cache: true),
                try PairedFolder.load(directory: root, split: "train", channels: 1, size: 8, reversed: true, cache: true)
            )
        }
        #expect(recorder.tasks["decoding images"] == nil)
        #expect(again.inputs == plain.inputs && reversed.inputs == plain.targets && reversed.targets == plain.inputs)
        // A changed file remakes both sides.
        try writePairs(root, count: 1, offset: 7)
        let changed = try PairedFolder.load(directory: root, split: "train", channels: 1, size: 8, cache: true)
        let fresh = try PairedFolder.load(directory: root, split: "train", channels: 1, size: 8)
        #expect(changed.inputs == fresh.inputs && changed.targets == fresh.targets && changed.inputs != plain.inputs)
        // A bad image is still an error naming it, and leaves the cache as it was.
        writeFile("\(root)/train/9.png", Array("not a png".utf8))
        expectDataError(file: "\(root)/train/9.png", "neither a PNG nor a JPEG") {
            _ = try PairedFolder.load(directory: root, split: "train", channels: 1, size: 8, cache: true)
        }
        let cached = try NPY.read("\(root).swiftgan-cache/train-c1-s8-a.npy")
        #expect(cached.tensor.shape == [4, 1, 8, 8])
    }

    @Test func bytesAndFloatsGiveTheSameBatches() throws {
        let root = temporaryDirectory("paired-batches")
        try writePairs(root, count: 6)
        // Jitter stores 10x10 for random 8x8 crops.
        let bytes = try PairedFolder.load(directory: root, split: "train", channels: 1, size: 8, jitter: true)
        #expect(bytes.inputImages.shape == [6, 1, 10, 10] && bytes.cropSize == 8)
        let floats = PairedDataset(
            inputs: bytes.inputs, targets: bytes.targets, labels: bytes.labels, classNames: bytes.classNames, names: bytes.names,
            cropSize: bytes.cropSize)
        let (fromBytes, fromFloats) = (
            PairedLoader(bytes, batchSize: 2, horizontalFlip: true, seed: 3), PairedLoader(floats, batchSize: 2, horizontalFlip: true, seed: 3)
        )
        for _ in 0..<7 {
            let (a, b) = (fromBytes.next(), fromFloats.next())
            #expect(a.inputs == b.inputs && a.targets == b.targets && a.inputs.shape == [2, 1, 8, 8])
        }
        #expect(bytes.centreCropped().inputs == floats.centreCropped().inputs && bytes.centreCropped().inputImages.pixels != nil)
        #expect(bytes.prefix(2).targets == floats.prefix(2).targets && bytes.prefix(2).targetImages.pixels != nil)
    }

    @Test func unpairedFoldersStayBytesAndCache() throws {
        let root = temporaryDirectory("unpaired-cache") + "/domains"
        for (domain, count) in [("trainA", 3), ("trainB", 5)] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(domain)", withIntermediateDirectories: true)
            for index in 0..<count {
                try writeGray("\(root)/\(domain)/\(index).png", width: 12, height: 12) { x, y in UInt8((x * 9 + y * 13 + index * 31 + count) % 256) }
            }
        }
        let plain = try UnpairedFolder.load(directory: root, split: "train", size: 8, jitter: true)
        #expect(plain.imagesA.pixels?.shape == [3, 1, 10, 10] && plain.imagesB.pixels?.shape == [5, 1, 10, 10])
        let made = try UnpairedFolder.load(directory: root, split: "train", size: 8, jitter: true, cache: true)
        #expect(made.domainA == plain.domainA && made.domainB == plain.domainB)
        #expect(FileManager.default.fileExists(atPath: "\(root)/trainA.swiftgan-cache/c1-s10.npy"))
        let recorder = ProgressRecorder()
        let again = try ProgressReporting.withObserver(recorder) {
            try UnpairedFolder.load(directory: root, split: "train", size: 8, jitter: true, cache: true)
        }
        #expect(recorder.tasks["decoding images"] == nil && again.domainB == plain.domainB)
        // The loader reads the same crops from bytes as from floats.
        let floats = UnpairedDataset(
            domainA: plain.domainA, domainB: plain.domainB, labelsA: plain.labelsA, labelsB: plain.labelsB, classNames: plain.classNames,
            cropSize: plain.cropSize)
        let (fromBytes, fromFloats) = (
            UnpairedLoader(again, batchSize: 2, horizontalFlip: true, seed: 9), UnpairedLoader(floats, batchSize: 2, horizontalFlip: true, seed: 9)
        )
        for _ in 0..<4 {
            let (a, b) = (fromBytes.next(), fromFloats.next())
            #expect(a.a == b.a && a.b == b.b && a.b.shape == [2, 1, 8, 8])
        }
        #expect(again.centreCropped().domainA == floats.centreCropped().domainA)
    }
}
