import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANMetrics

@Suite("The feature classifier", .serialized)
struct ClassifierTests {
    static let test = try! IDXDataset.load(name: "fashion-mnist", split: .test)

    /// The committed weights, re-measured on the full test split.
    @Test func shippedClassifierReachesItsRecordedAccuracy() throws {
        let (classifier, provenance) = try FeatureClassifier.fashionMNIST()
        #expect(classifier.architecture == FeatureClassifier.Architecture())
        #expect(provenance.dataset == "fashion-mnist")
        #expect(provenance.command.hasPrefix("gan classifier train"))
        let accuracy = classifier.accuracy(images: Self.test.images, labels: Self.test.labels)
        #expect(accuracy >= 0.91, "test accuracy \(accuracy)")
        #expect(Swift.abs(accuracy - provenance.testAccuracy!) < 1e-4, "measured \(accuracy), recorded \(provenance.testAccuracy!)")
    }

    /// The shipped judge of colourisation: its recorded accuracy on the
    /// colourised test split, and near chance on the gray images (it decides by colour).
    @Test func shippedColourClassifierJudgesColour() throws {
        let path = try FeatureClassifier.shippedPath(FeatureClassifier.colorizedFashionMNISTFileName)
        let (classifier, provenance) = try FeatureClassifier.load(path)
        #expect(classifier.architecture.imageShape == [3, 28, 28] && provenance.dataset == "colorize")
        let pairs = try TranslationTask.load(.colorize, split: .test)
        let accuracy = classifier.accuracy(images: pairs.targets, labels: pairs.labels)
        #expect(Swift.abs(accuracy - provenance.testAccuracy!) < 1e-4, "measured \(accuracy), recorded \(provenance.testAccuracy!)")
        #expect(accuracy > 0.95)
        let gray = concat([pairs.inputs, pairs.inputs, pairs.inputs], axis: 1)
        #expect(classifier.accuracy(images: gray, labels: pairs.labels) < 0.5)
    }

    /// A reference kept as bytes (the test split as loaded) is read a batch
    /// at a time and gives the same features, bit for bit, as its floats.
    @Test func byteReferencesGiveTheFeaturesOfTheirFloats() throws {
        let (classifier, _) = try FeatureClassifier.fashionMNIST()
        let bytes = Self.test.prefix(300).imageArray
        #expect(bytes.pixels != nil)
        let fromBytes = classifier.outputs(for: bytes, batchSize: 128)
        let fromFloats = classifier.outputs(for: bytes.all, batchSize: 128)
        #expect(fromBytes.features == fromFloats.features && fromBytes.probabilities == fromFloats.probabilities)
        let evaluator = ImageEvaluator(classifier: classifier, referenceImages: bytes, reference: "test")
        #expect(evaluator.referenceStatistics == FeatureStatistics(features: classifier.outputs(for: bytes.all).features))
    }

