import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// `gan classifier`: train and test the feature network used by `gan eval`.
struct ClassifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classifier",
        abstract: "Train or test the classifier whose features FID, KID and the classifier score use.",
        subcommands: [ClassifierTrainCommand.self, ClassifierTestCommand.self]
    )
}

/// Where labelled images come from: a named IDX dataset, a directory of IDX
/// files, or an image folder with one subdirectory per class.
struct LabelledDataOptions: ParsableArguments {
    @Option(
        help: """
            Dataset: fashion-mnist, a directory of IDX files (MNIST layout), an image folder (one subdirectory per class), \
            or a built-in translation task's targets (colorize: the colourised Fashion-MNIST).
            """)
    var data: String = "fashion-mnist"

    @Option(parsing: .unconditional, help: "Image folders: resize to this square size.")
    var imageSize: Int?

    @Option(parsing: .unconditional, help: "Image folders: 1 (gray) or 3 (RGB) channels (default 3, as gan train).")
    var channels: Int?

    @Option(parsing: .unconditional, help: "Image folders (which have no test split): the fraction held out for testing.")
    var testFraction: Double = 0.1

    @OptionGroup var imageLimits: ImageLimitOptions

    func validate() throws {
        if let channels, channels != 1 && channels != 3 { throw ValidationError("--channels must be 1 or 3, got \(channels)") }
        guard testFraction > 0 && testFraction < 1 else { throw ValidationError("--test-fraction must be in (0, 1), got \(testFraction)") }
        if let imageSize, imageSize < 4 { throw ValidationError("--image-size must be at least 4, got \(imageSize)") }
    }

    func load(_ split: IDXDataset.Split, limit: Int? = nil) throws -> ImageDataset {
        try imageLimits.scope { try decode(split, limit: limit) }
    }

    private func decode(_ split: IDXDataset.Split, limit: Int?) throws -> ImageDataset {
        if let task = TranslationTask(rawValue: data) {
            do {
                let pairs = try TranslationTask.load(task, split: split, limit: limit)
                return ImageDataset(imageArray: pairs.targetImages, labels: pairs.labels, classNames: pairs.classNames)
            } catch {
                throw CLIError("\(error)")
            }
        }
        let spec = DataSpec.parse(data, imageSize: imageSize, channels: channels)
        do {
            guard spec.name == "folder" else {
                return try EvaluationSetup.labelledSplit(spec, split, limit: limit)
            }
            // A seeded shuffle, then the last `testFraction` of it is the test split.
            let all = try spec.load(seed: 0)
            var random = RandomGenerator(seed: 0x7E57)
            var order = Array(0..<all.count)
            for index in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(index, Int(random.next() % UInt64(index + 1)))
            }
            let testCount = Swift.max(1, Int((Double(all.count) * testFraction).rounded()))
            guard all.count > testCount else { throw CLIError("\(data): \(all.count) images are too few to hold out a test split") }
            var chosen = split == .test ? Array(order.suffix(testCount)) : Array(order.prefix(all.count - testCount))
            if let limit { chosen = Array(chosen.prefix(limit)) }
            return ImageDataset(
                images: all.images(at: chosen), labels: chosen.map { all.labels[$0] },
                classNames: all.classNames)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// `gan classifier train`.
struct ClassifierTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a feature classifier on a labelled dataset's train split and test it.",
        discussion: """
            The classifier shipped with SwiftGAN was made by (then copied into Sources/SwiftGANMetrics/Resources/):
              gan classifier train --epochs 10 --out fashion-mnist-classifier.safetensors
            For your own data:
              gan classifier train --data path/to/mnist-idx --out mnist-classifier.safetensors
              gan classifier train --data path/to/folder --image-size 32 --channels 3 --out folder-classifier.safetensors
            then evaluate with --features FILE.
            """
    )

    @OptionGroup var dataOptions: LabelledDataOptions

    @Option(help: "Output safetensors file (never overwritten without --overwrite).")
    var out: String

    @Option(parsing: .unconditional, help: "Training epochs.")
    var epochs: Int = ClassifierTraining().epochs

    @Option(parsing: .unconditional, help: "Batch size.")
    var batchSize: Int = ClassifierTraining().batchSize

    @Option(parsing: .unconditional, help: "Adam learning rate.")
    var lr: Float = ClassifierTraining().learningRate

    @Option(parsing: .unconditional, help: "Channels of the first convolution.")
    var width: Int = FeatureClassifier.Architecture().width

    @Option(parsing: .unconditional, help: "Feature dimension (the penultimate layer).")
    var featureDimension: Int = FeatureClassifier.Architecture().featureDimension

    @Option(parsing: .unconditional, help: "Random seed.")
    var seed: UInt64 = 0

