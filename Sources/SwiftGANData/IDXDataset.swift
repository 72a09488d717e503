import Foundation
import SwiftGANTensor

/// MNIST-format datasets (MNIST, Fashion-MNIST, KMNIST, or any directory with
/// the four IDX files).
public enum IDXDataset {
    /// The train or test split.
    public enum Split: String, Sendable, CaseIterable {
        case train, test

        var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// The most classes a label file may name.
    public static let maximumClassCount = 100_000

    /// Where the Debian package `dataset-fashion-mnist` installs Fashion-MNIST.
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    /// Fashion-MNIST's class names.
    public static let fashionMNISTClasses = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
    ]

    /// The directory for a named dataset: `fashion-mnist` has a default
    /// location; any other name needs `directory`.
    public static func directory(forName name: String, override: String?) throws -> String {
        if let override { return override }
        if name == "fashion-mnist" { return fashionMNISTDirectory }
        throw FileError(file: name, problem: "no default location for dataset '\(name)'; pass the directory holding its IDX files")
    }

    /// Loads a split from `directory`, which holds `train-images-idx3-ubyte`
    /// and `train-labels-idx1-ubyte` (and `t10k-…` for test), each raw or `.gz`.
    ///
    /// - Parameters:
    ///   - range: pixel scaling, `[-1, 1]` by default.
    ///   - limit: read only the first `limit` examples.
    /// - Returns: images `[N, 1, H, W]` and labels.
    /// - Throws: `FileError` naming the file and the problem; when the
    ///   directory or files are missing it says how to install Fashion-MNIST.
    public static func load(
        directory: String, split: Split, range: PixelRange = .minusOneToOne,
        limit: Int? = nil, classNames: [String]? = nil
    ) throws -> ImageDataset {
        let imagesPath = try locate(directory: directory, stem: "\(split.filePrefix)-images-idx3-ubyte")
        let labelsPath = try locate(directory: directory, stem: "\(split.filePrefix)-labels-idx1-ubyte")
        let images = try IDX.read(imagesPath, limit: limit)
        let labels = try IDX.read(labelsPath, limit: limit)
        guard images.shape.count == 3 else {
            throw FileError(file: imagesPath, problem: "expected 3 dimensions [N, H, W], found \(images.shape)")
        }
        guard labels.shape.count == 1 else {
            throw FileError(file: labelsPath, problem: "expected 1 dimension [N], found \(labels.shape)")
        }
        guard images.shape[0] == labels.shape[0] else {
            throw FileError(file: labelsPath, problem: "\(labels.shape[0]) labels but \(imagesPath) has \(images.shape[0]) images")
        }
        let count = Swift.min(images.shape[0], limit ?? Int.max)
        let pixels = images.shape[1] * images.shape[2]
        var labelValues: [Int] = []
        labelValues.reserveCapacity(count)
        for (index, value) in labels.values[0..<count].enumerated() {
            guard value.isFinite, value >= 0, value < Float(Self.maximumClassCount), value == value.rounded() else {
                throw FileError(
                    file: labelsPath, problem: "label \(index) is \(value); labels must be whole numbers in 0..<\(Self.maximumClassCount)")
            }
            labelValues.append(Int(value))
        }
        let classCount = (labelValues.max() ?? -1) + 1
        let names = classNames ?? (0..<Swift.max(classCount, 10)).map(String.init)
        let shape = [count, 1, images.shape[1], images.shape[2]]
        guard images.elementType == .uint8 else {
            // Wider element types keep their values as floats (scaled as bytes would be).
            let scaled = images.values[0..<(count * pixels)].map { range.scale($0) }
            return ImageDataset(images: Tensor(scaled, shape: shape), labels: labelValues, classNames: names)
        }
        // 8-bit images stay bytes: a quarter of their float size, converted a batch at a time.
        let store = PixelStore(shape: shape, range: range) { output in
            for index in 0..<(count * pixels) { output[index] = UInt8(images.values[index]) }
        }
        return ImageDataset(pixels: store, labels: labelValues, classNames: names)
    }

    /// Loads a named dataset (`fashion-mnist`, or `mnist`/`kmnist`/any name with a `directory`).
    public static func load(
        name: String, directory: String? = nil, split: Split,
        range: PixelRange = .minusOneToOne, limit: Int? = nil
    ) throws -> ImageDataset {
        let location = try self.directory(forName: name, override: directory)
        return try load(
            directory: location, split: split, range: range, limit: limit,
            classNames: name == "fashion-mnist" ? fashionMNISTClasses : nil)
    }

    private static func locate(directory: String, stem: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError(
                file: directory,
                problem: "no such directory"
                    + (directory == fashionMNISTDirectory ? "; install Fashion-MNIST with: sudo apt-get install -y dataset-fashion-mnist" : ""))
        }
        for candidate in ["\(directory)/\(stem)", "\(directory)/\(stem).gz"] where FileManager.default.fileExists(atPath: candidate) {
            return candidate
        }
        throw FileError(
            file: "\(directory)/\(stem)[.gz]",
            problem: "missing IDX file"
                + (directory == fashionMNISTDirectory ? "; install Fashion-MNIST with: sudo apt-get install -y dataset-fashion-mnist" : ""))
    }
}
