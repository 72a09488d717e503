import Foundation
import SwiftGANNN
import SwiftGANTensor

// MARK: - Saving, loading and the shipped Fashion-MNIST weights

extension FeatureClassifier {
    /// The `format` metadata value marking a classifier checkpoint.
    public static let checkpointFormat = "swiftgan-feature-classifier"

    /// What a classifier checkpoint records beside its weights.
    public struct Provenance: Sendable, Equatable {
        /// Test-split accuracy measured when it was saved (nil if unknown).
        public var testAccuracy: Double?
        /// The dataset it was trained on (e.g. `fashion-mnist`).
        public var dataset: String
        /// The exact command that made it.
        public var command: String

        public init(testAccuracy: Double?, dataset: String, command: String) {
            self.testAccuracy = testAccuracy
            self.dataset = dataset
            self.command = command
        }
    }

    /// Writes the weights (PyTorch keys) and, as metadata, the architecture
    /// and provenance, atomically.
    public func save(to path: String, provenance: Provenance) throws {
        let encoded = try JSONEncoder().encode(architecture)
        var metadata = [
            "format": Self.checkpointFormat,
            "architecture": String(decoding: encoded, as: UTF8.self),
            "dataset": provenance.dataset,
            "command": provenance.command
        ]
        if let accuracy = provenance.testAccuracy { metadata["test_accuracy"] = String(format: "%.4f", accuracy) }
        try SafeTensors.write(stateDict(), metadata: metadata, to: path)
    }

    /// Loads a classifier checkpoint written by `save(to:provenance:)`.
    ///
    /// - Throws: `FileError` naming the file when it is not a classifier
    ///   checkpoint, its architecture metadata is malformed, or a weight is
    ///   missing or has the wrong shape.
    public static func load(_ path: String) throws -> (classifier: FeatureClassifier, provenance: Provenance) {
        let contents = try SafeTensors.read(path)
        guard contents.metadata["format"] == checkpointFormat else {
            throw FileError(
                file: path,
                problem: "not a SwiftGAN feature classifier (metadata 'format' is "
                    + "\(contents.metadata["format"].map { "'\($0)'" } ?? "missing"), expected '\(checkpointFormat)')")
        }
        guard let json = contents.metadata["architecture"],
            let architecture = try? JSONDecoder().decode(Architecture.self, from: Data(json.utf8))
        else {
            throw FileError(file: path, problem: "metadata 'architecture' is missing or malformed")
        }
        if let problem = architecture.validationProblem() {
            throw FileError(file: path, problem: "metadata 'architecture': \(problem)")
        }
        var random = RandomGenerator(seed: 0)
        let classifier = FeatureClassifier(architecture, random: &random)
        do {
            try classifier.loadStateDict(contents.tensors)
        } catch {
            throw FileError(file: path, problem: "\(error)")
        }
        _ = classifier.eval()
        let provenance = Provenance(
            testAccuracy: contents.metadata["test_accuracy"].flatMap(Double.init),
            dataset: contents.metadata["dataset"] ?? "unknown",
            command: contents.metadata["command"] ?? "unknown")
        return (classifier, provenance)
    }

    /// File name of the shipped Fashion-MNIST classifier.
    public static let fashionMNISTFileName = "fashion-mnist-classifier.safetensors"

    /// File name of the shipped classifier of the colourised Fashion-MNIST
    /// (the `colorize` task's RGB targets), the judge of colourisation runs.
    public static let colorizedFashionMNISTFileName = "fashion-mnist-colorize-classifier.safetensors"

    /// Where the shipped Fashion-MNIST classifier lives: `SWIFTGAN_CLASSIFIER`
    /// if set, else the package's resource bundle next to the executable,
    /// else the source tree this library was built from.
    public static func fashionMNISTPath() throws -> String {
        if let override = ProcessInfo.processInfo.environment["SWIFTGAN_CLASSIFIER"], !override.isEmpty {
            return override
        }
        return try shippedPath(fashionMNISTFileName)
    }

    /// A shipped classifier's path: the package's resource bundle next to
    /// the executable, else the source tree this library was built from.
    public static func shippedPath(_ fileName: String) throws -> String {
        let fileManager = FileManager.default
        var candidates: [String] = []
        // The running binary (argv[0] may be a bare name found through PATH).
        let executablePath = (try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments.first ?? "."
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        for bundle in ["SwiftGAN_SwiftGANMetrics.resources", "SwiftGAN_SwiftGANMetrics.bundle"] {
            candidates.append(
                executable.deletingLastPathComponent().appendingPathComponent(bundle)
                    .appendingPathComponent(fileName).path)
        }
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(sourceTree.appendingPathComponent("Resources").appendingPathComponent(fileName).path)
        if let found = candidates.first(where: { fileManager.fileExists(atPath: $0) }) { return found }
        throw FileError(
            file: fileName,
            problem: "the shipped classifier was not found (looked in "
                + candidates.joined(separator: ", ") + "); set SWIFTGAN_CLASSIFIER or pass --features PATH")
    }

    /// The shipped Fashion-MNIST classifier (see `fashionMNISTPath()`).
    public static func fashionMNIST() throws -> (classifier: FeatureClassifier, provenance: Provenance) {
        try load(fashionMNISTPath())
    }
}
