import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// The convolutional classifier whose penultimate activations are
/// SwiftGAN's evaluation features (the role Inception-v3's pool features
/// play in FID for ImageNet-like data), for `[N, C, H, W]` images in [-1, 1].
///
/// Layout, with `w = width` (PyTorch keys `features.0.weight`, …, `head.1.weight`):
/// ```
/// features: Conv2d(C, w, 3, p1) BN ReLU          [N, w,  H,   W]
///           Conv2d(w, 2w, 3, s2, p1) BN ReLU     [N, 2w, H/2, W/2]
///           Conv2d(2w, 4w, 3, s2, p1) BN ReLU    [N, 4w, H/4, W/4]
///           Flatten Linear(4w·H/4·W/4, D) BN1d ReLU   [N, D]   ← features
/// head:     Dropout(0.3) Linear(D, classes)      [N, classes] ← logits
/// ```
/// The weights shipped with SwiftGAN (`FeatureClassifier.fashionMNIST()`)
/// were trained by `gan classifier train` on the Fashion-MNIST train split.
public final class FeatureClassifier: Module {
    /// The architecture: everything needed to rebuild it from a checkpoint.
    public struct Architecture: Codable, Equatable, Sendable {
        /// `[C, H, W]`; H and W must be divisible by 4.
        public var imageShape: [Int]
        /// Channels of the first convolution.
        public var width: Int
        /// Feature dimension (the penultimate layer's size).
        public var featureDimension: Int
        public var classCount: Int

        public init(imageShape: [Int] = [1, 28, 28], width: Int = 16, featureDimension: Int = 128, classCount: Int = 10) {
            self.imageShape = imageShape
            self.width = width
            self.featureDimension = featureDimension
            self.classCount = classCount
        }

        /// Why these numbers cannot build a classifier, or nil.
        public func validationProblem() -> String? {
            if imageShape.count != 3 || imageShape.contains(where: { $0 <= 0 }) {
                return "image shape \(imageShape) must be [C, H, W] with positive sizes"
            }
            if imageShape[1] % 4 != 0 || imageShape[2] % 4 != 0 {
                return "image size \(imageShape[1])x\(imageShape[2]) must be divisible by 4"
            }
            if width <= 0 || featureDimension <= 0 { return "width \(width) and feature dimension \(featureDimension) must be positive" }
            if classCount < 2 { return "class count \(classCount) must be at least 2" }
            return nil
        }
    }

    public let architecture: Architecture
    let features: Sequential
    let head: Sequential

    /// A freshly initialised classifier (PyTorch's default initialisation).
    public init(_ architecture: Architecture, random: inout RandomGenerator) {
        if let problem = architecture.validationProblem() { fatalError("FeatureClassifier: \(problem)") }
        self.architecture = architecture
        let (channels, height, width) = (architecture.imageShape[0], architecture.imageShape[1], architecture.imageShape[2])
        let w = architecture.width
        let dimension = architecture.featureDimension
        func block(_ inputs: Int, _ outputs: Int, stride: Int, _ random: inout RandomGenerator) -> [Module] {
            [
                Conv2d(inputs, outputs, kernelSize: 3, stride: SpatialSize(stride), padding: 1, random: &random),
                BatchNorm2d(outputs), ReLU()
            ]
        }
        var layers = block(channels, w, stride: 1, &random)
        layers += block(w, 2 * w, stride: 2, &random)
        layers += block(2 * w, 4 * w, stride: 2, &random)
        layers += [
            Flatten(), Linear(4 * w * (height / 4) * (width / 4), dimension, random: &random),
            BatchNorm1d(dimension), ReLU()
        ]
        features = Sequential(layers)
        head = Sequential([
            Dropout(0.3, random: &random),
            Linear(dimension, architecture.classCount, random: &random)
        ])
        super.init()
    }

    /// Logits `[N, classes]` for images `[N, C, H, W]`.
    public override func forward(_ input: Tensor) -> Tensor { head(features(checked(input))) }

    /// Features and logits of one batch (no gradients are recorded by callers
    /// that wrap this in `withoutGradients`).
    public func featuresAndLogits(_ images: Tensor) -> (features: Tensor, logits: Tensor) {
        let hidden = features(checked(images))
        return (hidden, head(hidden))
    }

    /// The last convolutional block's activations `[N, 4w, H/4, W/4]` (after
    /// BatchNorm and ReLU; evaluation mode uses the running statistics): the
    /// feature map a perceptual loss compares, as SRGAN compares VGG's.
    public func convolutionalFeatures(_ images: Tensor) -> Tensor {
        features.layers.prefix(9).reduce(checked(images)) { $1($0) }
    }

    private func checked(_ images: Tensor) -> Tensor {
        require(
            images.rank == 4 && Array(images.shape.dropFirst()) == architecture.imageShape,
            "FeatureClassifier: expected images [N, \(architecture.imageShape.map(String.init).joined(separator: ", "))], got \(images.shape)")
        return images
    }
}

// MARK: - Batched inference

/// What the classifier makes of a set of images: features `[N, D]` and
/// class probabilities `[N, classes]`.
public struct ClassifierOutputs: Sendable {
    public var features: Tensor
    public var probabilities: Tensor
    /// The most probable class of each image.
    public var predictedClasses: [Int] { probabilities.argmax(axis: 1) }
}

extension FeatureClassifier {
    /// Runs the classifier in evaluation mode over `images` `[N, C, H, W]`
    /// in batches (restoring the previous mode afterwards).
    public func outputs(for images: Tensor, batchSize: Int = 500) -> ClassifierOutputs {
        outputs(for: ImageArray.floats(images), batchSize: batchSize)
    }

    /// `outputs(for:)` over images kept as floats or bytes, converting one batch at a time
    /// (a dataset's 8-bit images are never all floats at once).
    public func outputs(for images: ImageArray, batchSize: Int = 500) -> ClassifierOutputs {
        require(batchSize > 0, "FeatureClassifier.outputs: batch size \(batchSize) must be positive")
        let wasTraining = isTraining
        _ = eval()
        defer { _ = train(wasTraining) }
        let count = images.count
        var featureBatches: [Tensor] = []
        var probabilityBatches: [Tensor] = []
        withoutGradients {
            var start = 0
            while start < count {
                let end = Swift.min(count, start + batchSize)
                let (batchFeatures, logits) = featuresAndLogits(images.images(in: start..<end))
                featureBatches.append(batchFeatures)
                probabilityBatches.append(logits.softmax(axis: 1))
                start = end
                ProgressReporting.report("extracting features", done: end, total: count)
            }
        }
        if count == 0 {
            return ClassifierOutputs(
                features: Tensor.zeros([0, architecture.featureDimension]),
                probabilities: Tensor.zeros([0, architecture.classCount]))
        }
        return ClassifierOutputs(features: concat(featureBatches, axis: 0), probabilities: concat(probabilityBatches, axis: 0))
    }

    /// Fraction of `images` classified as `labels`.
    public func accuracy(images: Tensor, labels: [Int]) -> Double {
        require(labels.count == images.shape[0], "FeatureClassifier.accuracy: \(labels.count) labels for \(images.shape[0]) images")
        guard !labels.isEmpty else { return 0 }
        let predicted = outputs(for: images).predictedClasses
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
}
