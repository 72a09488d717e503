import Foundation
import SwiftGANData
import SwiftGANTensor

/// Which data a run trains on.
public struct DataSpec: Codable, Equatable, Sendable {
    /// `fashion-mnist`, `mnist`/`kmnist`/any IDX name (with `path`), a 2-D
    /// mixture (`ring8`, `grid25`, `spiral`, `moons`), `stacked-fashion-mnist`
    /// (three Fashion-MNIST images as the channels of one, 1,000 modes), or `folder` (with `path`).
    public var name: String
    /// The directory for IDX datasets other than Fashion-MNIST and for image folders.
    public var path: String?
    /// Image folders: resize to this square size.
    public var imageSize: Int?
    /// Image folders: 1 (gray) or 3 (RGB) channels.
    public var channels: Int?
    /// 2-D mixtures: how many points the fixed training set holds.
    public var mixtureCount: Int
    /// Use only the first `limit` examples (quick experiments and tests); for a stacked dataset, how many stacked images to make.
    public var limit: Int?
    /// Image folders: keep the decoded bytes in `FOLDER.swiftgan-cache/` and memory-map them (`ImageFolder.load(cache:)`).
    public var cache: Bool = false

    public init(
        name: String, path: String? = nil, imageSize: Int? = nil, channels: Int? = nil, mixtureCount: Int = 50_000,
        limit: Int? = nil
    ) {
        self.name = name
        self.path = path
        self.imageSize = imageSize
        self.channels = channels
        self.mixtureCount = mixtureCount
        self.limit = limit
    }

    private enum CodingKeys: String, CodingKey {
        case name, path, imageSize, channels, mixtureCount, limit, cache
    }

    /// Reads a saved spec; `cache` (added in 0.10) defaults to off.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        imageSize = try container.decodeIfPresent(Int.self, forKey: .imageSize)
        channels = try container.decodeIfPresent(Int.self, forKey: .channels)
        mixtureCount = try container.decodeIfPresent(Int.self, forKey: .mixtureCount) ?? 50_000
        limit = try container.decodeIfPresent(Int.self, forKey: .limit)
        cache = try container.decodeIfPresent(Bool.self, forKey: .cache) ?? false
    }

    /// The mixture this names, if any.
    public var mixture: Mixture2D? { Mixture2D(rawValue: name) }

    /// Whether this names the stacked benchmark (`stacked-fashion-mnist`; `path`: another IDX dataset's directory to stack).
    public var isStacked: Bool { name == StackedDataset.fashionMNISTName }

    /// Interprets a `--data` value: a mixture or dataset name, or a directory
    /// (of IDX files when it holds them, else of images).
    public static func parse(_ value: String, imageSize: Int? = nil, channels: Int? = nil) -> DataSpec {
        if Mixture2D(rawValue: value) != nil || value == "fashion-mnist" || value == StackedDataset.fashionMNISTName {
            return DataSpec(name: value)
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: value)) ?? []
        if contents.contains(where: { $0.hasPrefix("train-images-idx3-ubyte") }) {
            return DataSpec(name: URL(fileURLWithPath: value).lastPathComponent, path: value)
        }
        return DataSpec(name: "folder", path: value, imageSize: imageSize, channels: channels)
    }

    /// The largest stacked training set made.
    public static let maximumStackedCount = 1_000_000

    /// The largest 2-D mixture training set.
    public static let maximumMixtureCount = 10_000_000

    /// Why these values cannot be loaded, or nil.
    public func validationProblem() -> String? {
        if !(1...Self.maximumMixtureCount).contains(mixtureCount) {
            return "mixture count \(mixtureCount) must be in 1...\(Self.maximumMixtureCount)"
        }
        if let limit, isStacked, limit > Self.maximumStackedCount {
            return "limit \(limit) is more than the largest stacked training set (\(Self.maximumStackedCount) images, 2.4 GB as bytes)"
        }
        if let limit, mixture != nil, limit > Self.maximumMixtureCount {
            return "limit \(limit) is more than the largest 2-D mixture training set (\(Self.maximumMixtureCount))"
        }
        return imageDataProblem(limit: limit, imageSize: imageSize, channels: channels)
    }

    /// Loads the training set (`seed` fixes a mixture's points and which images a stacked dataset stacks).
    /// - Throws: `FileError` naming the file or directory when it cannot be read.
    public func load(seed: UInt64) throws -> ImageDataset {
        if let mixture { return mixture.dataset(count: limit ?? mixtureCount, seed: seed) }
        if isStacked {
            let source = try IDXDataset.load(name: "fashion-mnist", directory: path, split: .train)
            return StackedDataset.make(from: source, count: limit ?? StackedDataset.defaultCount, seed: seed)
        }
        if name == "folder" {
            guard let path else { throw FileError(file: "folder", problem: "an image folder needs a path") }
            let dataset = try ImageFolder.load(directory: path, channels: channels ?? 3, size: imageSize, cache: cache)
            guard let limit, limit < dataset.count else { return dataset }
            return dataset.prefix(limit)
        }
        return try IDXDataset.load(name: name, directory: path, split: .train, limit: limit)
    }
}

/// Everything that defines a run; saved as the run directory's `config.json`.
public struct RunConfig: RunConfigFile, Equatable, Sendable {
    public var model: ModelConfig
    public var training: TrainingConfig
    public var data: DataSpec
    /// The preset the run started from, for the record.
    public var preset: String?

    public init(model: ModelConfig, training: TrainingConfig, data: DataSpec, preset: String? = nil) {
        self.model = model
        self.training = training
        self.data = data
        self.preset = preset
    }

    /// Pretty, stable JSON.
    public static let configKind = "run"

    public var valueProblem: String? {
        // Reading a run needs its weights in memory; training it (checked by the trainer) needs about 5 times that.
        model.validationProblem() ?? model.memoryProblem(bytesPerWeight: 4) ?? training.validationProblem() ?? data.validationProblem()
    }
}
