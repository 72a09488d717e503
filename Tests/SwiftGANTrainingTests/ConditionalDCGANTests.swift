import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANMetrics
@testable import SwiftGANTraining

/// The conditional convolutional GANs (#19): `cdcgan` with label maps or a
/// projection discriminator, and `acgan` with its auxiliary classifier.
@Suite struct ConditionalDCGANTests {
    /// A labelled 28x28 dataset whose 4 classes are bright squares in
    /// different corners (easy to classify), in memory.
    static func quadrants(count: Int = 64, seed: UInt64 = 3) -> ImageDataset {
        var random = RandomGenerator(seed: seed)
        var pixels: [Float] = []
        var labels: [Int] = []
        for index in 0..<count {
            let label = index % 4
            labels.append(label)
            for row in 0..<28 {
                for column in 0..<28 {
                    let inSquare = (row < 14) == (label < 2) && (column < 14) == (label % 2 == 0)
                    pixels.append((inSquare ? 0.8 : -0.8) + 0.1 * (Float(random.next() % 1000) / 1000 - 0.5))
                }
            }
        }
        return ImageDataset(images: Tensor(pixels, shape: [count, 1, 28, 28]), labels: labels.map { ($0 + Int(seed)) % 4 }, classNames: ["a", "b", "c", "d"])
    }

    static func config(_ kind: ModelConfig.Kind, projection: Bool = false, seed: UInt64 = 2) -> RunConfig {
        var model = ModelConfig(kind: kind, imageShape: [1, 28, 28])
        var training = TrainingConfig(seed: seed)
        (kind == .acgan ? Preset.acgan : Preset.cdcgan).apply(to: &model, &training)
        model.width = 4
        model.latentDimension = 8
        model.projection = projection
        training.batchSize = 16
        return RunConfig(model: model, training: training, data: DataSpec(name: "in-memory"))
    }

    /// Every size and channel count builds, gives images of the data's
    /// shape, and the label changes what G makes and how D scores.
    @Test(arguments: [ModelConfig.Kind.cdcgan, .acgan], [28, 32, 64])
    func shapesAndLabelsMatter(_ kind: ModelConfig.Kind, _ size: Int) throws {
        for (channels, projection) in [(1, false), (3, kind == .cdcgan)] {
            var model = ModelConfig(kind: kind, imageShape: [channels, size, size], latentDimension: 8, width: 4, classCount: 5)
            model.projection = projection
            var random = RandomGenerator(seed: 1)
            let (generator, discriminator) = model.build(random: &random)
            generator.eval()
            discriminator.eval()
            let z = model.sampleLatents(3, random: &random)
            let images = generator.generate(z, labels: [0, 1, 4])
            #expect(images.shape == [3, channels, size, size])
            let other = generator.generate(z, labels: [2, 1, 0])
            let rows = (0..<3).map { row in (images.slice(axis: 0, start: row, end: row + 1).scalars, other.slice(axis: 0, start: row, end: row + 1).scalars) }
            #expect(rows[0].0 != rows[0].1 && rows[1].0 == rows[1].1 && rows[2].0 != rows[2].1)
            let (scores, logits) = discriminator.scoreAndClassify(images, labels: [0, 1, 4])
            #expect(scores.shape == [3, 1])
            if kind == .acgan {
                #expect(logits?.shape == [3, 5])
                // D does not take the label: the score is the same for any.
                #expect(discriminator.score(images, labels: [3, 3, 3]).scalars == scores.scalars)
            } else {
                #expect(logits == nil)
                let relabelled = discriminator.score(images, labels: [1, 1, 4]).scalars
                #expect(relabelled[0] != scores.scalars[0] && relabelled[1] == scores.scalars[1] && relabelled[2] == scores.scalars[2])
            }
        }
    }

