import Foundation
import SwiftGANData
import SwiftGANTensor

/// The translation tasks `gan train --task` knows, each with its default
/// data, networks and losses (`TranslationConfig.preset`).
public enum TranslationKind: String, Codable, CaseIterable, Sendable {
    /// pix2pix (Isola et al. 2017): U-Net + conditional PatchGAN, BCE + 100·L1; default data `edges2fashion`.
    case pix2pix
    /// Super-resolution (Ledig et al. 2017): SRResNet + PatchGAN, adversarial + L1; default data `sr4`.
    case sr
    /// Inpainting as pix2pix on `inpaint`.
    case inpaint
    /// Colourisation as pix2pix on `colorize`.
    case colorize

    /// The built-in data a task trains on when `--data` is not given.
    public var defaultData: TranslationTask {
        switch self {
        case .pix2pix: .edges2fashion
        case .sr: .sr4
        case .inpaint: .inpaint
        case .colorize: .colorize
        }
    }
}

/// Which pairs a translation run trains and evaluates on.
public struct PairedDataSpec: Codable, Equatable, Sendable {
    /// A built-in task (`edges2fashion`, `inpaint`, `sr4`, `sr2`, `colorize`) or `folder`.
    public var name: String
    /// The paired folder (with `folder`).
    public var path: String?
    /// Folders: resize to this square size.
    public var imageSize: Int?
    /// Folders: 1 or 3 channels.
    public var channels: Int?
    /// Folders: translate B to A instead of A to B.
    public var reversed: Bool
    /// Random resize-and-crop jitter (pix2pix's 286 → 256), applied alike to both images of a pair.
    public var jitter: Bool
    /// Random horizontal flips, applied alike to both images of a pair.
    public var flip: Bool
    /// Use only the first `limit` training pairs.
    public var limit: Int?
    /// Super-resolution from a folder of plain images: the targets are the
    /// images of `path/train/` and `path/test/`, the inputs their averages
    /// over `downscale`x`downscale` blocks (as sr2 and sr4 are made).
    public var downscale: Int?
    /// Folders: keep the decoded images in `FOLDER.swiftgan-cache/` and memory-map them (`PairedFolder.load(cache:)`).
    public var cache: Bool = false

    /// Runs before 0.10 wrote these (`cache` came later, read from flat settings only).
    private enum CodingKeys: String, CodingKey {
        case name, path, imageSize, channels, reversed, jitter, flip, limit, downscale
    }

    public init(
        name: String, path: String? = nil, imageSize: Int? = nil, channels: Int? = nil, reversed: Bool = false, jitter: Bool = false,
        flip: Bool = false, limit: Int? = nil
    ) {
        self.name = name
        self.path = path
        self.imageSize = imageSize
        self.channels = channels
        self.reversed = reversed
        self.jitter = jitter
        self.flip = flip
        self.limit = limit
    }

    /// A built-in task name or a folder path.
    public static func parse(_ value: String) -> PairedDataSpec {
        TranslationTask(rawValue: value) != nil ? PairedDataSpec(name: value) : PairedDataSpec(name: "folder", path: value)
    }

    public var task: TranslationTask? { TranslationTask(rawValue: name) }

    /// Why these values name no pairs that can be loaded (an unknown name, a folder without a path, a bad size), or nil.
    public func validationProblem() -> String? {
        if task == nil && name != "folder" {
            return "data '\(name)' is neither a built-in task (\(TranslationTask.allCases.map(\.rawValue).joined(separator: ", "))) nor a folder"
        }
        if name == "folder" && (path ?? "").isEmpty { return "a paired folder needs a path (data)" }
        return imageDataProblem(limit: limit, imageSize: imageSize, channels: channels)
            ?? downscale.flatMap { $0 < 2 ? "downscale \($0) must be at least 2" : nil }
    }

