import Foundation
import SwiftGANData
import SwiftGANTensor
import Testing

/// The README's data example (with a temporary folder standing in for "my-images").
@Test func readmeDataExample() throws {
    let directory = NSTemporaryDirectory() + "readme-data-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory + "/my-images/cats", withIntermediateDirectories: true)
    let image = RasterImage(width: 80, height: 64, channels: 3, pixels: [UInt8](repeating: 90, count: 80 * 64 * 3))
    _ = FileManager.default.createFile(atPath: directory + "/my-images/cats/1.png", contents: Data(try PNG.encode(image)))
    defer { try? FileManager.default.removeItem(atPath: directory) }

    let train = try IDXDataset.load(name: "fashion-mnist", split: .train)
    let folder = try ImageFolder.load(directory: directory + "/my-images", channels: 3, size: 64)
    let ring = Mixture2D.ring8.dataset(count: 10_000, seed: 0)
    let big = try ImageFolder.load(directory: directory + "/my-images", channels: 3, size: 64, cache: true)
    let loader = DataLoader(train, batchSize: 64, horizontalFlip: false, seed: 1)
    let batch = loader.next()
    var rest = 0
    for batch in loader { rest += batch.labels.count }
    try ImageGrid.write(batch.images, to: directory + "/samples.png", nrow: 8)
    try NPY.write(batch.images, to: directory + "/batch.npy")
    #expect(folder.images.shape == [1, 3, 64, 64] && folder.classNames == ["cats"])
    #expect(big.images == folder.images && rest == 60_000 - 64)
    try? FileManager.default.removeItem(atPath: directory + "/my-images.swiftgan-cache")
    #expect(ring.count == 10_000 && batch.images.shape == [64, 1, 28, 28])
    #expect(try NPY.read(directory + "/batch.npy").tensor == batch.images)
    #expect(try PNG.read(directory + "/samples.png").width == 8 * 30 + 2)
}
