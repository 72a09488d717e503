import Foundation
import SwiftGANData
import SwiftGANTensor

/// The networks of a CycleGAN run: two ResNet generators (A→B and B→A)
/// and a PatchGAN per domain. Saved in its `config.json`.
public struct CycleGANModelConfig: Codable, Equatable, Sendable {
    /// `[C, H, W]` of domain A's images.
    public var shapeA: [Int]
    /// `[C, H, W]` of domain B's images (the same size as A's).
    public var shapeB: [Int]
    /// The generators' base width (ngf).
    public var width: Int
    /// The discriminators' base width (ndf).
    public var discriminatorWidth: Int
    /// Residual blocks of each generator; nil chooses them from the image size (`defaultResidualBlocks`).
    public var residualBlocks: Int?
    public var normalization: TranslationModelConfig.Normalization
    /// Each PatchGAN's strided layers; nil chooses them from the image size (`defaultDiscriminatorLayers`).
    public var discriminatorLayers: Int?

    public init(
        shapeA: [Int], shapeB: [Int], width: Int = 64, discriminatorWidth: Int = 64, residualBlocks: Int? = nil,
        normalization: TranslationModelConfig.Normalization = .instance, discriminatorLayers: Int? = nil
    ) {
        self.shapeA = shapeA
        self.shapeB = shapeB
        self.width = width
        self.discriminatorWidth = discriminatorWidth
        self.residualBlocks = residualBlocks
        self.normalization = normalization
        self.discriminatorLayers = discriminatorLayers
    }

    /// CycleGAN's choice: 9 blocks from 256 px, 6 from 64 px (the paper's 128-pixel
    /// generator), 3 below (28–63 px, where the bottleneck is 7x7 to 15x15).
    public static func defaultResidualBlocks(size: Int) -> Int { size >= 256 ? 9 : (size >= 64 ? 6 : 3) }

    /// CycleGAN's 70x70 PatchGAN (3 strided layers), or up to 32 px one that
    /// sees the whole image: 2 layers (34-pixel patches).
    /// Without pairs only D ties a patch's content to the rest of the image (a
    /// garment's colour to its class), so it looks wider than pix2pix's at the same size.
    public static func defaultDiscriminatorLayers(size: Int) -> Int { size <= 32 ? 2 : 3 }

    /// The strided layers each PatchGAN gets.
    public var patchLayers: Int {
        discriminatorLayers ?? Self.defaultDiscriminatorLayers(size: shapeA.count == 3 ? shapeA[1] : 0)
    }

    /// The residual blocks the generators get.
    public var blocks: Int { residualBlocks ?? Self.defaultResidualBlocks(size: shapeA.count == 3 ? shapeA[1] : 0) }

    /// Whether both domains have one shape (the identity loss needs it).
    public var domainsMatch: Bool { shapeA == shapeB }

    /// The PatchGAN configuration judging images of `shape`.
    func discriminatorConfig(_ shape: [Int]) -> TranslationModelConfig {
        var config = TranslationModelConfig(
            inputShape: shape, outputShape: shape, discriminatorWidth: discriminatorWidth, normalization: normalization,
            conditionalDiscriminator: false)
        config.discriminatorLayers = patchLayers
        return config
    }

    /// The largest base width accepted (CycleGAN's is 64): 4x that in the
    /// residual blocks is 1,024 channels, about 19 million weights a block.
    public static let maximumWidth = 256

    /// Why this configuration cannot be built, or nil.
    public func validationProblem() -> String? {
        guard shapeA.count == 3, shapeB.count == 3, (shapeA + shapeB).allSatisfy({ $0 > 0 }) else {
            return "domain shapes \(shapeA) and \(shapeB) must be [C, H, W]"
        }
        guard [1, 3].contains(shapeA[0]), [1, 3].contains(shapeB[0]) else {
            return "images must have 1 or 3 channels, got A \(shapeA) and B \(shapeB)"
        }
        guard shapeA[1...] == shapeB[1...], shapeA[1] == shapeA[2] else {
            return "both domains' images must be square and of one size, got A \(shapeA) and B \(shapeB)"
        }
        guard shapeA[1] >= 16, shapeA[1] % 4 == 0 else {
            return "the image size \(shapeA[1]) must be a multiple of 4 and at least 16 (the generators halve it twice)"
        }
        guard (1...Self.maximumWidth).contains(width), (1...Self.maximumWidth).contains(discriminatorWidth) else {
            return "widths must be in 1...\(Self.maximumWidth), got \(width) and \(discriminatorWidth)"
        }
        guard shapeA[1] <= ModelConfig.maximumImageSide else { return "images must be at most \(ModelConfig.maximumImageSide) pixels" }
        if let residualBlocks, !(0...32).contains(residualBlocks) { return "residual blocks \(residualBlocks) must be in 0...32" }
        if let problem = TranslationModelConfig.discriminatorLayersProblem(patchLayers, size: shapeA[1]) { return problem }
        return nil
    }
}

