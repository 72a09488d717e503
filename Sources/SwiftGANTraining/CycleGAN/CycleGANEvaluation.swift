import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor

/// How good one direction's translations of the test split are.
public struct UnpairedScores: Codable, Equatable, Sendable {
    /// FID of the translations against the target domain's test images in
    /// the feature classifier's space; nil without a classifier for the target domain.
    public var fid: Double?
    /// Class-to-class tasks: the share of translations the classifier
    /// assigns to the target class. The other built-in tasks: the share it
    /// assigns to the source image's class (the translation keeps the garment). Nil for folders.
    public var classRate: Double?
    /// Mean |F(G(x)) - x| in [-1, 1] units: how well the other generator undoes the translation.
    public var cycleL1: Double?
    /// Where the true mapping is known: mean absolute difference, PSNR (dB,
    /// data range 2) and SSIM of the translations to it.
    public var truthL1: Double?
    public var truthPSNR: Double?
    public var truthSSIM: Double?
}

/// `gan eval` on a CycleGAN run: each direction's scores beside its baselines.
public struct CycleGANEvaluation: Codable, Equatable, Sendable {
    public var step: Int
    public var data: String
    public var directions: [Direction]

    public struct Direction: Codable, Equatable, Sendable {
        /// `a2b` or `b2a`.
        public var name: String
        /// Test images translated.
        public var count: Int
        /// What `classRate` measures: `target class N` or `source class`.
        public var classRateMeaning: String?
        /// The classifier's rate of the right class on the target domain's own
        /// test images: the ceiling of `classRate` (low where the classifier
        /// cannot read the target domain, as for edge maps).
        public var targetClassRate: Double?
        public var model: UnpairedScores
        public var baselines: [NamedScores]
    }

    public struct NamedScores: Codable, Equatable, Sendable {
        public var name: String
        public var scores: UnpairedScores
    }
}

public enum CycleGANEvaluator {
    /// Evaluates both directions of `run` on (the first `count` images of each domain of) its test split.
    /// - Parameters:
    ///   - classifierA: the feature network for images of domain A (FID of B→A translations); nil skips those scores.
    ///   - classifierB: the same for domain B.
    /// - Throws: `FileError` when the test split cannot be loaded.
    public static func evaluate(
        _ run: SavedCycleGANRun, count: Int? = nil, classifierA: FeatureClassifier?, classifierB: FeatureClassifier?
    ) throws -> CycleGANEvaluation {
        let test = try run.config.data.load(split: .test, limit: count)
        guard test.shapeA == run.config.model.shapeA, test.shapeB == run.config.model.shapeB else {
            throw TrainingError.invalidConfiguration(
                "the test images are A \(test.shapeA), B \(test.shapeB); the run's generators take A \(run.config.model.shapeA), B \(run.config.model.shapeB)"
            )
        }
        let task = run.config.data.task
        // Folder domains number their class subdirectories each on their own: only the built-in tasks' labels compare.
        let labelled = task != nil && test.classNames.count > 1
        var directions: [CycleGANEvaluation.Direction] = []
        for direction in CycleGANTrainer.Direction.allCases {
            let forward = direction == .a2b
            let (source, target) = forward ? (test.domainA, test.domainB) : (test.domainB, test.domainA)
            let sourceLabels = forward ? test.labelsA : test.labelsB
            let truth = forward ? test.truthAB : test.truthBA
            let targetClass = task?.classes.map { forward ? $0.b : $0.a }
            let targetLabels = forward ? test.labelsB : test.labelsA
            let expected = targetClass.map { Array(repeating: $0, count: source.shape[0]) } ?? (labelled ? sourceLabels : nil)
            let judge = (forward ? classifierB : classifierA).flatMap {
                TranslationEvaluator.Judge(classifier: $0, targets: target, labels: nil)
            }
            func rate(_ images: Tensor, _ classes: [Int]) -> Double? {
                guard let judge else { return nil }
                let predicted = judge.classifier.outputs(for: judge.seen(images)).predictedClasses
                return Double(zip(predicted, classes).filter { $0 == $1 }.count) / Double(Swift.max(predicted.count, 1))
            }
            func scores(_ outputs: Tensor, cycle: Tensor?) -> UnpairedScores {
                var scores = UnpairedScores(fid: judge?.fid(outputs), cycleL1: cycle.map { ImageSimilarity.l1($0, source) })
                if let expected { scores.classRate = rate(outputs, expected) }
                if let truth {
                    scores.truthL1 = ImageSimilarity.l1(outputs, truth)
                    scores.truthPSNR = ImageSimilarity.psnr(outputs, truth)
                    scores.truthSSIM = ImageSimilarity.ssim(outputs, truth)
                }
                return scores
            }
            let outputs = run.translate(source, direction: direction)
            let cycle = run.translate(outputs, direction: forward ? .b2a : .a2b)
            let baselines = baselines(source: source, targetChannels: target.shape[1], truth: truth, task: task, forward: forward)
            directions.append(
                CycleGANEvaluation.Direction(
                    name: direction.rawValue, count: source.shape[0],
                    classRateMeaning: expected == nil ? nil : (targetClass.map { "target class \($0)" } ?? "source class"),
                    targetClassRate: expected == nil ? nil : rate(target, targetLabels),
                    model: scores(outputs, cycle: cycle),
                    baselines: baselines.map { .init(name: $0.name, scores: scores($0.outputs, cycle: nil)) }))
        }
        return CycleGANEvaluation(step: run.step, data: run.config.data.path ?? run.config.data.name, directions: directions)
    }

    /// A direction's baselines: the input itself (in the target's channels:
    /// gray replicated, colour as luma), and for `fashion2edges` A→B the
    /// fixed edge filter, which is the true mapping (the upper bound).
    static func baselines(source: Tensor, targetChannels: Int, truth: Tensor?, task: UnpairedTask?, forward: Bool) -> [(
        name: String, outputs: Tensor
    )] {
        let identity = withoutGradients { () -> Tensor in
            if source.shape[1] == targetChannels { return source }
            return targetChannels == 3 ? concat(Array(repeating: source, count: 3), axis: 1) : TranslationEvaluator.luma(source)
        }
        var result: [(name: String, outputs: Tensor)] = [("identity", identity)]
        if task == .fashion2edges && forward, let truth { result.append(("edge-filter", truth)) }
        return result
    }
}