    /// The projection discriminator's score is ψ(φ(x)) + ⟨embed(y), Σφ(x)⟩:
    /// moving a sample from class a to class b changes it by exactly
    /// ⟨embed(b) − embed(a), Σφ(x)⟩, with φ the body's last feature map.
    @Test func projectionScoreDiffersByTheEmbeddingsInnerProduct() throws {
        var model = ModelConfig(kind: .cdcgan, imageShape: [1, 28, 28], width: 4, classCount: 3)
        model.projection = true
        var random = RandomGenerator(seed: 4)
        let discriminator = try #require(model.build(random: &random).discriminator as? ConditionalDCGANDiscriminator)
        discriminator.eval()
        let x = Tensor.uniform([2, 1, 28, 28], low: -1, high: 1, random: &random)
        let features = discriminator.main.layers.dropLast().reduce(x) { $1($0) }
        let pooled = features.sum(axes: [2, 3]).scalars  // [2, F]
        let width = pooled.count / 2
        let embedding = try #require(discriminator.labelEmbedding).weight.value.scalars  // [3, F]
        let a = discriminator.score(x, labels: [0, 2]).scalars
        let b = discriminator.score(x, labels: [1, 0]).scalars
        for (row, (from, to)) in [(0, 1), (2, 0)].enumerated() {
            var expected: Double = 0
            for f in 0..<width { expected += Double(embedding[to * width + f] - embedding[from * width + f]) * Double(pooled[row * width + f]) }
            #expect(Swift.abs(Double(b[row] - a[row]) - expected) <= 1e-5 * Swift.max(1, Swift.abs(expected)), "row \(row)")
        }
        // The first convolution sees the image alone (no label maps).
        #expect(discriminator.stateDict().entries.first { $0.key == "main.0.weight" }?.tensor.shape == [4, 1, 4, 4])
    }

    /// Label maps are one-hot planes: D's score of an image with label k is
    /// its DCGAN body's score of [image, planes] with plane k all ones and
    /// the others zero (built here independently), and the first
    /// convolution takes the image's channel and one plane per class.
    @Test func labelMapsAreOneHotPlanes() throws {
        let model = ModelConfig(kind: .cdcgan, imageShape: [1, 28, 28], width: 4, classCount: 3)
        var random = RandomGenerator(seed: 5)
        let discriminator = try #require(model.build(random: &random).discriminator as? ConditionalDCGANDiscriminator)
        discriminator.eval()
        #expect((discriminator.main.layers.first as? Conv2d)?.weight.shape == [4, 4, 4, 4])
        let x = Tensor.uniform([1, 1, 28, 28], low: -1, high: 1, random: &random)
        for label in 0..<3 {
            var maps = [Float](repeating: 0, count: 3 * 28 * 28)
            for index in (label * 784)..<((label + 1) * 784) { maps[index] = 1 }
            let expected = discriminator.main(concat([x, Tensor(maps, shape: [1, 3, 28, 28])], axis: 1)).scalars[0]
            #expect(Swift.abs(discriminator.score(x, labels: [label]).scalars[0] - expected) <= 1e-6, "label \(label)")
        }
    }

