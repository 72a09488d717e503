import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// Checks each output a command was asked to write before any work starts
/// (see `OutputPath.check`): a regular file or nothing, in an existing
/// directory, and never one of a run directory's own files.
func checkOutputs(_ paths: String?...) throws {
    for case let path? in paths {
        do { try OutputPath.check(path) } catch { throw CLIError("\(error)") }
    }
}

/// The error for training that stopped with `error`, saying which step the
/// run's checkpoint holds (the one a resume continues from).
func trainingStopped(_ error: any Error, directory: String, launcher: String = "") -> CLIError {
    let path = TrainingRun.checkpointPath(directory)
    guard let step = (try? SafeTensors.readMetadata(path))?["swiftgan.step"] else {
        return CLIError("\(error)\nno checkpoint was saved in \(directory)")
    }
    return CLIError("\(error)\ntraining stopped; \(path) holds step \(step) (continue with: \(launcher)gan train --resume \(directory))")
}

/// Throws unless `count` samples of `shape` (float32) fit in a quarter of
/// the machine's memory, which the samples, the generator's activations and
/// the metrics' features share.
func checkSampleCount(_ count: Int, shape: [Int]) throws {
    let bytes = Double(count) * Double(shape.reduce(1, *)) * 4
    let available = Double(ProcessInfo.processInfo.physicalMemory) / 4
    guard bytes <= available else {
        throw CLIError(
            String(
                format: "%d samples of %@ need %.1f GB, more than a quarter of this machine's memory (%.1f GB); ask for fewer",
                count, "\(shape)", bytes / 1e9, available / 1e9))
    }
}

/// Why `samples` cannot be used as images (or, with `images` false, as
/// points), or nil: NaN or infinite values, or images far outside [-1, 1]
/// (as 0–255 floats would be).
func valueProblem(_ samples: Tensor, images: Bool, range: PixelScale = .minusOneToOne) -> String? {
    let values = samples.scalars
    let nonFinite = values.lazy.filter { !$0.isFinite }.count
    if nonFinite > 0 { return "\(nonFinite.formatted()) of the \(values.count.formatted()) values are NaN or infinite" }
    guard images, let low = values.min(), let high = values.max() else { return nil }
    // Within 1% of the declared range: resampling noise; beyond, another scale.
    let slack = 0.01 * (range.high - range.low)
    guard low >= range.low - slack && high <= range.high + slack else {
        return
            "values range over [\(low), \(high)] but images must be float in [\(range.name)] (or uint8 0–255\(range == .minusOneToOne ? "; --range 0,1 for float in [0, 1]" : "")); rescale them first"
    }
    return nil
}

/// The range a float image array's values are declared in (`gan eval --range`).
enum PixelScale: String, CaseIterable {
    case minusOneToOne = "-1,1"
    case zeroToOne = "0,1"

    var low: Float { self == .minusOneToOne ? -1 : 0 }
    var high: Float { 1 }
    var name: String { self == .minusOneToOne ? "-1, 1" : "0, 1" }

    /// `values` in this range mapped to [-1, 1].
    func toMinusOneToOne(_ values: Tensor) -> Tensor { self == .minusOneToOne ? values : values * 2 - 1 }
}

/// An image array as floats in [-1, 1]: uint8 arrays (0–255, as PIL and most image tools save them) are mapped there.
func imageScale(_ contents: NPY.Contents) -> Tensor {
    contents.elementType == .uint8 ? contents.tensor / 127.5 - 1 : contents.tensor
}
