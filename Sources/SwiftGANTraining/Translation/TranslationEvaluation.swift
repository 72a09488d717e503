import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor

/// How close a set of outputs is to the test targets.
public struct TranslationScores: Codable, Equatable, Sendable {
    /// Mean absolute difference in [-1, 1] units (lower is better).
    public var l1: Double
    /// dB, data range 2 (higher is better).
    public var psnr: Double
    /// Gaussian-window SSIM (higher is better).
    public var ssim: Double
    /// FID of the outputs against the targets in the feature classifier's
    /// space (colour images as luma unless the classifier takes colour); nil
    /// when the images do not fit the classifier.
    public var fid: Double?
    /// The share of outputs the classifier assigns to the target's class
    /// (the data's label, or the classifier's class for the target when the data has none).
    public var classifierConsistency: Double?
}

/// `gan eval` on a translation run: the generator's scores on the test
/// split beside the honest baselines for the same inputs.
public struct TranslationEvaluation: Codable, Equatable, Sendable {
    public var step: Int
    public var task: String
    public var data: String
    public var testCount: Int
    public var model: TranslationScores
    /// Baselines by name, in report order.
    public var baselines: [NamedScores]
    /// The classifier's agreement with the labels on the targets themselves (the ceiling), when labelled.
    public var targetConsistency: Double?

    public struct NamedScores: Codable, Equatable, Sendable {
        public var name: String
        public var scores: TranslationScores
    }
}

public enum TranslationEvaluator {
    /// RGB `[N, 3, H, W]` to luma `[N, 1, H, W]` (ITU-R 601 weights, which sum
    /// to 1 and so keep [-1, 1]; differentiable); gray images unchanged.
    public static func luma(_ images: Tensor) -> Tensor {
        guard images.shape[1] == 3 else { return images }
        let channels = images.chunked(3, axis: 1)
        return channels[0] * 0.299 + channels[1] * 0.587 + channels[2] * 0.114
    }

    /// Evaluates `run`'s generator on (the first `count` of) its test split.
    /// - Parameter classifier: the feature network for FID and consistency
    ///   (the shipped Fashion-MNIST classifier by default; pass nil to skip).
    /// - Throws: `FileError` when the test split cannot be loaded.
    public static func evaluate(_ run: SavedTranslationRun, count: Int? = nil, classifier: FeatureClassifier?) throws -> TranslationEvaluation {
        let test = try run.config.data.load(split: .test, limit: count)
        guard test.inputImages.imageShape == run.config.model.inputShape, test.targetImages.imageShape == run.config.model.outputShape else {
            throw TrainingError.invalidConfiguration(
                "the test pairs are \(test.inputShape) → \(test.outputShape), the run's generator \(run.config.model.inputShape) → \(run.config.model.outputShape)"
            )
        }
        let targets = test.targets
        let outputs = run.translate(test.inputs)
        let labelled = test.classNames.count > 1
        let judge = classifier.flatMap { Judge(classifier: $0, targets: targets, labels: labelled ? test.labels : nil) }
        let baselines = try Self.baselines(run.config, test: test).map {
            TranslationEvaluation.NamedScores(name: $0.name, scores: scores($0.outputs, targets, judge))
        }
        return TranslationEvaluation(
            step: run.step, task: run.config.task.rawValue, data: run.config.data.path ?? run.config.data.name, testCount: test.count,
            model: scores(outputs, targets, judge), baselines: baselines,
            targetConsistency: labelled ? judge?.consistency(targets) : nil)
    }

    /// L1, PSNR, SSIM, and with a judge FID and consistency.
    static func scores(_ outputs: Tensor, _ targets: Tensor, _ judge: Judge?) -> TranslationScores {
        TranslationScores(
            l1: ImageSimilarity.l1(outputs, targets), psnr: ImageSimilarity.psnr(outputs, targets), ssim: ImageSimilarity.ssim(outputs, targets),
            fid: judge?.fid(outputs), classifierConsistency: judge?.consistency(outputs))
    }

    /// The feature classifier's view of outputs: FID against the targets and class agreement.
    struct Judge {
        let classifier: FeatureClassifier
        let evaluator: ImageEvaluator
        let expectedClasses: [Int]

        /// Whether the classifier takes the images as they are; otherwise it takes their luma.
        let takesColour: Bool

        /// Nil when the images, as they are or as gray, do not fit the classifier, or are too few for FID.
        init?(classifier: FeatureClassifier, targets: Tensor, labels: [Int]?) {
            let shape = classifier.architecture.imageShape
            let colour = Array(targets.shape.dropFirst()) == shape
            guard colour || [1] + Array(targets.shape.dropFirst(2)) == shape, targets.shape[0] >= 11 else { return nil }
            takesColour = colour
            self.classifier = classifier
            let reference = withoutGradients { colour ? targets : luma(targets) }
            evaluator = ImageEvaluator(classifier: classifier, referenceImages: reference, reference: "test targets")
            expectedClasses = labels ?? evaluator.referenceOutputs.predictedClasses
        }

        func seen(_ images: Tensor) -> Tensor { withoutGradients { takesColour ? images : luma(images) } }

        func fid(_ outputs: Tensor) -> Double { evaluator.fid(samples: seen(outputs)) }

        func consistency(_ outputs: Tensor) -> Double {
            let predicted = classifier.outputs(for: seen(outputs)).predictedClasses
            return Double(zip(predicted, expectedClasses).filter { $0 == $1 }.count) / Double(Swift.max(predicted.count, 1))
        }
    }

    /// The honest baselines of a task for the test inputs: bilinear and
    /// bicubic upsampling (sr2, sr4, any input smaller than its target), the mask filled with the mean training
    /// image (inpaint), the gray input itself (colorize), the mean training
    /// image (edges2fashion), the input itself (folders whose sides share a shape).
    public static func baselines(_ config: TranslationConfig, test: PairedDataset) throws -> [(name: String, outputs: Tensor)] {
        let count = test.count
        func meanTrainingImage() throws -> Tensor {
            let training = try config.data.load(split: .train)
            return withoutGradients { training.targets.mean(axes: [0], keepDims: true) }
        }
        let inputs = test.inputs
        return try withoutGradients {
            let scale = test.targetImages.shape[2] / test.inputImages.shape[2]
            if scale > 1 {
                return [("bilinear", inputs.upsampleBilinear(scale: scale)), ("bicubic", inputs.upsampleBicubic(scale: scale).clamp(min: -1, max: 1))]
            }
            switch config.data.task {
            case .sr2, .sr4:
                return []
            case .inpaint:
                let mean = try meanTrainingImage().scalars
                var filled = inputs.scalars
                let (height, width) = (test.inputImages.shape[2], test.inputImages.shape[3])
                let side = TranslationTask.maskSide(Swift.min(height, width))
                for image in 0..<count {
                    let (top, left) = TranslationTask.maskOrigin(image, height: height, width: width, seed: TranslationTask.seed(for: .test))
                    for row in top..<(top + side) {
                        for column in left..<(left + side) { filled[(image * height + row) * width + column] = mean[row * width + column] }
                    }
                }
                return [("mean-fill", Tensor(filled, shape: test.inputImages.shape))]
            case .colorize:
                return [("gray-input", concat(Array(repeating: inputs, count: 3), axis: 1))]
            case .edges2fashion:
                return [("mean-image", try meanTrainingImage().expanded(to: test.targetImages.shape))]
            case nil:
                return test.inputImages.shape == test.targetImages.shape ? [("input", inputs)] : []
            }
        }
    }
}
