import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor

extension GeneratorModel {
    /// `count` samples from seeded latents, generated in evaluation mode in
    /// batches without gradients. Conditional models cycle through the
    /// classes (`labels[i] = i % classCount`), so classes are balanced.
    ///
    /// - Returns: samples `[count, C, H, W]` (`[count, 2]` for 2-D models)
    ///   and the labels used (nil for unconditional models).
    public func sample(count: Int, seed: UInt64, batchSize: Int = 500) -> (samples: Tensor, labels: [Int]?) {
        require(count >= 1 && batchSize >= 1, "GeneratorModel.sample: count \(count) and batch size \(batchSize) must be positive")
        var random = RandomGenerator(seed: seed)
        let latents = config.sampleLatents(count, random: &random)
        let labels = config.isConditional ? (0..<count).map { $0 % config.classCount } : nil
        let samples = generate(inBatches: latents, labels: labels, batchSize: batchSize)
        return (config.kind == .mlp2d ? samples.reshaped([count, 2]) : samples, labels)
    }

    /// `generate(latents, labels:)` in evaluation mode without gradients,
    /// `batchSize` rows at a time, so the activations of only one batch are
    /// ever held: `[N, C, H, W]` for latents `[N, latentDimension]`.
    public func generate(inBatches latents: Tensor, labels: [Int]?, batchSize: Int = 500) -> Tensor {
        require(batchSize >= 1, "GeneratorModel.generate: batch size \(batchSize) must be positive")
        let count = latents.shape[0]
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        var batches: [Tensor] = []
        withoutGradients {
            var start = 0
            while start < count {
                let end = Swift.min(count, start + batchSize)
                batches.append(generate(latents.slice(axis: 0, start: start, end: end), labels: labels.map { Array($0[start..<end]) }))
                start = end
                ProgressReporting.report("generating samples", done: end, total: count)
            }
        }
        return concat(batches, axis: 0)
    }
}

/// Builds what evaluation needs for a run's data: the feature classifier and
/// the real reference split.
public enum EvaluationSetup {
    /// Loads a classifier: the file at `featuresPath`, or the shipped
    /// Fashion-MNIST classifier, checked against the images' shape.
    /// - Throws: `FileError` naming the file, or one explaining the shape mismatch.
    /// - Parameter dataName: the data's name; without `featuresPath` only
    ///   `fashion-mnist` may use the shipped classifier.
    public static func classifier(featuresPath: String?, imageShape: [Int], dataName: String = "fashion-mnist") throws -> FeatureClassifier {
        if featuresPath == nil && dataName != "fashion-mnist" {
            throw FileError(
                file: dataName,
                problem: "the shipped feature classifier was trained on Fashion-MNIST; "
                    + "train one for this data with `gan classifier train --data ...` and pass --features")
        }
        let (classifier, _) = try featuresPath.map(FeatureClassifier.load) ?? FeatureClassifier.fashionMNIST()
        guard classifier.architecture.imageShape == imageShape else {
            throw FileError(
                file: featuresPath ?? FeatureClassifier.fashionMNISTFileName,
                problem: "the feature classifier takes images \(classifier.architecture.imageShape), but the data's are "
                    + "\(imageShape); train one with `gan classifier train` and pass --features")
        }
        return classifier
    }

    /// The classifier that labels each channel of a stacked run's samples:
    /// the file at `featuresPath`, else the shipped Fashion-MNIST classifier;
    /// it must take one-channel images.
    /// - Throws: `FileError` naming the file, or one explaining the shape.
    public static func stackedClassifier(featuresPath: String?) throws -> FeatureClassifier {
        let (classifier, _) = try featuresPath.map(FeatureClassifier.load) ?? FeatureClassifier.fashionMNIST()
        guard classifier.architecture.imageShape.first == 1 else {
            throw FileError(
                file: featuresPath ?? FeatureClassifier.fashionMNISTFileName,
                problem:
                    "a stacked run's channels are labelled one at a time, so the classifier must take one channel, not \(classifier.architecture.imageShape)")
        }
        return classifier
    }

    /// The labelled split of an IDX dataset (Fashion-MNIST or a directory of
    /// IDX files). An image folder has no splits: all its images (one class
    /// per subdirectory) are returned for either split, so a folder run is
    /// compared with its own training images.
    /// - Throws: `FileError` for 2-D mixtures (no images) or unreadable data.
    public static func labelledSplit(_ data: DataSpec, _ split: IDXDataset.Split, limit: Int? = nil) throws -> ImageDataset {
        guard data.mixture == nil else {
            throw FileError(file: data.name, problem: "image metrics need image data; 2-D mixtures use the mixture metrics")
        }
        guard !data.isStacked else {
            throw FileError(file: data.name, problem: "a stacked run is measured by its modes (the classifier on each channel), not against a split")
        }
        if data.name == "folder" {
            var folder = data
            folder.limit = limit
            return try folder.load(seed: 0)
        }
        let names = data.name == "fashion-mnist" && data.path == nil ? IDXDataset.fashionMNISTClasses : nil
        let directory = try IDXDataset.directory(forName: data.name, override: data.path)
        return try IDXDataset.load(directory: directory, split: split, limit: limit, classNames: names)
    }

    /// An evaluator comparing samples with `data`'s `split` (the test split by default).
    public static func imageEvaluator(data: DataSpec, featuresPath: String?, split: IDXDataset.Split = .test) throws -> ImageEvaluator {
        let reference = try labelledSplit(data, split)
        let classifier = try classifier(
            featuresPath: featuresPath, imageShape: reference.imageShape,
            dataName: data.path == nil ? data.name : "\(data.name) (\(data.path!))")
        return ImageEvaluator(
            classifier: classifier, referenceImages: reference.imageArray,
            reference: "\(data.name) \(split.rawValue)", classNames: reference.classNames, referenceLabels: reference.labels)
    }
}
