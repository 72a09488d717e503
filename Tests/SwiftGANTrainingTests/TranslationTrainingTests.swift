import Foundation
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// Paired translation training: it learns, it resumes bit for bit, it stops on NaN.
@Suite("Translation training", .executionContext(threads: 2))
struct TranslationTrainingTests {
    /// A small pix2pix configuration on `data` (U-Net and PatchGAN of width 8).
    static func config(_ data: PairedDataSpec, steps: Int, batchSize: Int = 8) -> TranslationConfig {
        var config = TranslationConfig.preset(.pix2pix, data: data, seed: 3)
        config.model.width = 8
        config.model.discriminatorWidth = 8
        config.training.steps = steps
        config.training.batchSize = batchSize
        return config
    }

    /// A short edges2fashion run brings the test L1 well below the untrained generator's.
    @Test func edges2fashionLearns() throws {
        var config = Self.config(PairedDataSpec(name: "edges2fashion", limit: 1024), steps: 300)
        config.training.learningRateDecay = false
        let trainer = try TranslationTrainer(config: config, dataset: try config.data.load(split: .train))
        let test = try config.data.load(split: .test, limit: 200)
        let before = ImageSimilarity.l1(trainer.translate(test.inputs), test.targets)
        while trainer.step < config.training.steps { try trainer.trainStep() }
        let after = ImageSimilarity.l1(trainer.translate(test.inputs), test.targets)
        #expect(after < 0.5 * before, "test L1 \(before) → \(after)")
        #expect(after < ImageSimilarity.l1(Tensor.zeros(test.targets.shape) - 1, test.targets))
    }

    /// Pairs whose target is the negated input, for runs that need no dataset.
    static func syntheticPairs(_ count: Int = 24, size: Int = 16) -> PairedDataset {
        var random = RandomGenerator(seed: 11)
        let inputs = Tensor.uniform([count, 1, size + 2, size + 2], low: -1, high: 1, random: &random)
        return PairedDataset(inputs: inputs, targets: -inputs, labels: Array(repeating: 0, count: count), classNames: ["x"], cropSize: size)
    }

    /// Three steps, a checkpoint, a new trainer restored from it and three
    /// more steps give the weights of six uninterrupted steps, exactly
    /// (random crops and flips, Dropout masks and the loader included).
    @Test func resumeIsBitIdentical() throws {
        var config = Self.config(PairedDataSpec(name: "folder", flip: true), steps: 6, batchSize: 4)
        config.model.width = 4
        config.model.discriminatorWidth = 4
        let pairs = Self.syntheticPairs()
        let straight = try TranslationTrainer(config: config, dataset: pairs)
        for _ in 0..<6 { try straight.trainStep() }
        let first = try TranslationTrainer(config: config, dataset: pairs)
        for _ in 0..<3 { try first.trainStep() }
        let saved = try first.checkpoint()
        let file = temporaryDirectory("translation-resume") + "/checkpoint.safetensors"
        try SafeTensors.write(saved.tensors, metadata: saved.metadata, to: file)
        let resumed = try TranslationTrainer(config: config, dataset: pairs)
        try resumed.restore(try SafeTensors.read(file), file: file)
        #expect(resumed.step == 3)
        for _ in 0..<3 { try resumed.trainStep() }
        #expect(try resumed.checkpoint().tensors == (try straight.checkpoint()).tensors)
        #expect(try resumed.checkpoint().metadata == (try straight.checkpoint()).metadata)

        // A loader position outside an epoch is a clear error, and nothing is loaded.
        for (key, value) in [("swiftgan.loader_step", "999"), ("swiftgan.loader_epoch", "-1")] {
            var corrupt = saved
            corrupt.metadata[key] = value
            let fresh = try TranslationTrainer(config: config, dataset: pairs)
            let before = fresh.generator.stateDict()
            #expect(throws: FileError.self) { try fresh.restore(corrupt, file: file) }
            #expect(fresh.generator.stateDict() == before && fresh.step == 0)
        }
    }