/// Optimisation and losses of a CycleGAN run (Zhu et al. 2017).
public struct CycleGANTraining: Codable, Equatable, Sendable {
    /// The adversarial loss: `lsgan` (CycleGAN's) or `non-saturating`.
    public var objective: Objective
    public var learningRateG: Float
    public var learningRateD: Float
    public var beta1: Float
    public var beta2: Float
    /// λ of each direction's cycle-consistency L1 (CycleGAN: 10).
    public var cycleWeight: Float
    /// The identity loss's weight relative to λ (CycleGAN: 0.5); needs domains of one shape; 0 turns it off.
    public var identityWeight: Float
    /// Generated images each discriminator's pool keeps (CycleGAN: 50; 0: no pool).
    public var poolSize: Int
    /// Keep the rates for the first half, then decay them linearly to 0 (CycleGAN's schedule).
    public var learningRateDecay: Bool
    public var batchSize: Int
    public var steps: Int
    public var seed: UInt64
    public var sampleEvery: Int
    public var checkpointEvery: Int
    public var logEvery: Int

    public init(
        objective: Objective = .leastSquares, learningRateG: Float = 2e-4, learningRateD: Float = 2e-4, beta1: Float = 0.5,
        beta2: Float = 0.999, cycleWeight: Float = 10, identityWeight: Float = 0.5, poolSize: Int = 50, learningRateDecay: Bool = true,
        batchSize: Int = 4, steps: Int = 3000, seed: UInt64 = 0, sampleEvery: Int = 500, checkpointEvery: Int = 500, logEvery: Int = 50
    ) {
        self.objective = objective
        self.learningRateG = learningRateG
        self.learningRateD = learningRateD
        self.beta1 = beta1
        self.beta2 = beta2
        self.cycleWeight = cycleWeight
        self.identityWeight = identityWeight
        self.poolSize = poolSize
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
        let defaults = CycleGANTraining()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T { try container.decodeIfPresent(T.self, forKey: key) ?? fallback }
        objective = try value(.objective, defaults.objective)
        learningRateG = try value(.learningRateG, defaults.learningRateG)
        learningRateD = try value(.learningRateD, defaults.learningRateD)
        beta1 = try value(.beta1, defaults.beta1)
        beta2 = try value(.beta2, defaults.beta2)
        cycleWeight = try value(.cycleWeight, defaults.cycleWeight)
        identityWeight = try value(.identityWeight, defaults.identityWeight)
        poolSize = try value(.poolSize, defaults.poolSize)
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
            return "CycleGAN supports the lsgan and non-saturating objectives, not \(objective.rawValue)"
        }
        for (name, value) in [("generator learning rate", learningRateG), ("discriminator learning rate", learningRateD)]
        where !(value > 0 && value.isFinite) {
            return "\(name) \(value) must be positive"
        }
        for (name, value) in [("cycle weight", cycleWeight), ("identity weight", identityWeight)] where !(value >= 0 && value.isFinite) {
            return "\(name) \(value) must be non-negative"
        }
        guard beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 else { return "Adam betas (\(beta1), \(beta2)) must be in [0, 1)" }
        guard poolSize >= 0 else { return "pool size \(poolSize) must be non-negative" }
        for (name, value) in [
            ("batch size", batchSize), ("steps", steps), ("sample-every", sampleEvery), ("checkpoint-every", checkpointEvery),
            ("log-every", logEvery)
        ] where value < 1 {
            return "\(name) \(value) must be at least 1"
        }
        return nil
    }
}

/// Which two domains a CycleGAN run trains and evaluates on.
public struct UnpairedDataSpec: Codable, Equatable, Sendable {
    /// A built-in task (`fashion2edges`, `gray2color`, `sneaker2boot`) or `folder`.
    public var name: String
    /// The folder with `trainA/`, `trainB/`, `testA/`, `testB/` (with `folder`).
    public var path: String?
    /// Folders: resize to this square size.
    public var imageSize: Int?
    /// Folders: convert both domains to 1 or 3 channels (nil: their own, which must agree).
    public var channels: Int?
    /// Random resize-and-crop jitter (CycleGAN's 286 → 256) and horizontal flips.
    public var jitter: Bool
    /// Use only the first `limit` training images of each domain.
    public var limit: Int?
    /// Folders: keep each domain's decoded images in `DOMAIN.swiftgan-cache/` and memory-map them (`UnpairedFolder.load(cache:)`).
    public var cache: Bool = false

    /// Runs before 0.10 wrote these (`cache` came later, read from flat settings only).
    private enum CodingKeys: String, CodingKey {
        case name, path, imageSize, channels, jitter, limit
    }

    public init(name: String, path: String? = nil, imageSize: Int? = nil, channels: Int? = nil, jitter: Bool = false, limit: Int? = nil) {
        self.name = name
        self.path = path
        self.imageSize = imageSize
        self.channels = channels
        self.jitter = jitter
        self.limit = limit
    }

