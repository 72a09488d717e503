import Foundation
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTensor

/// Datasets kept as bytes, folders decoded in parallel and cached, `for batch in loader`.
@Suite struct PixelStoreTests {
    func writeFolder(_ root: String, count: Int, seed: UInt64) throws {
        var random = RandomGenerator(seed: seed)
        for index in 0..<count {
            let (width, height) = (6 + index % 3, 5 + index % 2)
            let pixels = (0..<(width * height * 3)).map { _ in UInt8(random.next() % 256) }
            let name = String(format: "%03d.png", index)
            try AtomicFile.write(try PNG.encode(RasterImage(width: width, height: height, channels: 3, pixels: pixels)), to: "\(root)/\(name)")
        }
    }

    @Test func bytesBecomeTheFloatsTheyStandFor() throws {
        let values: [UInt8] = (0..<(3 * 2 * 2 * 2)).map { UInt8($0 * 10) }
        let store = PixelStore(values, shape: [3, 2, 2, 2])
        let dataset = ImageDataset(pixels: store, labels: [0, 1, 2], classNames: ["a", "b", "c"])
        #expect(dataset.count == 3 && dataset.imageShape == [2, 2, 2])
        #expect(dataset.images.scalars == values.map { Float($0) / 127.5 - 1 })
        #expect(dataset.images(at: [2, 0]) == dataset.images.indexSelect([2, 0]))
        #expect(dataset.prefix(2).images == dataset.images.slice(axis: 0, start: 0, end: 2) && dataset.prefix(2).labels == [0, 1])
        let unit = PixelStore(values, shape: [3, 2, 2, 2], range: .zeroToOne)
        #expect(unit.images(at: [1]).scalars == values[8..<16].map { Float($0) / 255 })
    }

    @Test func foldersDecodeAlikeOnAnyThreadCountAndNameTheFirstBadFile() throws {
        let root = temporaryDirectory("parallel-decode")
        try writeFolder(root, count: 23, seed: 4)
        let one = try withExecutionContext(threads: 1) { try ImageFolder.load(directory: root, channels: 3, size: 4) }
        let two = try withExecutionContext(threads: 2) { try ImageFolder.load(directory: root, channels: 3, size: 4) }
        #expect(one.images == two.images && one.pixels != nil)
        let recorder = ProgressRecorder()
        _ = try ProgressReporting.withObserver(recorder) {
            try withExecutionContext(threads: 2) { try ImageFolder.load(directory: root, channels: 1, size: 4) }
        }
        #expect(recorder.tasks["decoding images"] == 23)
        // Two broken files: the error names the first by order, whichever thread met it.
        try AtomicFile.write([1, 2, 3], to: "\(root)/005.png")
        try AtomicFile.write([1, 2, 3], to: "\(root)/017.png")
        for threads in [1, 2] {
            #expect {
                try withExecutionContext(threads: threads) { _ = try ImageFolder.load(directory: root, channels: 3, size: 4) }
            } throws: { error in
                (error as? FileError)?.file == "\(root)/005.png"
            }
        }
    }

    @Test func theCacheIsMappedUntilAFileChanges() throws {
        let root = temporaryDirectory("folder-cache") + "/images"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try writeFolder(root, count: 12, seed: 5)
        let plain = try ImageFolder.load(directory: root, channels: 3, size: 4)
        let made = try ImageFolder.load(directory: root, channels: 3, size: 4, cache: true)
        #expect(made.images == plain.images && made.labels == plain.labels)
        #expect(FileManager.default.fileExists(atPath: "\(root).swiftgan-cache/c3-s4.npy"))
        // NumPy's layout: the cache reads as a uint8 array.
        let array = try NPY.read("\(root).swiftgan-cache/c3-s4.npy")
        #expect(array.elementType == .uint8 && array.tensor.shape == [12, 3, 4, 4])
        // Unchanged: mapped, nothing decoded.
        let recorder = ProgressRecorder()
        let again = try ProgressReporting.withObserver(recorder) { try ImageFolder.load(directory: root, channels: 3, size: 4, cache: true) }
        #expect(again.images == plain.images && recorder.tasks["decoding images"] == nil)
        // A changed file remakes it.
        try writeFolder(root, count: 1, seed: 99)
        let changed = try ImageFolder.load(directory: root, channels: 3, size: 4, cache: true)
        let fresh = try ImageFolder.load(directory: root, channels: 3, size: 4)
        #expect(changed.images == fresh.images && changed.images != plain.images)
        // Another size is another cache file.
        _ = try ImageFolder.load(directory: root, channels: 1, size: 2, cache: true)
        #expect(FileManager.default.fileExists(atPath: "\(root).swiftgan-cache/c1-s2.npy"))
    }

    @Test func aLoaderIsASequenceOfOneEpoch() throws {
        let dataset = ImageDataset(images: Tensor((0..<40).map(Float.init), shape: [10, 1, 2, 2]), labels: Array(0..<10), classNames: ["x"])
        let loader = DataLoader(dataset, batchSize: 3, dropLast: true, seed: 1)
        var seen: [DataLoader.Position] = []
        for batch in loader { seen.append(batch.position) }
        #expect(seen == (0..<3).map { DataLoader.Position(epoch: 0, step: $0) })
        #expect(loader.position == DataLoader.Position(epoch: 1, step: 0))
        _ = loader.next()
        #expect(Array(loader).map(\.position) == [DataLoader.Position(epoch: 1, step: 1), DataLoader.Position(epoch: 1, step: 2)])
        // The same batches as next() would give.
        let other = DataLoader(dataset, batchSize: 3, dropLast: true, seed: 1)
        let twin = DataLoader(dataset, batchSize: 3, dropLast: true, seed: 1)
        #expect(Array(other).map(\.labels) == (0..<3).map { _ in twin.next().labels })
    }
}
