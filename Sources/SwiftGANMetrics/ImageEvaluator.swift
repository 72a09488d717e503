import Foundation
import SwiftGANData
import SwiftGANTensor

/// Every image metric for one set of samples against a reference set.
public struct ImageEvaluation: Sendable, Codable, Equatable {
    /// Number of samples evaluated.
    public var sampleCount: Int
    /// What the samples were compared with (e.g. `fashion-mnist test`) and how many images it holds.
    public var reference: String
    public var referenceCount: Int
    /// Fréchet distance of the classifier features (lower is better; 0 is the reference itself).
    public var fid: Double
    /// Kernel distance of the same features (unbiased; near 0 for the reference distribution).
    public var kid: KernelInceptionDistance
    /// The Inception Score computed with the classifier (1 … number of classes).
    public var classifierScore: ClassifierScore
    /// Precision, recall, density and coverage.
    public var manifold: ManifoldMetrics
    /// Predicted classes of the samples.
    public var classHistogram: ClassHistogram
    /// Class names by index.
    public var classNames: [String]
    /// Classification accuracy score (conditional models): accuracy on the
    /// real test split of a classifier trained on generated labelled samples only.
    public var classificationAccuracyScore: Double?
    /// For samples with labels (a conditional model's requested classes, or
    /// real images' own): the classifier's accuracy against them and the
    /// intra-class FID; nil without labels or when the reference has none.
    public var conditional: ConditionalEvaluation?
}

/// Computes the image metrics with one feature classifier against one
/// reference set, whose features and statistics are extracted once.
///
/// ```swift
/// let (classifier, _) = try FeatureClassifier.fashionMNIST()
/// let test = try IDXDataset.load(name: "fashion-mnist", split: .test)
/// let evaluator = ImageEvaluator(classifier: classifier, referenceImages: test.images, reference: "fashion-mnist test")
/// let report = evaluator.evaluate(samples: generated)   // generated: [N, 1, 28, 28] in [-1, 1]
/// print(report.fid, report.kid.mean, report.classifierScore.mean)
/// ```
public final class ImageEvaluator: @unchecked Sendable {
    public let classifier: FeatureClassifier
    /// The reference images' classifier outputs.
    public let referenceOutputs: ClassifierOutputs
    public let referenceStatistics: FeatureStatistics
    public let reference: String
    public let classNames: [String]
    /// The reference images' classes (for the conditional metrics), when known.
    public let referenceLabels: [Int]?

    /// - Parameters:
    ///   - referenceImages: `[N, C, H, W]` in [-1, 1], N ≥ 6.
    ///   - reference: a name for reports.
    ///   - referenceLabels: the images' classes, N of them in the classifier's classes (nil: the conditional metrics are left out).
    public convenience init(
        classifier: FeatureClassifier, referenceImages: Tensor, reference: String, classNames: [String]? = nil, referenceLabels: [Int]? = nil
    ) {
        self.init(
            classifier: classifier, referenceImages: .floats(referenceImages), reference: reference, classNames: classNames,
            referenceLabels: referenceLabels)
    }

    /// An evaluator whose reference images (floats or a dataset's bytes) are read one batch at a time.
    public init(
        classifier: FeatureClassifier, referenceImages: ImageArray, reference: String, classNames: [String]? = nil, referenceLabels: [Int]? = nil
    ) {
        if let referenceLabels {
            require(referenceLabels.count == referenceImages.count, "ImageEvaluator: \(referenceLabels.count) labels for \(referenceImages.count) images")
        }
        self.referenceLabels = referenceLabels
        self.classifier = classifier
        referenceOutputs = classifier.outputs(for: referenceImages)
        referenceStatistics = FeatureStatistics(features: referenceOutputs.features)
        self.reference = reference
        self.classNames = classNames ?? (0..<classifier.architecture.classCount).map(String.init)
    }

    /// Checks that samples fit the classifier.
    public func shapeProblem(_ samples: Tensor) -> String? {
        let expected = classifier.architecture.imageShape
        if samples.rank != 4 || Array(samples.shape.dropFirst()) != expected {
            return "samples \(samples.shape) do not match the feature classifier's images [N, \(expected.map(String.init).joined(separator: ", "))]"
        }
        if samples.shape[0] < 11 { return "at least 11 samples are needed, got \(samples.shape[0])" }
        return nil
    }

    /// FID alone.
    public func fid(samples: Tensor) -> Double { fidAndClasses(samples: samples).fid }

    /// FID and the predicted-class histogram from one pass of the
    /// classifier (what training computes every `--eval-every` steps).
    public func fidAndClasses(samples: Tensor) -> (fid: Double, classHistogram: ClassHistogram) {
        let metrics = trainingMetrics(samples: samples, kid: false, manifold: false)
        return (metrics.fid, metrics.classHistogram)
    }

    /// What training evaluates: FID and the class histogram always; KID
    /// (`kidSubsets` subsets of up to 1,000) and precision, recall, density
    /// and coverage when asked, since they cost several times FID's time.
    public func trainingMetrics(samples: Tensor, kid: Bool, manifold: Bool, kidSubsets: Int = 10, seed: UInt64 = 0) -> (
        fid: Double, classHistogram: ClassHistogram, kid: KernelInceptionDistance?, manifold: ManifoldMetrics?
    ) {
        if let problem = shapeProblem(samples) { fatalError("ImageEvaluator.fid: \(problem)") }
        let outputs = classifier.outputs(for: samples)
        let fid = FeatureStatistics.frechetDistance(FeatureStatistics(features: outputs.features), referenceStatistics)
        let histogram = ClassHistogram(predictedClasses: outputs.predictedClasses, classCount: classifier.architecture.classCount)
        let kernel =
            kid
            ? KernelInceptionDistance.compute(real: referenceOutputs.features, fake: outputs.features, subsets: kidSubsets, seed: seed) : nil
        let neighbours = manifold ? ManifoldMetrics.compute(real: referenceOutputs.features, fake: outputs.features) : nil
        return (fid, histogram, kernel, neighbours)
    }