    /// Loads `split`: the built-in task's Fashion-MNIST split, or the folder's `train/` or `test/`.
    /// Training pairs keep jitter and honour `limit`; test pairs are centre-cropped.
    /// - Throws: `FileError` naming the file or directory.
    public func load(split: IDXDataset.Split, limit: Int? = nil) throws -> PairedDataset {
        let count = limit ?? (split == .train ? self.limit : nil)
        if let task { return try TranslationTask.load(task, split: split, limit: count) }
        guard let path else { throw FileError(file: "folder", problem: "a paired folder needs a path") }
        if let downscale {
            let directory = "\(path)/\(split == .train ? "train" : "test")"
            var images = try ImageFolder.load(directory: directory, channels: channels ?? 3, size: imageSize, cache: cache)
            if let count { images = images.prefix(count) }
            let size = images.imageShape[1]
            guard downscale >= 2, size % downscale == 0, images.imageShape[1] == images.imageShape[2] else {
                throw FileError(
                    file: directory,
                    problem: "images are \(images.imageShape[2])x\(images.imageShape[1]); --downscale \(downscale) needs square images "
                        + "whose side it divides (pass an image size)")
            }
            // The targets stay bytes; the inputs (1/downscale² of their size) are pooled a chunk at a time.
            var inputs: [Tensor] = []
            images.imageArray.forEachChunk { chunk in inputs.append(withoutGradients { chunk.avgPool2d(kernel: SpatialSize(downscale)) }) }
            return PairedDataset(
                inputImages: .floats(concat(inputs, axis: 0)), targetImages: images.imageArray, labels: images.labels, classNames: images.classNames)
        }
        let dataset = try PairedFolder.load(
            directory: path, split: split == .train ? "train" : "test", channels: channels ?? 3, size: imageSize,
            jitter: jitter && split == .train, reversed: reversed, cache: cache)
        return count.map { dataset.prefix($0) } ?? dataset
    }
}

/// Optimisation and losses of a translation run.
public struct TranslationTraining: Codable, Equatable, Sendable {
    /// The adversarial loss: `non-saturating` (pix2pix's BCE on logits) or `lsgan`.
    public var objective: Objective
    public var learningRateG: Float
    public var learningRateD: Float
    public var beta1: Float
    public var beta2: Float
    /// λ of the L1 distance to the target in G's loss (pix2pix: 100).
    public var l1Weight: Float
    /// The weight of the adversarial term in G's loss.
    public var adversarialWeight: Float
    /// The weight of the perceptual (content) loss: the mean squared
    /// difference of the shipped classifier's last convolutional features of
    /// output and target (colour as luma); 0 turns it off. Needs 28x28 outputs.
    public var perceptualWeight: Float
    /// Keep the rates for the first half, then decay them linearly to 0 (pix2pix's schedule).
    public var learningRateDecay: Bool
    public var batchSize: Int
    public var steps: Int
    public var seed: UInt64
    public var sampleEvery: Int
    public var checkpointEvery: Int
    public var logEvery: Int

    public init(
        objective: Objective = .nonSaturating, learningRateG: Float = 2e-4, learningRateD: Float = 2e-4, beta1: Float = 0.5,
        beta2: Float = 0.999, l1Weight: Float = 100, adversarialWeight: Float = 1, perceptualWeight: Float = 0, learningRateDecay: Bool = true,
        batchSize: Int = 16,
        steps: Int = 3000, seed: UInt64 = 0, sampleEvery: Int = 500, checkpointEvery: Int = 500, logEvery: Int = 50
    ) {
        self.objective = objective
        self.learningRateG = learningRateG
        self.learningRateD = learningRateD
        self.beta1 = beta1
        self.beta2 = beta2
        self.l1Weight = l1Weight
        self.adversarialWeight = adversarialWeight
        self.perceptualWeight = perceptualWeight
        self.learningRateDecay = learningRateDecay
        self.batchSize = batchSize
        self.steps = steps
        self.seed = seed
        self.sampleEvery = sampleEvery
        self.checkpointEvery = checkpointEvery
        self.logEvery = logEvery
    }