    @Test func nonFiniteLossStopsBeforeAnyUpdate() throws {
        var pairs = Self.syntheticPairs()
        var values = pairs.targets.scalars
        values[5] = .nan
        pairs.targets = Tensor(values, shape: pairs.targets.shape)
        var config = Self.config(PairedDataSpec(name: "folder"), steps: 2, batchSize: 24)
        config.model.width = 4
        let trainer = try TranslationTrainer(config: config, dataset: pairs)
        func parameters() -> [[Float]] { trainer.networks.flatMap { $0.module.parameters().map(\.value.scalars) } }
        let before = parameters()
        #expect(throws: TrainingError.self) { try trainer.trainStep() }
        #expect(parameters() == before)
    }

    @Test func invalidConfigurations() throws {
        let pairs = Self.syntheticPairs()
        var config = Self.config(PairedDataSpec(name: "folder"), steps: 2, batchSize: 32)
        #expect(throws: TrainingError.invalidConfiguration("batch size 32 exceeds the 24 training pairs")) {
            _ = try TranslationTrainer(config: config, dataset: pairs)
        }
        config.training.batchSize = 4
        config.training.objective = .wassersteinGP
        #expect(throws: TrainingError.invalidConfiguration("translation supports the non-saturating and lsgan objectives, not wgan-gp")) {
            _ = try TranslationTrainer(config: config, dataset: pairs)
        }
        config.training.objective = .leastSquares
        config.model.generator = .srresnet
        #expect(
            throws: TrainingError.invalidConfiguration(
                "srresnet needs an input smaller than the output (super-resolution: sr2, sr4); for pairs of one size use --generator unet")
        ) {
            _ = try TranslationTrainer(config: config, dataset: pairs)
        }
    }

    /// The perceptual term is the squared distance of the classifier's
    /// feature maps, enters G's loss with its weight, and needs 28x28 outputs.
    @Test func perceptualLoss() throws {
        var config = TranslationConfig.preset(.sr, data: PairedDataSpec(name: "sr2", limit: 16))
        config.model.width = 4
        config.model.residualBlocks = 1
        config.training.batchSize = 8
        config.training.perceptualWeight = 2
        let pairs = try config.data.load(split: .train)
        let trainer = try TranslationTrainer(config: config, dataset: pairs)
        let scalars = try trainer.trainStep()
        let perceptual = try #require(scalars["loss/perceptual"])
        #expect(perceptual > 0)
        let (l1, adversarial) = (scalars["loss/l1"]!, scalars["loss/adversarial"]!)
        let expected = config.training.l1Weight * l1 + config.training.adversarialWeight * adversarial + 2 * perceptual
        #expect(Swift.abs(scalars["loss/generator"]! - expected) < 1e-4 * Swift.max(1, expected))
        let classifier = try #require(trainer.perceptualFeatures)
        let features = withoutGradients { classifier.convolutionalFeatures(pairs.targets) }
        #expect(features.shape == [16, 64, 7, 7])
        #expect(Loss.meanSquaredError(features, features).item == 0)

        var large = Self.config(PairedDataSpec(name: "folder"), steps: 1, batchSize: 4)
        large.training.perceptualWeight = 1
        #expect(throws: TrainingError.self) { _ = try TranslationTrainer(config: large, dataset: Self.syntheticPairs()) }
    }

    /// A configuration written before a key existed still reads, with the key's default; so does the
    /// nested layout (model, training, data sections) of runs written before version 0.10.
    @Test func olderConfigurationsRead() throws {
        var config = TranslationConfig.preset(.sr)
        config.model.inputShape = [1, 7, 7]  // as the sr4 data resolves it
        func section(_ value: some Encodable) throws -> [String: Any] {
            try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any])
        }
        var training = try section(config.training)
        training.removeValue(forKey: "perceptualWeight")
        training["l1Weight"] = 7
        let nested: [String: Any] = ["task": "sr", "model": try section(config.model), "training": training, "data": try section(config.data)]
        var flat = try #require(JSONSerialization.jsonObject(with: Data(try config.encoded())) as? [String: Any])
        flat.removeValue(forKey: "perceptual_weight")
        flat["l1_weight"] = 7
        for (name, object) in [("nested", nested), ("flat", flat)] {
            let path = temporaryDirectory("old-config-\(name)") + "/config.json"
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
            let read = try TranslationConfig.read(path)
            #expect(read.training.perceptualWeight == 0 && read.training.l1Weight == 7 && read.model == config.model, "\(name)")
            #expect(read.data == config.data && read.task == .sr, "\(name)")
        }
    }

    /// Super-resolution from a folder of plain images: inputs are block averages of the targets.
    @Test func superResolutionFromAnImageFolder() throws {
        let root = temporaryDirectory("sr-folder")
        var random = RandomGenerator(seed: 8)
        for split in ["train", "test"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(split)", withIntermediateDirectories: true)
            for index in 0..<(split == "train" ? 8 : 2) {
                let pixels = (0..<(16 * 16)).map { _ in UInt8(random.next() % 256) }
                let png = try PNG.encode(RasterImage(width: 16, height: 16, channels: 1, pixels: pixels))
                _ = FileManager.default.createFile(atPath: "\(root)/\(split)/\(index).png", contents: Data(png))
            }
        }
        var spec = PairedDataSpec(name: "folder", path: root, channels: 1)
        spec.downscale = 4
        let pairs = try spec.load(split: .train)
        #expect(pairs.inputs.shape == [8, 1, 4, 4] && pairs.targets.shape == [8, 1, 16, 16])
        let block = pairs.targets.slice(axis: 0, start: 0, end: 1).slice(axis: 2, start: 0, end: 4).slice(axis: 3, start: 0, end: 4)
        #expect(Swift.abs(pairs.inputs.scalars[0] - block.mean().item) < 1e-6)
        // The targets stay the folder's bytes; a limit takes the first pairs before any pooling.
        #expect(pairs.targetImages.pixels != nil)
        var limited = spec
        limited.limit = 3
        let few = try limited.load(split: .train)
        #expect(few.count == 3 && few.inputs == pairs.inputs.slice(axis: 0, start: 0, end: 3))
        var config = TranslationConfig.preset(.sr, data: spec)
        config.model.width = 4
        config.model.residualBlocks = 1
        config.training.batchSize = 4
        let trainer = try TranslationTrainer(config: config, dataset: pairs)
        try trainer.trainStep()
        #expect(trainer.config.model.upscale == 4)
        spec.downscale = 3
        #expect(throws: FileError.self) { _ = try spec.load(split: .test) }
    }

    @Test func superResolutionBaselinesAndShapes() throws {
        var config = TranslationConfig.preset(.sr, data: PairedDataSpec(name: "sr4", limit: 64))
        config.model.width = 4
        config.model.residualBlocks = 1
        config.training.batchSize = 8
        config.training.steps = 2
        let trainer = try TranslationTrainer(config: config, dataset: try config.data.load(split: .train))
        #expect(trainer.config.model.inputShape == [1, 7, 7] && trainer.config.model.upscale == 4)
        try trainer.trainStep()
        let test = try config.data.load(split: .test, limit: 16)
        #expect(trainer.translate(test.inputs).shape == [16, 1, 28, 28])
        let baselines = try TranslationEvaluator.baselines(trainer.config, test: test)
        #expect(baselines.map(\.name) == ["bilinear", "bicubic"])
        // Bicubic beats bilinear on these smooth images, and both beat a blank image.
        let l1 = baselines.map { ImageSimilarity.l1($0.outputs, test.targets) }
        #expect(l1.allSatisfy { $0 < ImageSimilarity.l1(Tensor.zeros(test.targets.shape), test.targets) })
    }
}
