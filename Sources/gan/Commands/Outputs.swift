import Foundation
import SwiftGANNN
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
func trainingStopped(_ error: any Error, directory: String) -> CLIError {
    let path = TrainingRun.checkpointPath(directory)
    guard let step = (try? SafeTensors.readMetadata(path))?["swiftgan.step"] else {
        return CLIError("\(error)\nno checkpoint was saved in \(directory)")
    }
    return CLIError("\(error)\ntraining stopped; \(path) holds step \(step) (continue with: gan train --resume \(directory))")
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
                format: "--count %d samples of %@ need %.1f GB, more than a quarter of this machine's memory (%.1f GB); ask for fewer",
                count, "\(shape)", bytes / 1e9, available / 1e9))
    }
}
