import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// `gan project`: finds the latents whose G(z) reconstructs real images.
struct ProjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Project real images into a run's latent space: the z (and label) whose G(z) reconstructs each one.",
        discussion: """
            Adam moves z to lower the pixel mean squared error plus, for 28x28 gray images, the \
            squared error of the shipped Fashion-MNIST classifier's convolutional features, from \
            --restarts random starts; each image keeps its best start. A conditional run also \
            searches the label: the classifier's top --label-candidates classes, or all classes \
            without it, unless --label fixes one. The output directory gets latents.npy (for gan \
            edit --latents and gan sample --latents), reconstructions.npy, labels.txt (conditional \
            runs), errors.csv (one row per image) and pairs.png (each image above its reconstruction).

            Examples:
              gan project --run runs/dcgan-quick --data fashion-mnist --count 100 --out projected
              gan project --run runs/cdcgan --input photos/ --out projected
              gan edit --run runs/cdcgan --latents projected/latents.npy --labels projected/labels.txt --direction 1 --out walk.png
            """
    )

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: "The images: a .npy array [N, C, H, W] (float in [-1, 1] or uint8), a PNG/JPEG file or a directory of them.")
    var input: String?

    @Option(help: "Or the first --count test images of this IDX dataset (fashion-mnist or a directory).")
    var data: String?

    @Option(parsing: .unconditional, help: "With --data: how many test images. (default: 100)")
    var count: Int?

    @Option(help: "A new or empty output directory.")
    var out: String

    @Option(parsing: .unconditional, help: "Adam steps per start.")
    var steps: Int = 300

    @Option(parsing: .unconditional, help: "Random starts per image and candidate label.")
    var restarts: Int = 3

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Adam's learning rate on z.")
    var learningRate: Float = 0.05

    @Option(parsing: .unconditional, help: "Weight of the feature term (0: pixels only).")
    var featureWeight: Float = 1

    @Option(parsing: .unconditional, help: "Conditional runs: project every image with this class.")
    var label: Int?

    @Option(parsing: .unconditional, help: "Conditional runs: how many of the classifier's most likely classes to search.")
    var labelCandidates: Int = 2

    @Option(parsing: .unconditional, help: "Random seed for the starts.")
    var seed: UInt64 = 0

    func validate() throws {
        guard (input == nil) != (data == nil) else { throw ValidationError("give exactly one of --input PATH or --data NAME") }
        if count != nil && data == nil { throw ValidationError("--count applies with --data") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        guard labelCandidates >= 1 else { throw ValidationError("--label-candidates must be at least 1, got \(labelCandidates)") }
        if let problem = options.validationProblem() { throw ValidationError(problem) }
        do { try OutputPath.checkDirectory(out) } catch { throw CLIError("\(error)") }
    }

    var options: LatentProjection.Options {
        LatentProjection.Options(steps: steps, restarts: restarts, learningRate: learningRate, featureWeight: featureWeight, seed: seed)
    }

    func run() throws { try threadOptions.scope { try execute() } }

    private func execute() throws {
        let (saved, generator) = try runOptions.load()
        let model = saved.config.model
        guard model.kind != .mlp2d else { throw CLIError("projection is for image models; this run's samples are 2-D points") }
        let images = try readImages(shape: model.imageShape)
        let classifier = model.imageShape == [1, 28, 28] ? try? FeatureClassifier.fashionMNIST().classifier : nil
        let inputClasses = classifier.map { predictedClasses($0, images) }
        let candidates = try labelCandidates(model, classifier, images)
        print(
            "projecting \(images.shape[0]) images: \(restarts) starts x \(steps) steps\(candidates.map { " x \($0[0].count) labels" } ?? "")\(classifier == nil ? " (pixels only: no feature network for \(model.imageShape))" : "")"
        )
        let projection = LatentProjection(generator: generator, features: classifier, options: options)
        let result = projection.project(images, candidates: candidates)
        let outputClasses = classifier.map { predictedClasses($0, result.reconstructions) }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
            try NPY.write(result.latents, to: "\(out)/latents.npy")
            try NPY.write(result.reconstructions, to: "\(out)/reconstructions.npy")
            if let labels = result.labels { try AtomicFile.write(Array(labels.map { "\($0)\n" }.joined().utf8), to: "\(out)/labels.txt") }
            var csv = "index,pixel_mse,loss,label,input_class,reconstruction_class\n"
            for index in 0..<images.shape[0] {
                let cells = [
                    String(index), String(result.pixelErrors[index]), String(result.losses[index]),
                    result.labels.map { String($0[index]) } ?? "", inputClasses.map { String($0[index]) } ?? "",
                    outputClasses.map { String($0[index]) } ?? ""
                ]
                csv += cells.joined(separator: ",") + "\n"
            }
            try AtomicFile.write(Array(csv.utf8), to: "\(out)/errors.csv")
            try ImageGrid.write(pairs(images, result.reconstructions), to: "\(out)/pairs.png", nrow: 8)
        } catch {
            throw CLIError("\(error)")
        }
        let meanError = result.pixelErrors.reduce(0, +) / Float(result.pixelErrors.count)
        print(String(format: "mean pixel MSE %.4f (PSNR %.2f dB on [-1, 1])", meanError, 10 * log10(4 / Double(meanError))))
        if let inputClasses, let outputClasses {
            let kept = zip(inputClasses, outputClasses).filter { $0 == $1 }.count
            print(
                String(
                    format: "class kept (the classifier's class of the reconstruction = of the image): %.1f%%", 100 * Double(kept) / Double(inputClasses.count))
            )
        }
        print("wrote \(out)/: latents.npy, reconstructions.npy, \(result.labels == nil ? "" : "labels.txt, ")errors.csv, pairs.png")
    }

    /// The input images `[N, C, H, W]` in [-1, 1], checked against G's shape.
    private func readImages(shape: [Int]) throws -> Tensor {
        let images: Tensor
        let source: String
        do {
            if let data {
                let spec = DataSpec.parse(data)
                let loaded = try IDXDataset.load(name: spec.name, directory: spec.path, split: .test, limit: count ?? 100)
                (images, source) = (loaded.images, "\(data) test split")
            } else if let input, input.lowercased().hasSuffix(".npy") {
                (images, source) = (imageScale(try NPY.read(input)), input)
            } else if let input {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else { throw CLIError("\(input): no such file or directory") }
                let files =
                    isDirectory.boolValue
                    ? try FileManager.default.contentsOfDirectory(atPath: input).filter(ImageFile.isImagePath).sorted().map { "\(input)/\($0)" } : [input]
                guard !files.isEmpty else { throw CLIError("\(input): no PNG or JPEG files") }
                guard shape[1] == shape[2] else { throw CLIError("image files are square-cropped; this run's images are \(shape)") }
                try checkSampleCount(files.count, shape: shape)
                images = concat(try files.map { try ImageFile.read($0, channels: shape[0], size: shape[1]) }, axis: 0)
                source = input
            } else {
                throw CLIError("give --input or --data")
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
        guard images.rank == 4, images.shape[0] >= 1, Array(images.shape.dropFirst()) == shape else {
            throw CLIError("\(source): expected images [N, \(shape.map(String.init).joined(separator: ", "))] for this run, found \(images.shape)")
        }
        if let problem = valueProblem(images, images: true) { throw CLIError("\(source): \(problem)") }
        return images
    }

    /// The classifier's most likely class of each image.
    private func predictedClasses(_ classifier: FeatureClassifier, _ images: Tensor) -> [Int] {
        let probabilities = classifier.outputs(for: images).probabilities
        return withoutGradients { probabilities.argmax(axis: 1) }
    }

    /// The labels searched per image, for a conditional run; nil otherwise.
    private func labelCandidates(_ model: ModelConfig, _ classifier: FeatureClassifier?, _ images: Tensor) throws -> [[Int]]? {
        guard model.isConditional else {
            if label != nil { throw CLIError("--label needs a conditional model; this run is \(model.kind.rawValue)") }
            return nil
        }
        let count = images.shape[0]
        if let label {
            guard label >= 0 && label < model.classCount else { throw CLIError("--label \(label) is outside the model's classes 0..<\(model.classCount)") }
            return Array(repeating: [label], count: count)
        }
        guard let classifier, classifier.architecture.classCount == model.classCount else {
            guard model.classCount <= 16 else { throw CLIError("this run has \(model.classCount) classes and no classifier to rank them: give --label") }
            return Array(repeating: Array(0..<model.classCount), count: count)
        }
        let probabilities = classifier.outputs(for: images).probabilities.scalars
        let classes = model.classCount
        let top = Swift.min(labelCandidates, classes)
        return (0..<count).map { row in
            let scores = Array(probabilities[(row * classes)..<((row + 1) * classes)])
            return Array(scores.indices.sorted { scores[$0] > scores[$1] }.prefix(top))
        }
    }

    /// Rows of 8 inputs, each above its 8 reconstructions.
    private func pairs(_ images: Tensor, _ reconstructions: Tensor) -> Tensor {
        let count = images.shape[0]
        var rows: [Tensor] = []
        for start in stride(from: 0, to: count, by: 8) {
            let end = Swift.min(start + 8, count)
            var top = images.slice(axis: 0, start: start, end: end)
            var bottom = reconstructions.slice(axis: 0, start: start, end: end)
            if end - start < 8 {  // pad the last pair of rows with blank (-1) images
                let blank = Tensor.zeros([8 - (end - start)] + Array(images.shape.dropFirst())) - 1
                top = concat([top, blank], axis: 0)
                bottom = concat([bottom, blank], axis: 0)
            }
            rows += [top, bottom]
        }
        return concat(rows, axis: 0)
    }
}
