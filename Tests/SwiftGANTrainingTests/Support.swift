import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// The picture in `tinyIDXDirectory`'s images.
enum TinyPattern {
    /// A bright square in a class-specific corner (4 classes).
    case quadrants
    /// The left half bright, the right half dark, for every image (a strong mean image).
    case halves
}

/// A tiny labelled IDX dataset of noisy 8x8 images written to a temporary directory.
func tinyIDXDirectory(count: Int = 128, pattern: TinyPattern = .quadrants) -> String {
    let directory = temporaryDirectory()
    var random = RandomGenerator(seed: 42)
    var pixels: [UInt8] = []
    var labels: [UInt8] = []
    for _ in 0..<count {
        let label = Int(random.next() % 4)
        labels.append(UInt8(label))
        for row in 0..<8 {
            for column in 0..<8 {
                let inSquare = pattern == .halves ? column < 4 : (row < 4) == (label < 2) && (column < 4) == (label % 2 == 0)
                pixels.append(inSquare ? UInt8(200 + random.next() % 56) : UInt8(random.next() % 40))
            }
        }
    }
    _ = FileManager.default.createFile(
        atPath: "\(directory)/train-images-idx3-ubyte",
        contents: Data(IDX.encodeUInt8(pixels, shape: [count, 8, 8])))
    _ = FileManager.default.createFile(
        atPath: "\(directory)/train-labels-idx1-ubyte",
        contents: Data(IDX.encodeUInt8(labels, shape: [count])))
    return directory
}

/// Runs `gan` with `arguments` (and `environment` added to this process's);
/// returns the exit status and the combined output.
func runGAN(
    _ arguments: [String], in directory: String? = nil,
    environment: [String: String] = [:]
) throws -> (status: Int32, output: String) {
    try runExecutable(ganExecutable(), arguments, in: directory, environment: environment)
}

/// The mean, over 64 samples, of each sample's highest Pearson
/// correlation with one of the first 512 real images.
func nearestImageCorrelation(_ trainer: Trainer, _ model: ModelConfig, _ dataset: ImageDataset) -> Float {
    var random = RandomGenerator(seed: 5)
    let samples = trainer.sample(model.sampleLatents(64, random: &random), labels: nil)
    let real = dataset.images.slice(axis: 0, start: 0, end: 512)
    // Rows centred and scaled to unit length: their dot products are correlations.
    func standardized(_ images: Tensor) -> Tensor {
        let rows = images.reshaped([images.shape[0], -1])
        let centred = rows - rows.mean(axes: [1], keepDims: true)
        return centred / ((centred * centred).sum(axes: [1], keepDims: true).sqrt() + 1e-6)
    }
    let correlations = matmul(standardized(samples), standardized(real), transposeB: true)
    return correlations.max(axes: [1]).mean().item
}

/// Expects a run of `config` interrupted after 2 steps and restored from its
/// checkpoint to end its 4th step bit for bit where an uninterrupted run does.
func expectResumesExactly(_ config: RunConfig, _ dataset: ImageDataset, _ what: String) throws {
    let straight = try Trainer(config: config, dataset: dataset)
    for _ in 0..<4 { try straight.trainStep() }
    let first = try Trainer(config: config, dataset: dataset)
    for _ in 0..<2 { try first.trainStep() }
    let resumed = try Trainer(config: config, dataset: dataset)
    try resumed.restore(try first.checkpoint(), file: "memory")
    for _ in 0..<2 { try resumed.trainStep() }
    let (a, b) = (try straight.checkpoint(), try resumed.checkpoint())
    #expect(a.tensors.keys == b.tensors.keys, "\(what)")
    for key in a.tensors.keys {
        #expect(a.tensors[key]!.scalars.map(\.bitPattern) == b.tensors[key]?.scalars.map(\.bitPattern), "\(what): \(key)")
    }
}
