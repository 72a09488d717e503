import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANTensor
import SwiftGANTraining

/// What `gan eval --samples` reads, and the statistics it writes.
extension EvalCommand {
    /// The file name of the feature classifier in use (what a statistics file records).
    var featuresName: String { URL(fileURLWithPath: features ?? FeatureClassifier.fashionMNISTFileName).lastPathComponent }

    /// `--samples` as images `[N, C, H, W]` in [-1, 1] (or 2-D points): a
    /// folder of PNG/JPEG images at the classifier's size, a uint8 `.npy`
    /// (0–255), or a float `.npy` in `--range`, its values checked there.
    /// - Throws: `CLIError` naming the file for an unreadable input or values outside the declared range.
    func readSamples(_ path: String, images: Bool) throws -> Tensor {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            guard images else { throw CLIError("\(path): a folder of images cannot be 2-D points; give a .npy [N, 2]") }
            if range != nil { throw CLIError("--range applies to float .npy files; PNG and JPEG pixels are 0–255") }
            let shape = try classifierImageShape()
            return try ImageFolder.load(directory: path, channels: shape[0], size: shape[1]).images
        }
        let contents = try NPY.read(path)
        guard images else { return contents.tensor }
        if contents.elementType == .uint8 {
            if range != nil { throw CLIError("\(path): --range applies to float arrays; this one is uint8 (read as 0–255)") }
            return imageScale(contents)
        }
        let scale = range.flatMap(PixelScale.init(rawValue:)) ?? .minusOneToOne
        if let problem = valueProblem(contents.tensor, images: true, range: scale) { throw CLIError("\(path): \(problem)") }
        let values = contents.tensor.scalars
        if range == nil, let low = values.min(), low >= 0, values.count > 0 {
            FileHandle.standardError.write(
                Data("warning: \(path): every value is in [0, 1]; evaluating as [-1, 1] (pass --range 0,1 if the images are scaled to [0, 1])\n".utf8))
        }
        return scale.toMinusOneToOne(contents.tensor)
    }

    /// `[C, H, W]` the feature classifier takes.
    func classifierImageShape() throws -> [Int] {
        let (classifier, _) = try features.map(FeatureClassifier.load) ?? FeatureClassifier.fashionMNIST()
        return classifier.architecture.imageShape
    }

    /// `--save-stats`: the mean and covariance of the evaluated images' features.
    func saveStatistics(_ outputs: ClassifierOutputs) throws {
        guard let saveStats else { return }
        try AtomicFile.write(FeatureStatistics(features: outputs.features).npz(features: featuresName), to: saveStats)
        if !json { print("feature statistics of \(outputs.features.shape[0]) images written to \(saveStats)") }
    }
}