    /// A built-in task name or a folder path.
    public static func parse(_ value: String) -> UnpairedDataSpec {
        UnpairedTask(rawValue: value) != nil ? UnpairedDataSpec(name: value) : UnpairedDataSpec(name: "folder", path: value)
    }

    public var task: UnpairedTask? { UnpairedTask(rawValue: name) }

    /// Why these values name no domains that can be loaded (an unknown name, a folder without a path, a bad size), or nil.
    public func validationProblem() -> String? {
        if task == nil && name != "folder" {
            return "data '\(name)' is neither a built-in task (\(UnpairedTask.allCases.map(\.rawValue).joined(separator: ", "))) nor a folder"
        }
        if name == "folder" && (path ?? "").isEmpty { return "an unpaired folder needs a path (data)" }
        return imageDataProblem(limit: limit, imageSize: imageSize, channels: channels)
    }

    /// Loads `split`: the built-in task's domains, or the folder's `{split}A/` and `{split}B/`
    /// (training images keep jitter and honour `limit`; test images are centre-cropped).
    /// - Throws: `FileError` naming the file or directory.
    public func load(split: IDXDataset.Split, limit: Int? = nil) throws -> UnpairedDataset {
        let count = limit ?? (split == .train ? self.limit : nil)
        if let task { return try UnpairedTask.load(task, split: split, limit: count) }
        guard let path else { throw FileError(file: "folder", problem: "an unpaired folder needs a path") }
        let name = split == .train ? "train" : "test"
        guard UnpairedFolder.hasSplit(directory: path, split: name) else {
            throw FileError(
                file: path, problem: "needs \(name)A/ and \(name)B/ (CycleGAN's layout: trainA/, trainB/, testA/, testB/)")
        }
        var dataset = try UnpairedFolder.load(directory: path, split: name, channels: channels, size: imageSize, jitter: jitter, cache: cache)
        if split == .test { dataset = dataset.centreCropped() }
        return count.map { dataset.prefix($0) } ?? dataset
    }
}

/// Everything that defines a CycleGAN run; its `config.json`, told apart
/// from other runs by `"task": "cyclegan"`.
public struct CycleGANConfig: RunConfigFile, Equatable, Sendable {
    /// Always `cyclegan`.
    public var task: String
    public var model: CycleGANModelConfig
    public var training: CycleGANTraining
    public var data: UnpairedDataSpec

    public static let taskName = "cyclegan"

    public init(model: CycleGANModelConfig, training: CycleGANTraining, data: UnpairedDataSpec) {
        task = Self.taskName
        self.model = model
        self.training = training
        self.data = data
    }

    /// The defaults for `data` (its shapes are filled in from the data when
    /// training starts): ResNet generators and PatchGANs with InstanceNorm,
    /// LSGAN, λ = 10, identity 0.5 (0 for domains of different channels),
    /// pools of 50, Adam 2e-4 (0.5, 0.999), the rate decaying to 0 over the
    /// second half. Built-in 28-pixel tasks: widths 32, 3 blocks, batch 4,
    /// 3,000 steps; folders: CycleGAN's widths 64, batch 1.
    public static func preset(data: UnpairedDataSpec, seed: UInt64 = 0) -> CycleGANConfig {
        var model = CycleGANModelConfig(shapeA: [1, 28, 28], shapeB: [1, 28, 28])
        var training = CycleGANTraining(seed: seed)
        if data.task != nil {
            model.width = 32
            model.discriminatorWidth = 32
        } else {
            training.batchSize = 1
        }
        if data.task == .gray2color { training.identityWeight = 0 }
        return CycleGANConfig(model: model, training: training, data: data)
    }

    public static let configKind = "CycleGAN run"

    public var kindProblem: String? { task == Self.taskName ? nil : "not a CycleGAN run (task \(task))" }

    public var valueProblem: String? {
        model.validationProblem() ?? model.memoryProblem(bytesPerWeight: 4) ?? training.validationProblem() ?? data.validationProblem()
    }
}

/// What kind of run a directory holds, from its `config.json`.
public enum RunKind: String, Codable, Sendable {
    /// A GAN from noise (`TrainingRun`).
    case gan
    /// Paired translation (`TranslationRun`).
    case translation
    /// Unpaired translation (`CycleGANRun`).
    case cyclegan

    /// The kind of the run in `directory`; `.gan` when its configuration is missing or unreadable
    /// (the GAN reader then reports the problem).
    public static func of(directory: String) -> RunKind {
        guard let data = (try? FileContents.readIfPresent(TrainingRun.configPath(directory))).map({ Data($0) }),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let task = object["task"]
        else { return .gan }
        return RunKind(task: task as? String ?? "")
    }

    /// The kind a `config.json`'s `task` value names (nil: no `task` key, a GAN run).
    public init(task: String?) {
        guard let task else {
            self = .gan
            return
        }
        self = task == CycleGANConfig.taskName ? .cyclegan : .translation
    }
}
