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