    @Flag(inversion: .prefixedNo, help: "Random horizontal flips while training (default: on for fashion-mnist only; digits and text must not be mirrored).")
    var flip: Bool?

    @Option(parsing: .unconditional, help: "Train on only the first N images.")
    var limit: Int?

    @Option(parsing: .unconditional, help: "Compute threads (default: all cores).")
    var threads: Int?

    @Flag(help: "Replace an existing output file.")
    var overwrite = false

    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        for (name, value) in [("epochs", epochs), ("batch-size", batchSize), ("width", width), ("feature-dimension", featureDimension)]
        where value <= 0 {
            throw ValidationError("--\(name) must be positive, got \(value)")
        }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
        if let limit, limit <= 0 { throw ValidationError("--limit must be positive, got \(limit)") }
        try checkOutputs(out)
        if let threads, threads <= 0 { throw ValidationError("--threads must be positive, got \(threads)") }
    }

    func run() throws {
        // --threads scopes every kernel of the command (the default: the CPUs this process may use).
        try withExecutionContext(threads: threads) { try progressOptions.show { try execute() } }
    }

    private func execute() throws {
        if FileManager.default.fileExists(atPath: out) && !overwrite {
            throw CLIError("\(out) already exists; pass --overwrite to replace it")
        }
        let trainSet = try dataOptions.load(.train, limit: limit)
        let testSet = try dataOptions.load(.test)
        guard trainSet.imageShape[1] % 4 == 0 && trainSet.imageShape[2] % 4 == 0 else {
            let size = "\(trainSet.imageShape[1])x\(trainSet.imageShape[2])"
            throw CLIError("\(dataOptions.data): images are \(size); the classifier needs sizes divisible by 4 (pass --image-size)")
        }
        let classes = max(trainSet.classCount, (trainSet.labels.max() ?? 0) + 1)
        let architecture = FeatureClassifier.Architecture(
            imageShape: trainSet.imageShape, width: width,
            featureDimension: featureDimension, classCount: classes)
        if let problem = architecture.validationProblem() { throw CLIError("classifier: \(problem)") }
        let recipe = ClassifierTraining(
            architecture: architecture, epochs: epochs, batchSize: batchSize,
            learningRate: lr, horizontalFlip: flip ?? (dataOptions.data == "fashion-mnist"), seed: seed)
        print("Training a \(width)-wide classifier on \(trainSet.count) \(dataOptions.data) images for \(epochs) epochs")
        let start = Date()
        let classifier = recipe.run(on: trainSet) { progress in
            let elapsed = Date().timeIntervalSince(start)
            print(
                String(
                    format: "epoch %d  step %d/%d  loss %.4f  train accuracy %.2f%%  %.0f s",
                    progress.epoch + 1, progress.step, progress.totalSteps, progress.loss, 100 * progress.accuracy, elapsed))
            fflush(nil)
        }
        let accuracy = classifier.accuracy(images: testSet.images, labels: testSet.labels)
        print(
            String(
                format: "test accuracy %.2f%% on %d images (%.0f s in all)", 100 * accuracy, testSet.count,
                Date().timeIntervalSince(start)))
        let command = (["gan"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        do {
            try classifier.save(to: out, provenance: .init(testAccuracy: accuracy, dataset: dataOptions.data, command: command))
        } catch {
            throw CLIError("\(error)")
        }
        print("wrote \(out)")
    }
}

/// `gan classifier test`.
struct ClassifierTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Measure a feature classifier's accuracy on a dataset's test split."
    )

    @OptionGroup var dataOptions: LabelledDataOptions

    @Option(help: "Classifier safetensors file (default: the shipped Fashion-MNIST classifier).")
    var features: String?

    func run() throws {
        let loaded: (classifier: FeatureClassifier, provenance: FeatureClassifier.Provenance)
        do {
            loaded = try features.map(FeatureClassifier.load) ?? FeatureClassifier.fashionMNIST()
        } catch {
            throw CLIError("\(error)")
        }
        let testSet = try dataOptions.load(.test)
        guard testSet.imageShape == loaded.classifier.architecture.imageShape else {
            throw CLIError("the classifier takes images \(loaded.classifier.architecture.imageShape), but \(dataOptions.data) has \(testSet.imageShape)")
        }
        guard testSet.labels.allSatisfy({ $0 < loaded.classifier.architecture.classCount }) else {
            throw CLIError("\(dataOptions.data) has labels beyond the classifier's \(loaded.classifier.architecture.classCount) classes")
        }
        let accuracy = loaded.classifier.accuracy(images: testSet.images, labels: testSet.labels)
        print(String(format: "test accuracy %.2f%% on %d images", 100 * accuracy, testSet.count))
        if let recorded = loaded.provenance.testAccuracy {
            print(String(format: "recorded when saved: %.2f%% (%@)", 100 * recorded, loaded.provenance.command))
        }
    }
}
