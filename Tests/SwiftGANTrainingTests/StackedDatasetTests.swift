import Foundation
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// Stacked Fashion-MNIST (`--data stacked-fashion-mnist`) and the mode
/// count of the stacked benchmark.
@Suite struct StackedDatasetTests {
    /// A source of 6 one-channel 2x2 images, each filled with its own index, labelled by index mod 3.
    static func source(bytes: Bool) -> ImageDataset {
        let values = (0..<6).flatMap { [UInt8](repeating: UInt8(10 * $0), count: 4) }
        let labels = (0..<6).map { $0 % 3 }
        let names = ["a", "b", "c"]
        if bytes { return ImageDataset(pixels: PixelStore(values, shape: [6, 1, 2, 2]), labels: labels, classNames: names) }
        return ImageDataset(images: Tensor(values.map { Float($0) }, shape: [6, 1, 2, 2]), labels: labels, classNames: names)
    }

    /// Each channel is a whole source image, its label the channels' classes in
    /// base K (red first), the draws are seeded, and bytes and floats agree.
    @Test(arguments: [true, false])
    func channelsAreWholeImagesAndLabelsTheirClasses(_ bytes: Bool) {
        let source = Self.source(bytes: bytes)
        let stacked = StackedDataset.make(from: source, count: 400, seed: 7)
        #expect(stacked.imageShape == [3, 2, 2] && stacked.count == 400 && stacked.classCount == 27)
        let images = stacked.images.scalars
        let sourceImages = source.images.scalars
        var drawn = [Set<Int>](repeating: [], count: 3)
        for index in 0..<400 {
            var classes: [Int] = []
            for channel in 0..<3 {
                let plane = Array(images[(index * 3 + channel) * 4..<((index * 3 + channel) * 4 + 4)])
                // The plane is one source image: four equal pixels matching that image's.
                let image = (0..<6).first { Array(sourceImages[$0 * 4..<($0 * 4 + 4)]) == plane }
                #expect(image != nil, "sample \(index) channel \(channel): \(plane)")
                classes.append((image ?? 0) % 3)
                drawn[channel].insert(image ?? -1)
            }
            #expect(stacked.labels[index] == (classes[0] * 3 + classes[1]) * 3 + classes[2])
            #expect(StackedDataset.channelClasses(of: stacked.labels[index], classesPerChannel: 3) == classes)
        }
        // Every channel draws from the whole source.
        #expect(drawn.allSatisfy { $0 == Set(0..<6) })
        #expect(StackedDataset.make(from: source, count: 400, seed: 7).images.scalars == images)
        #expect(StackedDataset.make(from: source, count: 400, seed: 8).images.scalars != images)
        #expect(stacked.classNames[5] == "0-1-2")
    }

    /// The channels are independent draws: over 30,000 images, each pair of
    /// channels' classes is near the product of their frequencies (a χ² test
    /// far below its 0.1% critical value for 4 degrees of freedom, 18.5).
    @Test func channelsAreIndependent() {
        let stacked = StackedDataset.make(from: Self.source(bytes: true), count: 30_000, seed: 9)
        let classes = stacked.labels.map { StackedDataset.channelClasses(of: $0, classesPerChannel: 3) }
        for (first, second) in [(0, 1), (0, 2), (1, 2)] {
            var table = [[Double]](repeating: [0, 0, 0], count: 3)
            for triple in classes { table[triple[first]][triple[second]] += 1 }
            let rows = table.map { $0.reduce(0, +) }
            let columns = (0..<3).map { column in table.reduce(0) { $0 + $1[column] } }
            var chiSquare = 0.0
            for row in 0..<3 {
                for column in 0..<3 {
                    let expected = rows[row] * columns[column] / 30_000
                    chiSquare += (table[row][column] - expected) * (table[row][column] - expected) / expected
                }
            }
            #expect(chiSquare < 18.5, "channels \(first), \(second): χ² \(chiSquare)")
        }
    }