    /// Reads a saved configuration; keys added after a run was written take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TranslationTraining()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try container.decodeIfPresent(T.self, forKey: key) ?? fallback }
        objective = try value(.objective, defaults.objective)
        learningRateG = try value(.learningRateG, defaults.learningRateG)
        learningRateD = try value(.learningRateD, defaults.learningRateD)
        beta1 = try value(.beta1, defaults.beta1)
        beta2 = try value(.beta2, defaults.beta2)
        l1Weight = try value(.l1Weight, defaults.l1Weight)
        adversarialWeight = try value(.adversarialWeight, defaults.adversarialWeight)
        perceptualWeight = try value(.perceptualWeight, defaults.perceptualWeight)
        learningRateDecay = try value(.learningRateDecay, defaults.learningRateDecay)
        batchSize = try value(.batchSize, defaults.batchSize)
        steps = try value(.steps, defaults.steps)
        seed = try value(.seed, defaults.seed)
        sampleEvery = try value(.sampleEvery, defaults.sampleEvery)
        checkpointEvery = try value(.checkpointEvery, defaults.checkpointEvery)
        logEvery = try value(.logEvery, defaults.logEvery)
    }

    public func validationProblem() -> String? {
        guard [.nonSaturating, .leastSquares].contains(objective) else {
            return "translation supports the non-saturating and lsgan objectives, not \(objective.rawValue)"
        }
        for (name, value) in [("generator learning rate", learningRateG), ("discriminator learning rate", learningRateD)]
        where !(value > 0 && value.isFinite) {
            return "\(name) \(value) must be positive"
        }
        for (name, value) in [("L1 weight", l1Weight), ("adversarial weight", adversarialWeight), ("perceptual weight", perceptualWeight)]
        where !(value >= 0 && value.isFinite) {
            return "\(name) \(value) must be non-negative"
        }
        guard beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 else { return "Adam betas (\(beta1), \(beta2)) must be in [0, 1)" }
        for (name, value) in [
            ("batch size", batchSize), ("steps", steps), ("sample-every", sampleEvery), ("checkpoint-every", checkpointEvery),
            ("log-every", logEvery)
        ] where value < 1 {
            return "\(name) \(value) must be at least 1"
        }
        return nil
    }
}

/// Everything that defines a translation run; its `config.json` (told apart
/// from a GAN run's by the `task` key).
public struct TranslationConfig: RunConfigFile, Equatable, Sendable {
    public var task: TranslationKind
    public var model: TranslationModelConfig
    public var training: TranslationTraining
    public var data: PairedDataSpec

    public init(task: TranslationKind, model: TranslationModelConfig, training: TranslationTraining, data: PairedDataSpec) {
        self.task = task
        self.model = model
        self.training = training
        self.data = data
    }

    /// The task's defaults for `data` (its shapes are filled in from the data when training starts):
    /// pix2pix, inpaint and colorize: U-Net (width 32) and a conditional
    /// PatchGAN (width 32), BatchNorm, BCE + 100·L1, Adam 2e-4 (0.5, 0.999),
    /// batch 16, 3,000 steps with the rate decaying over the second half;
    /// sr: SRResNet (width 32, 6 blocks) and a plain PatchGAN, adversarial
    /// weight 0.01 as SRGAN weighs it against the content loss.
    public static func preset(_ task: TranslationKind, data: PairedDataSpec? = nil, seed: UInt64 = 0) -> TranslationConfig {
        let data = data ?? PairedDataSpec(name: task.defaultData.rawValue)
        var model = TranslationModelConfig(inputShape: [1, 28, 28], outputShape: [1, 28, 28], width: 32, discriminatorWidth: 32)
        var training = TranslationTraining(seed: seed)
        if task == .sr {
            model.generator = .srresnet
            model.residualBlocks = 6
            model.conditionalDiscriminator = false
            training.adversarialWeight = 0.01
            training.l1Weight = 1
        }
        return TranslationConfig(task: task, model: model, training: training, data: data)
    }

    public static let configKind = "translation run"

    public var valueProblem: String? {
        model.validationProblem() ?? model.memoryProblem(bytesPerWeight: 4) ?? training.validationProblem() ?? data.validationProblem()
    }
}