    /// ACGAN's class loss trains the auxiliary head: with weight 1 the
    /// logged class loss falls and D learns to classify the easy quadrant
    /// classes (`accuracy/class_real`); with weight 0 the head never changes;
    /// with `classLossOnFakes` D's class loss adds the fake batch's cross-entropy.
    @Test func acganClassLossTrainsTheAuxiliaryClassifier() throws {
        let dataset = Self.quadrants()
        var weighted = Self.config(.acgan)
        weighted.training.learningRateD = 2e-3
        let trainer = try Trainer(config: weighted, dataset: dataset)
        var accuracies: [Float] = []
        var classLosses: [Float] = []
        for _ in 0..<40 {
            let metrics = try trainer.trainStep()
            accuracies.append(try #require(metrics.additional["accuracy/class_real"]))
            #expect(metrics.additional["loss/class"].map { $0 > 0 && $0.isFinite } == true)
            classLosses.append(metrics.additional["loss/class"] ?? 0)
        }
        // The class loss (on the real batches) falls to well under half, and D classifies the real batches.
        let early: Float = classLosses.prefix(3).reduce(0, +) / 3
        let late: Float = classLosses.suffix(5).reduce(0, +) / 5
        #expect(late < 0.4 * early, "\(classLosses)")
        #expect(accuracies.suffix(5).allSatisfy { $0 >= 0.9 }, "\(accuracies)")
        #expect(trainer.trainingStep.updates.count == 2)

        var unweighted = weighted
        unweighted.training.classLossWeight = 0
        let untrained = try Trainer(config: unweighted, dataset: dataset)
        let head = { (trainer: Trainer) in (trainer.discriminator as! AuxiliaryClassifierDiscriminator).classifier.weight.value.scalars }
        let before = head(untrained)
        for _ in 0..<3 { try untrained.trainStep() }
        #expect(head(untrained) == before)
        #expect(head(trainer) != before)

        // On fakes too: the same first step's real term, and the fake batch's
        // cross-entropy, near ln 4 for the untrained head's near-uniform
        // logits; it changes D's update. Off, no fake term is computed.
        var onFakes = weighted
        onFakes.training.classLossOnFakes = true
        let (realOnly, withFakes) = (try Trainer(config: weighted, dataset: dataset), try Trainer(config: onFakes, dataset: dataset))
        let (first, second) = (try realOnly.trainStep(), try withFakes.trainStep())
        #expect(first.additional["loss/class"] == second.additional["loss/class"] && first.additional["loss/class_fake"] == nil)
        let fakeTerm = try #require(second.additional["loss/class_fake"])
        #expect(fakeTerm > 0.5 * Float(log(4.0)) && fakeTerm < 2 * Float(log(4.0)), "fake class loss \(fakeTerm)")
        #expect(head(realOnly) != head(withFakes))
    }

    /// cdcgan (both discriminators) and acgan, in every update order,
    /// resume bit for bit from a checkpoint.
    @Test(arguments: ["label-maps", "projection", "acgan"], TrainingConfig.UpdateOrder.allCases)
    func conditionalModelsResumeExactly(_ variant: String, _ order: TrainingConfig.UpdateOrder) throws {
        var config = Self.config(variant == "acgan" ? .acgan : .cdcgan, projection: variant == "projection")
        config.training.update = order
        try expectResumesExactly(config, Self.quadrants(), "\(variant) \(order)")
    }

    /// The fixed grid of a conditional run has 8 samples per class, and
    /// `classRows` puts each class in its own row.
    @Test func classGridsHaveOneRowPerClass() throws {
        let trainer = try Trainer(config: Self.config(.cdcgan), dataset: Self.quadrants())
        #expect(trainer.fixedLatents.shape == [32, 8])
        #expect(trainer.fixedLabels == (0..<32).map { $0 % 4 })
        let images = Tensor((0..<12).map(Float.init), shape: [12, 1, 1, 1])  // image i has class i % 3
        let rows = try #require(ImageGrid.classRows(images, classes: 3))
        #expect(rows.nrow == 4)
        #expect(rows.images.scalars == [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11])
        #expect(ImageGrid.classRows(images, classes: 5) == nil)
    }

    /// A projection head is for cgan and cdcgan only; acgan and
    /// unconditional models refuse it with the reason, and models without
    /// an auxiliary classifier refuse the class loss's settings.
    @Test func projectionIsRefusedWhereItDoesNotApply() throws {
        var acgan = ModelConfig(kind: .acgan, imageShape: [1, 28, 28])
        acgan.projection = true
        #expect(acgan.validationProblem()?.contains("acgan classifies with its auxiliary head instead") == true)
        var dcgan = ModelConfig(kind: .dcgan, imageShape: [1, 28, 28])
        dcgan.projection = true
        #expect(dcgan.validationProblem()?.contains("dcgan takes no labels") == true)
        #expect(ModelConfig(kind: .cdcgan, imageShape: [1, 20, 20]).validationProblem()?.contains("28x28, 32x32 or 64x64") == true)
        var negative = TrainingConfig()
        negative.classLossWeight = -1
        #expect(negative.validationProblem()?.contains("class loss weight -1.0") == true)
        for change in [{ (training: inout TrainingConfig) in training.classLossWeight = 2 }, { $0.classLossOnFakes = true }] {
            var config = Self.config(.cdcgan)
            change(&config.training)
            #expect {
                try Trainer(config: config, dataset: Self.quadrants())
            } throws: { error in
                "\(error)".contains("are for acgan's auxiliary classifier; cdcgan has none")
            }
            var acgan = Self.config(.acgan)
            change(&acgan.training)
            _ = try Trainer(config: acgan, dataset: Self.quadrants())
        }
    }
}