    /// Mode counts with known answers: all modes alike (KL 0), one mode (KL log 1000),
    /// and a half-and-half split of two modes (KL log 500).
    @Test func modeCountsOnConstructedLabels() {
        let all = (0..<1_000).map { [$0 / 100, ($0 / 10) % 10, $0 % 10] }
        let uniform = StackedModeMetrics.compute(channelClasses: all + all, classesPerChannel: 10)
        #expect(uniform.modesCovered == 1_000 && uniform.modeCount == 1_000 && Swift.abs(uniform.klToUniform) < 1e-12)
        let one = StackedModeMetrics.compute(channelClasses: Array(repeating: [3, 1, 4], count: 50), classesPerChannel: 10)
        #expect(one.modesCovered == 1 && Swift.abs(one.klToUniform - log(1_000)) < 1e-12)
        let two = StackedModeMetrics.compute(
            channelClasses: Array(repeating: [0, 0, 1], count: 7) + Array(repeating: [9, 9, 9], count: 7), classesPerChannel: 10)
        #expect(two.modesCovered == 2 && Swift.abs(two.klToUniform - log(500)) < 1e-12)
    }

    /// The shipped classifier on each channel of real stacked images finds
    /// nearly every mode: the floor a generator is compared with.
    @Test func realStackedImagesCoverNearlyEveryMode() throws {
        let spec = DataSpec(name: StackedDataset.fashionMNISTName, limit: 6_000)
        let stacked = try spec.load(seed: 1)
        #expect(stacked.imageShape == [3, 28, 28] && stacked.classCount == 1_000)
        let classifier = try EvaluationSetup.stackedClassifier(featuresPath: nil)
        let metrics = StackedModeMetrics.compute(samples: stacked.images, classifier: classifier)
        // 6,000 draws over 1,000 near-uniform modes leave about e⁻⁶ of them empty.
        #expect(metrics.sampleCount == 6_000 && metrics.modesCovered >= 980, "\(metrics)")
        #expect(metrics.klToUniform < 0.2, "\(metrics)")
        // The classifier's labels agree with the true triples about as often as its accuracy allows (0.93³ ≈ 0.80).
        let predicted = (0..<3).map { classifier.outputs(for: stacked.images.slice(axis: 1, start: $0, end: $0 + 1)).predictedClasses }
        let agree = (0..<6_000).filter { index in
            StackedDataset.channelClasses(of: stacked.labels[index], classesPerChannel: 10) == predicted.map { $0[index] }
        }.count
        #expect(Double(agree) / 6_000 > 0.75, "\(agree) of 6000")
    }

    /// A DCGAN (packed, width 8) trains a few steps on stacked images, and
    /// the evaluation during training reports modes and KL.
    @Test func aPackedDCGANTrainsOnStackedImagesAndCountsModes() throws {
        var model = ModelConfig(kind: .dcgan, imageShape: [3, 28, 28], width: 8)
        var training = TrainingConfig(seed: 2)
        Preset.dcganQuick.apply(to: &model, &training)
        model.width = 8
        model.pack = 2
        training.batchSize = 16
        training.evalCount = 200
        let config = RunConfig(model: model, training: training, data: DataSpec(name: StackedDataset.fashionMNISTName, limit: 256))
        let trainer = try Trainer(config: config, dataset: try config.data.load(seed: 2))
        #expect(trainer.config.model.imageShape == [3, 28, 28])
        for _ in 0..<3 { try trainer.trainStep() }
        let evaluator = try TrainingEvaluator(config: trainer.config)
        #expect(evaluator.scoreName == "eval/kl")
        let (values, score) = evaluator.evaluate(trainer.samplingGenerator(), step: 3)
        let modes = values.first { $0.name == "eval/modes" }?.value ?? -1
        #expect(modes >= 1 && modes <= 200 && score >= 0 && score <= log(1_000))
        #expect(throws: (any Error).self) { _ = try EvaluationSetup.labelledSplit(config.data, .test) }
    }
}
