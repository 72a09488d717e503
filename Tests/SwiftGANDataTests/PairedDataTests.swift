import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData

/// Paired folders, the paired loader's shared augmentation, and the
/// built-in translation tasks.
@Suite("Paired data")
struct PairedDataTests {
    /// Writes a gray PNG whose pixel (x, y) is `value(x, y)`.
    func writeGray(_ path: String, width: Int, height: Int, _ value: (Int, Int) -> UInt8) throws {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { pixels.append(value(x, y)) } }
        writeFile(path, try PNG.encode(RasterImage(width: width, height: height, channels: 1, pixels: pixels)))
    }

    /// A distinct, asymmetric pattern per image index.
    func pattern(_ index: Int) -> (Int, Int) -> UInt8 { { x, y in UInt8((x * 17 + y * 5 + index * 40) % 256) } }

    // MARK: Folders

    @Test func sideBySideFolder() throws {
        let root = temporaryDirectory("ab")
        try FileManager.default.createDirectory(atPath: "\(root)/train", withIntermediateDirectories: true)
        for index in 0..<3 {
            // Left half A, right half B = 255 - A.
            try writeGray("\(root)/train/\(index).png", width: 16, height: 8) { x, y in
                x < 8 ? pattern(index)(x, y) : 255 - pattern(index)(x - 8, y)
            }
        }
        let pairs = try PairedFolder.load(directory: root, split: "train", channels: 1)
        #expect(pairs.inputs.shape == [3, 1, 8, 8])
        #expect(pairs.names == ["0.png", "1.png", "2.png"])
        assertClose(pairs.targets, -pairs.inputs, rtol: 0, atol: 1e-6)
        let reversed = try PairedFolder.load(directory: root, split: "train", channels: 1, reversed: true)
        assertClose(reversed.inputs, pairs.targets, rtol: 0, atol: 0)
    }

    @Test func twoFolderLayouts() throws {
        for layout in ["train/A", "A/train"] {
            let root = temporaryDirectory("a-b")
            let (aDirectory, bDirectory) = ("\(root)/\(layout)", "\(root)/\(layout.replacingOccurrences(of: "A", with: "B"))")
            for directory in [aDirectory, bDirectory] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            for index in 0..<2 {
                try writeGray("\(aDirectory)/img\(index).png", width: 10, height: 10, pattern(index))
                try writeGray("\(bDirectory)/img\(index).png", width: 10, height: 10) { 255 - pattern(index)($0, $1) }
            }
            let pairs = try PairedFolder.load(directory: root, split: "train", channels: 3, size: 8)
            #expect(pairs.inputs.shape == [2, 3, 8, 8])
            assertClose(pairs.targets, -pairs.inputs, rtol: 0, atol: 1e-5)
        }
    }

    @Test func badFolders() throws {
        let root = temporaryDirectory("bad-pairs")
        let manager = FileManager.default
        expectDataError(file: "\(root)/train", "no such directory") { _ = try PairedFolder.load(directory: root, split: "train") }
        try manager.createDirectory(atPath: "\(root)/train", withIntermediateDirectories: true)
        expectDataError(file: "\(root)/train", "no PNG or JPEG images") { _ = try PairedFolder.load(directory: root, split: "train") }
        try writeGray("\(root)/train/odd.png", width: 9, height: 4) { _, _ in 7 }
        expectDataError(file: "\(root)/train/odd.png", "even width") { _ = try PairedFolder.load(directory: root, split: "train") }

        let split = temporaryDirectory("bad-ab")
        for side in ["A", "B"] { try manager.createDirectory(atPath: "\(split)/test/\(side)", withIntermediateDirectories: true) }
        try writeGray("\(split)/test/A/1.png", width: 8, height: 8) { _, _ in 1 }
        try writeGray("\(split)/test/B/1.png", width: 6, height: 8) { _, _ in 1 }
        expectDataError(file: "\(split)/test/B/1.png", "its partner") { _ = try PairedFolder.load(directory: split, split: "test") }
        try writeGray("\(split)/test/B/1.png", width: 8, height: 8) { _, _ in 1 }
        try writeGray("\(split)/test/A/2.png", width: 8, height: 8) { _, _ in 1 }
        expectDataError(file: "\(split)/test/A/2.png", "no partner") { _ = try PairedFolder.load(directory: split, split: "test") }
        try manager.removeItem(atPath: "\(split)/test/A/2.png")
        try writeGray("\(split)/test/B/3.png", width: 8, height: 8) { _, _ in 1 }
        expectDataError(file: "\(split)/test/B/3.png", "no partner") { _ = try PairedFolder.load(directory: split, split: "test") }
        writeFile("\(split)/test/B/notes.txt", [65])
        expectDataError(file: "\(split)/test/B/notes.txt", "not an image") { _ = try PairedFolder.load(directory: split, split: "test") }
    }

    // MARK: Loader

    /// Pairs whose target is a known function of the input (B = -A) stay
    /// aligned under random crops and flips, and the augmentation varies.
    @Test func loaderKeepsPairsAligned() {
        var random = RandomGenerator(seed: 5)
        let inputs = Tensor.uniform([12, 2, 10, 10], low: -1, high: 1, random: &random)
        let dataset = PairedDataset(inputs: inputs, targets: -inputs, labels: Array(0..<12), classNames: ["x"], cropSize: 8)
        let loader = PairedLoader(dataset, batchSize: 4, horizontalFlip: true, seed: 3)
        var seenOffsets = Set<[Int]>()
        var flips = 0
        for _ in 0..<9 {
            let batch = loader.next()
            #expect(batch.inputs.shape == [4, 2, 8, 8])
            assertClose(batch.targets, -batch.inputs, rtol: 0, atol: 0)
            // Find each crop inside its source image, mirrored or not.
            for (row, label) in batch.labels.enumerated() {
                let crop = batch.inputs.slice(axis: 0, start: row, end: row + 1)
                let source = inputs.slice(axis: 0, start: label, end: label + 1)
                var found = false
                for top in 0...2 {
                    for left in 0...2 {
                        let window = source.slice(axis: 2, start: top, end: top + 8).slice(axis: 3, start: left, end: left + 8)
                        let mirrored = window.gathered(flatIndices: (0..<128).map { ($0 / 8) * 8 + 7 - $0 % 8 }, shape: window.shape)
                        if window.scalars == crop.scalars || mirrored.scalars == crop.scalars {
                            found = true
                            seenOffsets.insert([top, left])
                            if mirrored.scalars == crop.scalars && window.scalars != crop.scalars { flips += 1 }
                        }
                    }
                }
                #expect(found, "batch row \(row) is not a crop of pair \(label)")
            }
        }
        #expect(seenOffsets.count > 3)
        #expect(flips > 3)
    }

    @Test func loaderResumesAtAPosition() {
        let inputs = Tensor.arange(0, 6 * 4 * 4).reshaped([6, 1, 4, 4])
        let dataset = PairedDataset(inputs: inputs, targets: inputs, labels: Array(0..<6), classNames: ["x"])
        let first = PairedLoader(dataset, batchSize: 2, horizontalFlip: true, seed: 9)
        let batches = (0..<5).map { _ in first.next().inputs.scalars }
        let second = PairedLoader(dataset, batchSize: 2, horizontalFlip: true, seed: 9)
        second.position = DataLoader.Position(epoch: 1, step: 0)
        #expect(second.next().inputs.scalars == batches[3])
        #expect(second.next().inputs.scalars == batches[4])
    }

    // MARK: Built-in tasks

    static let images: ImageDataset = {
        var random = RandomGenerator(seed: 2)
        // Smooth blobs in [-1, 1] with a sharp square, so that edges exist.
        var values = [Float](repeating: -1, count: 4 * 28 * 28)
        for image in 0..<4 {
            let (top, left) = (4 + Int(random.next() % 8), 4 + Int(random.next() % 8))
            for row in top..<(top + 12) { for column in left..<(left + 10) { values[(image * 28 + row) * 28 + column] = 0.8 } }
        }
        return ImageDataset(images: Tensor(values, shape: [4, 1, 28, 28]), labels: [0, 3, 3, 9], classNames: (0..<10).map(String.init))
    }()

    @Test func superResolutionInputsAreAreaAverages() {
        let sr4 = TranslationTask.sr4.pairs(from: Self.images, seed: 1)
        #expect(sr4.inputs.shape == [4, 1, 7, 7])
        #expect(sr4.targets.scalars == Self.images.images.scalars)
        // The first input pixel is the mean of the target's top-left 4x4 block.
        let block = Self.images.images.slice(axis: 2, start: 0, end: 4).slice(axis: 3, start: 0, end: 4).mean().item
        #expect(Swift.abs(sr4.inputs.scalars[0] - block) < 1e-6)
        #expect(TranslationTask.sr2.pairs(from: Self.images, seed: 1).inputs.shape == [4, 1, 14, 14])
    }

    @Test func inpaintingMasksOneSquare() {
        let pairs = TranslationTask.inpaint.pairs(from: Self.images, seed: 1)
        let (inputs, targets) = (pairs.inputs.scalars, pairs.targets.scalars)
        for image in 0..<4 {
            let changed = (0..<784).filter { inputs[image * 784 + $0] != targets[image * 784 + $0] }
            // Only inside one 12x12 square, which is set to 0.
            let rows = Set(changed.map { $0 / 28 })
            let columns = Set(changed.map { $0 % 28 })
            #expect(rows.count <= 12 && columns.count <= 12)
            #expect(changed.allSatisfy { inputs[image * 784 + $0] == 0 })
        }
        #expect(TranslationTask.inpaint.pairs(from: Self.images, seed: 1).inputs.scalars == inputs)
        #expect(TranslationTask.inpaint.pairs(from: Self.images, seed: 2).inputs.scalars != inputs)
    }

    @Test func edgeMapsTraceTheSquaresBorder() {
        let pairs = TranslationTask.edges2fashion.pairs(from: Self.images, seed: 1)
        let edges = pairs.inputs.scalars
        #expect(Set(edges) == [-1, 1])
        let image = Self.images.images.scalars
        for index in 0..<784 {
            // Flat regions (no neighbour differs) are edge-free.
            let (row, column) = (index / 28, index % 28)
            let neighbours = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)].map { dy, dx in
                image[Swift.min(Swift.max(row + dy, 0), 27) * 28 + Swift.min(Swift.max(column + dx, 0), 27)]
            }
            if neighbours.allSatisfy({ $0 == image[index] }) { #expect(edges[index] == 1) }
        }
        #expect(edges.prefix(784).filter { $0 == -1 }.count > 20)
    }

    @Test func colourisationFollowsTheClass() {
        let pairs = TranslationTask.colorize.pairs(from: Self.images, seed: 1)
        #expect(pairs.targets.shape == [4, 3, 28, 28])
        #expect(pairs.inputs.scalars == Self.images.images.scalars)
        // Images 1 and 2 share class 3, so equal gray pixels get equal colours; class 9 differs.
        let colours = pairs.targets.scalars
        func colour(_ image: Int, _ row: Int, _ column: Int) -> [Float] {
            (0..<3).map { colours[((image * 3 + $0) * 28 + row) * 28 + column] }
        }
        let gray = Self.images.images.scalars
        let bright = (0..<784).first { gray[784 + $0] > 0 && gray[2 * 784 + $0] > 0 }!
        #expect(colour(1, bright / 28, bright % 28) == colour(2, bright / 28, bright % 28))
        let nine = (0..<784).first { gray[3 * 784 + $0] > 0 && $0 / 28 == bright / 28 }
        if let nine { #expect(colour(3, nine / 28, nine % 28) != colour(1, bright / 28, bright % 28)) }
        // The background stays black in every channel.
        #expect(colour(0, 0, 0) == [-1, -1, -1])
    }
}