    /// Every metric for `samples` `[M, C, H, W]` in [-1, 1].
    public func evaluate(
        samples: Tensor, kidSubsets: Int = 100, kidSubsetSize: Int = 1000, scoreSplits: Int = 10,
        seed: UInt64 = 0
    ) -> ImageEvaluation {
        if let problem = shapeProblem(samples) { fatalError("ImageEvaluator.evaluate: \(problem)") }
        return evaluate(
            outputs: classifier.outputs(for: samples), labels: nil, kidSubsets: kidSubsets, kidSubsetSize: kidSubsetSize, scoreSplits: scoreSplits, seed: seed)
    }

    /// Every metric for samples whose classifier outputs are `outputs` (from
    /// `classifier.outputs(for:)`); with the samples' `labels` (and the
    /// reference's, and labels in the classifier's classes) also the conditional metrics.
    public func evaluate(
        outputs: ClassifierOutputs, labels: [Int]? = nil, kidSubsets: Int = 100, kidSubsetSize: Int = 1000, scoreSplits: Int = 10,
        seed: UInt64 = 0
    ) -> ImageEvaluation {
        let count = outputs.features.shape[0]
        let fid = FeatureStatistics.frechetDistance(FeatureStatistics(features: outputs.features), referenceStatistics)
        let kid = KernelInceptionDistance.compute(
            real: referenceOutputs.features, fake: outputs.features,
            subsets: kidSubsets, subsetSize: kidSubsetSize, seed: seed)
        let score = ClassifierScore.compute(probabilities: outputs.probabilities, splits: Swift.min(scoreSplits, count))
        let manifold = ManifoldMetrics.compute(real: referenceOutputs.features, fake: outputs.features)
        let histogram = ClassHistogram(predictedClasses: outputs.predictedClasses, classCount: classifier.architecture.classCount)
        return ImageEvaluation(
            sampleCount: count, reference: reference, referenceCount: referenceOutputs.features.shape[0],
            fid: fid, kid: kid, classifierScore: score, manifold: manifold, classHistogram: histogram,
            classNames: classNames, classificationAccuracyScore: nil, conditional: conditionalMetrics(outputs: outputs, labels: labels))
    }

    /// The conditional metrics of samples generated for `labels`, or nil
    /// without labels on both sides or with a label outside the classifier's classes.
    public func conditionalMetrics(outputs: ClassifierOutputs, labels: [Int]?) -> ConditionalEvaluation? {
        let classes = classifier.architecture.classCount
        guard let labels, let referenceLabels, labels.count == outputs.features.shape[0],
            (labels + referenceLabels).allSatisfy({ $0 >= 0 && $0 < classes })
        else { return nil }
        return ConditionalEvaluation.compute(
            outputs: outputs, labels: labels, reference: referenceOutputs, referenceLabels: referenceLabels, classCount: classes)
    }
}

/// The classification accuracy score (Ravuri & Vinyals 2019, "Classification
/// Accuracy Score for Conditional Generative Models"): train a fresh
/// classifier on generated labelled samples only, then measure its accuracy
/// on real test data. Near the real-data classifier's accuracy means the
/// generator could stand in for the training set.
public enum ClassificationAccuracyScore {
    /// - Parameters:
    ///   - samples: generated `[N, C, H, W]` with their conditioning `labels`.
    ///   - test: the real test split.
    ///   - recipe: how to train the fresh classifier (its architecture's
    ///     image shape and class count must fit the data).
    public static func compute(samples: Tensor, labels: [Int], test: ImageDataset, recipe: ClassifierTraining) -> Double {
        let generated = ImageDataset(
            images: samples, labels: labels,
            classNames: (0..<recipe.architecture.classCount).map(String.init))
        let classifier = recipe.run(on: generated)
        return classifier.accuracy(images: test.images, labels: test.labels)
    }
}

/// What samples' features give against reference statistics alone (a
/// `--reference-stats` file): FID, the classifier score and the class
/// histogram. KID and the k-NN metrics need the reference features themselves.
public struct StatisticsEvaluation: Sendable, Codable, Equatable {
    public var sampleCount: Int
    /// Where the reference statistics came from.
    public var reference: String
    public var referenceCount: Int
    public var fid: Double
    public var classifierScore: ClassifierScore
    public var classHistogram: ClassHistogram
    public var classNames: [String]

    /// The metrics of `outputs` (the samples' classifier outputs) against `reference` statistics.
    public init(
        outputs: ClassifierOutputs, reference statistics: FeatureStatistics, named reference: String, classNames: [String], scoreSplits: Int = 10
    ) {
        sampleCount = outputs.features.shape[0]
        self.reference = reference
        referenceCount = statistics.count
        fid = FeatureStatistics.frechetDistance(FeatureStatistics(features: outputs.features), statistics)
        classifierScore = ClassifierScore.compute(probabilities: outputs.probabilities, splits: Swift.min(scoreSplits, sampleCount))
        classHistogram = ClassHistogram(predictedClasses: outputs.predictedClasses, classCount: classNames.count)
        self.classNames = classNames
    }
}
