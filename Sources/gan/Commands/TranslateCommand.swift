import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANTensor
import SwiftGANTraining

/// `gan translate`: run a translation run's generator on images.
struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Translate images with a trained image-to-image run (pix2pix, sr, inpaint, colorize, cyclegan).",
        discussion: """
            The input is a PNG or JPEG file (written as a PNG), a folder of images (written as a
            folder of PNGs with the same names), or a float32 .npy batch [N, C, H, W] in [-1, 1]
            (written as .npy). Images are converted to the run's input channels and size.

            Examples:
              gan translate --run runs/pix2pix-edges2fashion --input sketch.png --out photo.png
              gan translate --run runs/sr-sr4 --input small/ --out large/
              gan translate --run runs/colorize-colorize --input gray.npy --out colour.npy
              gan translate --run runs/cyclegan-fashion2edges --direction b2a --input edges/ --out images/
            """
    )

    @Option(name: .customLong("run"), help: "The translation run directory.")
    var runDirectory: String

    @Option(help: "A PNG/JPEG file, a folder of images, or a .npy batch.")
    var input: String

    @Option(help: "Where to write: a .png file, a folder, or a .npy file (matching the input's kind).")
    var out: String

    @Option(help: "With a CycleGAN run: a2b (domain A to B) or b2a.")
    var direction: String?

    @Option(parsing: .unconditional, help: "Compute threads (default: all cores).")
    var threads: Int?

    @OptionGroup var imageLimits: ImageLimitOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if let direction, CycleGANTrainer.Direction(rawValue: direction) == nil {
            throw ValidationError("unknown direction '\(direction)' (a2b or b2a)")
        }
        // A folder --out (for a folder --input) is created; each image in it is checked as it is written.
        if ImageFile.isImagePath(out) || out.hasSuffix(".npy") { try checkOutputs(out) }
    }

    func run() throws {
        try withExecutionContext(threads: threads) {
            do {
                try imageLimits.scope { try execute() }
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError("\(error)")
            }
        }
    }

    /// The run's input shape and its translation function: a paired run's
    /// generator, or a CycleGAN run's generator of `--direction`.
    private func translator() throws -> (shape: [Int], translate: (Tensor) -> Tensor) {
        switch RunKind.of(directory: runDirectory) {
        case .cyclegan:
            guard let direction = direction.flatMap(CycleGANTrainer.Direction.init) else {
                throw CLIError("\(runDirectory) is a CycleGAN run: pass --direction a2b or b2a")
            }
            let saved = try SavedCycleGANRun(directory: runDirectory)
            return (saved.inputShape(direction), { saved.translate($0, direction: direction) })
        case .translation, .gan:
            if direction != nil { throw CLIError("--direction applies to CycleGAN runs; \(runDirectory) translates one way") }
            let saved = try SavedTranslationRun(directory: runDirectory)
            return (saved.config.model.inputShape, { saved.translate($0) })
        }
    }

    private func execute() throws {
        let (shape, translate) = try translator()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
            throw CLIError("\(input): no such file or directory")
        }
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        guard resolved(input) != resolved(out) else { throw CLIError("\(out): --out is the input; write the outputs somewhere else") }
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: input).filter { !$0.hasPrefix(".") && ImageFile.isImagePath($0) }.sorted()
            guard !names.isEmpty else { throw CLIError("\(input): no PNG or JPEG images in the folder") }
            guard !ImageFile.isImagePath(out) && !out.hasSuffix(".npy") else { throw CLIError("\(out): a folder input needs a folder --out") }
            var stems: [String: String] = [:]
            for name in names {
                let stem = (name as NSString).deletingPathExtension
                if let other = stems[stem] { throw CLIError("\(input): \(other) and \(name) would both be written as \(stem).png") }
                stems[stem] = name
            }
            // Read everything first, so a bad file leaves nothing half-written.
            let images = try names.map { try ImageFile.read("\(input)/\($0)", channels: shape[0], size: shape[1]) }
            let outputs = translate(concat(images, axis: 0))
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            for name in names { try checkOutputs("\(out)/\((name as NSString).deletingPathExtension).png") }
            for (index, name) in names.enumerated() {
                let stem = (name as NSString).deletingPathExtension
                try ImageFile.writePNG(outputs.slice(axis: 0, start: index, end: index + 1).squeezing(axes: [0]), to: "\(out)/\(stem).png")
            }
            print("wrote \(names.count) images to \(out)/")
        } else if input.hasSuffix(".npy") {
            guard out.hasSuffix(".npy") else { throw CLIError("\(out): an .npy input needs an .npy --out") }
            let batch = imageScale(try NPY.read(input))
            guard batch.rank == 4, Array(batch.shape.dropFirst()) == shape, batch.shape[0] > 0 else {
                throw CLIError("\(input): expected [N, \(shape.map(String.init).joined(separator: ", "))] float32 in [-1, 1] with N ≥ 1, found \(batch.shape)")
            }
            if let problem = valueProblem(batch, images: true) { throw CLIError("\(input): \(problem)") }
            let outputs = translate(batch)
            try NPY.write(outputs, to: out)
            print("wrote \(outputs.shape) to \(out)")
        } else {
            guard ImageFile.isImagePath(input) else { throw CLIError("\(input): not a .png, .jpg, .jpeg or .npy file") }
            guard out.lowercased().hasSuffix(".png") else { throw CLIError("\(out): an image input is written as a .png file") }
            let image = try ImageFile.read(input, channels: shape[0], size: shape[1])
            try ImageFile.writePNG(translate(image).squeezing(axes: [0]), to: out)
            print("wrote \(out)")
        }
    }
}