    /// FID against the test split is ~0 for the test split itself and grows
    /// with every step of added Gaussian noise.
    @Test func fidGrowsMonotonicallyWithNoise() throws {
        let (classifier, _) = try FeatureClassifier.fashionMNIST()
        let reference = Self.test.images.slice(axis: 0, start: 0, end: 2_000)
        let evaluator = ImageEvaluator(classifier: classifier, referenceImages: reference, reference: "test")
        var random = RandomGenerator(seed: 3)
        let noise = Tensor.normal(reference.shape, random: &random)
        var previous = -1.0
        for level: Float in [0, 0.05, 0.1, 0.2, 0.4, 0.8] {
            let fid = evaluator.fid(samples: reference + noise * level)
            if level == 0 { #expect(fid < 1e-6 * evaluator.referenceStatistics.covariance.trace, "FID to itself \(fid)") }
            #expect(fid > previous, "noise \(level): FID \(fid) after \(previous)")
            previous = fid
        }
    }

    @Test func fullEvaluationOfRealImagesIsNearTheFloor() throws {
        let (classifier, _) = try FeatureClassifier.fashionMNIST()
        let evaluator = ImageEvaluator(
            classifier: classifier, referenceImages: Self.test.images.slice(axis: 0, start: 0, end: 1_000),
            reference: "test")
        let train = try IDXDataset.load(name: "fashion-mnist", split: .train, limit: 1_000)
        let realReport = evaluator.evaluate(samples: train.images, kidSubsets: 20, kidSubsetSize: 500)
        // Blank images: one "class", far from the data.
        let blankReport = evaluator.evaluate(samples: Tensor.full([1_000, 1, 28, 28], value: -1), kidSubsets: 20, kidSubsetSize: 500)
        #expect(realReport.fid < blankReport.fid / 20, "real \(realReport.fid), blank \(blankReport.fid)")
        #expect(realReport.kid.mean < blankReport.kid.mean / 20)
        #expect(realReport.classifierScore.mean > 6 && blankReport.classifierScore.mean < 1.01)
        #expect(realReport.manifold.precision > 0.6 && realReport.manifold.recall > 0.6 && realReport.manifold.coverage > 0.6)
        #expect(blankReport.manifold.recall < 0.01 && blankReport.manifold.coverage < 0.01)
        #expect(realReport.classHistogram.classesCovered == 10 && blankReport.classHistogram.classesCovered == 1)
    }

    /// Training is seeded: the same recipe gives the same weights, and
    /// even one short epoch learns far above chance.
    @Test func trainingIsReproducible() throws {
        let small = try IDXDataset.load(name: "fashion-mnist", split: .train, limit: 1_024)
        let recipe = ClassifierTraining(architecture: .init(width: 4, featureDimension: 16), epochs: 2, batchSize: 64, seed: 7)
        let first = recipe.run(on: small)
        let second = recipe.run(on: small)
        #expect(first.stateDict() == second.stateDict())
        let accuracy = first.accuracy(
            images: Self.test.images.slice(axis: 0, start: 0, end: 1_000),
            labels: Array(Self.test.labels.prefix(1_000)))
        #expect(accuracy > 0.5, "accuracy \(accuracy)")
    }

    @Test func checkpointsRoundTripAndBadFilesAreNamed() throws {
        let directory = temporaryDirectory()
        var random = RandomGenerator(seed: 1)
        let classifier = FeatureClassifier(.init(width: 2, featureDimension: 4, classCount: 3), random: &random)
        let path = "\(directory)/c.safetensors"
        try classifier.save(to: path, provenance: .init(testAccuracy: 0.5, dataset: "toy", command: "gan classifier train --data toy"))
        let (loaded, provenance) = try FeatureClassifier.load(path)
        #expect(loaded.stateDict() == classifier.stateDict())
        #expect(loaded.architecture == classifier.architecture)
        #expect(provenance == .init(testAccuracy: 0.5, dataset: "toy", command: "gan classifier train --data toy"))
        #expect(loaded.stateDict().keys.first == "features.0.weight")

        // Any other safetensors file is refused with its name.
        try SafeTensors.write(classifier.stateDict(), to: "\(directory)/plain.safetensors")
        #expect(throws: FileError.self) { try FeatureClassifier.load("\(directory)/plain.safetensors") }
        do {
            _ = try FeatureClassifier.load("\(directory)/plain.safetensors")
        } catch {
            #expect("\(error)".contains("plain.safetensors") && "\(error)".contains("format"))
        }
    }
}

@Suite("README evaluation example")
struct ReadmeEvaluationExampleTests {
    /// The README's library snippet, with 500 real training images as samples.
    @Test func readmeSnippetRuns() throws {
        let samples = try IDXDataset.load(name: "fashion-mnist", split: .train, limit: 500).images
        let (classifier, _) = try FeatureClassifier.fashionMNIST()
        let test = try IDXDataset.load(name: "fashion-mnist", split: .test)
        let evaluator = ImageEvaluator(classifier: classifier, referenceImages: test.images, reference: "fashion-mnist test")
        let report = evaluator.evaluate(samples: samples)  // samples: [N, 1, 28, 28] in [-1, 1]
        #expect(report.fid.isFinite && report.kid.subsetSize == 500 && report.manifold.precision > 0.5)
        #expect(report.classHistogram.classesCovered == 10)
    }
}
