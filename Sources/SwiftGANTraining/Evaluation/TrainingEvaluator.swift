import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor

/// One evaluation during training.
public struct TrainingEvaluation: Sendable {
    public var step: Int
    /// Named values: `eval/fid`, `eval/classes_covered`, the fraction of samples per predicted
    /// class `eval/class/K` (and with `evalMetrics`, `eval/kid`, `eval/precision`, `eval/recall`,
    /// `eval/density`, `eval/coverage`) for images; `eval/modes`, `eval/high_quality`, `eval/reverse_kl` for mixtures;
    /// `eval/modes`, `eval/kl` for the stacked benchmark.
    public var values: [(name: String, value: Double)]
    /// The quantity `best.safetensors` is chosen by (lower is better): FID, or the KL of the mode histogram for mixtures and stacked runs.
    public var score: Double
    /// Whether this evaluation set a new best (and wrote `best.safetensors`).
    public var isBest: Bool
}

/// Evaluates the sampling generator (EMA when kept) every `evalEvery` steps:
/// FID against the test split for images, the PacGAN metrics for 2-D mixtures.
final class TrainingEvaluator {
    private enum Target {
        case images(ImageEvaluator)
        case mixture(Mixture2D)
        /// The stacked benchmark: modes by the classifier on each channel.
        case stacked(FeatureClassifier)
    }

    private let target: Target
    private let count: Int
    private let extraMetrics: [EvalMetric]
    private let seed: UInt64

    init(config: RunConfig) throws {
        let training = config.training
        if let mixture = config.data.mixture {
            guard !mixture.modes.isEmpty else {
                throw TrainingError.invalidConfiguration("--eval-every: \(mixture.rawValue) has no discrete modes to count; use ring8 or grid25")
            }
            if !training.evalMetrics.isEmpty {
                throw TrainingError.invalidConfiguration("--eval-metrics applies to image runs; 2-D runs evaluate modes, quality and reverse KL")
            }
            target = .mixture(mixture)
        } else if config.data.isStacked {
            if !training.evalMetrics.isEmpty {
                throw TrainingError.invalidConfiguration("--eval-metrics applies to image runs; stacked runs evaluate modes and KL")
            }
            target = .stacked(try EvaluationSetup.stackedClassifier(featuresPath: training.featuresPath))
        } else {
            target = .images(try EvaluationSetup.imageEvaluator(data: config.data, featuresPath: training.featuresPath))
        }
        count = training.evalCount
        extraMetrics = training.evalMetrics
        // A fixed latent stream, separate from training's, so evaluations compare like with like.
        seed = training.seed &+ 0x5EED_E7A1
    }

    /// The name of the value `best.safetensors` is chosen by.
    var scoreName: String {
        switch target {
        case .mixture: return "eval/reverse_kl"
        case .stacked: return "eval/kl"
        case .images: return "eval/fid"
        }
    }

    /// The metric values of `generator` now.
    func evaluate(_ generator: GeneratorModel, step: Int) -> (values: [(name: String, value: Double)], score: Double) {
        let samples = generator.sample(count: count, seed: seed).samples
        switch target {
        case .images(let evaluator):
            let metrics = evaluator.trainingMetrics(
                samples: samples, kid: extraMetrics.contains(.kid), manifold: extraMetrics.contains(.precisionRecall), seed: seed)
            let histogram = metrics.classHistogram
            let total = Double(Swift.max(histogram.counts.reduce(0, +), 1))
            let classes = histogram.counts.enumerated().map { ("eval/class/\($0.offset)", Double($0.element) / total) }
            var values = [("eval/fid", metrics.fid), ("eval/classes_covered", Double(histogram.classesCovered))]
            if let kid = metrics.kid { values.append(("eval/kid", kid.mean)) }
            if let manifold = metrics.manifold {
                values += [
                    ("eval/precision", manifold.precision), ("eval/recall", manifold.recall), ("eval/density", manifold.density),
                    ("eval/coverage", manifold.coverage)
                ]
            }
            return (values + classes, metrics.fid)
        case .mixture(let mixture):
            let metrics = MixtureMetrics.compute(points: samples, mixture: mixture)
            let reverseKL = metrics.reverseKL ?? .infinity
            return (
                [
                    ("eval/modes", Double(metrics.modesCaptured)), ("eval/high_quality", metrics.highQualityFraction),
                    ("eval/reverse_kl", metrics.reverseKL ?? log(Double(metrics.modeCount)))
                ], reverseKL
            )
        case .stacked(let classifier):
            let metrics = StackedModeMetrics.compute(samples: samples, classifier: classifier)
            return ([("eval/modes", Double(metrics.modesCovered)), ("eval/kl", metrics.klToUniform)], metrics.klToUniform)
        }
    }

    /// File name of the best checkpoint.
    static let bestFileName = "best.safetensors"

    /// The best score recorded in an existing `best.safetensors`, if any,
    /// unless it was written after `step` (by a trajectory a resume abandoned:
    /// then the next evaluation replaces it).
    static func recordedBest(directory: String, step: Int) -> Double? {
        let path = "\(directory)/\(bestFileName)"
        guard FileManager.default.fileExists(atPath: path), let contents = try? SafeTensors.read(path),
            let bestStep = contents.metadata["swiftgan.step"].flatMap(Int.init), bestStep <= step
        else { return nil }
        return contents.metadata["swiftgan.best_score"].flatMap(Double.init)
    }
}