/// The conditional metrics `gan eval` reports for labelled samples.
@Suite struct ConditionalMetricsTests {
    /// Label accuracy counts the classifier's predictions that equal the
    /// requested class; each per-class FID is the FID of that class's rows
    /// against the reference's rows of the class, and the intra-class FID
    /// their mean; the reference against itself gives 0.
    @Test func accuracyAndIntraClassFID() throws {
        var random = RandomGenerator(seed: 8)
        let count = 60
        let features = Tensor.normal([count, 3], random: &random)
        let referenceFeatures = Tensor.normal([count, 3], mean: 0.5, random: &random)
        func outputs(_ features: Tensor, predicting classes: [Int]) -> ClassifierOutputs {
            var probabilities = [Float](repeating: 0, count: classes.count * 3)
            for (row, label) in classes.enumerated() { probabilities[row * 3 + label] = 1 }
            return ClassifierOutputs(features: features, probabilities: Tensor(probabilities, shape: [classes.count, 3]))
        }
        let labels = (0..<count).map { $0 % 3 }
        var predicted = labels
        for row in [0, 3, 6, 9, 1] { predicted[row] = (labels[row] + 1) % 3 }  // four class-0 and one class-1 mistakes
        let referenceLabels = (0..<count).map { ($0 / 2) % 3 }
        let result = ConditionalEvaluation.compute(
            outputs: outputs(features, predicting: predicted), labels: labels,
            reference: outputs(referenceFeatures, predicting: referenceLabels), referenceLabels: referenceLabels, classCount: 3)
        #expect(Swift.abs(result.labelAccuracy - 55.0 / 60) < 1e-12)
        #expect(result.perClassAccuracy.map { $0 ?? -1 } == [16.0 / 20, 19.0 / 20, 1])
        for label in 0..<3 {
            let mine = (0..<count).filter { labels[$0] == label }
            let theirs = (0..<count).filter { referenceLabels[$0] == label }
            let direct = FeatureStatistics.frechetDistance(
                FeatureStatistics(features: features.indexSelect(mine)), FeatureStatistics(features: referenceFeatures.indexSelect(theirs)))
            #expect(Swift.abs(result.perClassFID[label]! - direct) <= 1e-9 * Swift.max(1, direct))
        }
        #expect(Swift.abs(result.intraClassFID! - result.perClassFID.map { $0! }.reduce(0, +) / 3) < 1e-12)
        let itself = ConditionalEvaluation.compute(
            outputs: outputs(referenceFeatures, predicting: referenceLabels), labels: referenceLabels,
            reference: outputs(referenceFeatures, predicting: referenceLabels), referenceLabels: referenceLabels, classCount: 3)
        #expect(itself.labelAccuracy == 1 && itself.intraClassFID! < 1e-6)
        // A class with fewer than 2 samples has no FID and is left out of the mean.
        let sparse = ConditionalEvaluation.compute(
            outputs: outputs(features, predicting: labels), labels: labels.map { $0 == 2 ? 1 : $0 }.enumerated().map { $0 == 0 ? 2 : $1 },
            reference: outputs(referenceFeatures, predicting: referenceLabels), referenceLabels: referenceLabels, classCount: 3)
        #expect(sparse.perClassFID[2] == nil && sparse.perClassFID[0] != nil && sparse.intraClassFID != nil)
    }
}
