import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// `gan edit`: walks latents along a closed-form direction of the generator (SeFa).
struct EditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit",
        abstract: "Move latents along a latent direction found from the generator's weights (SeFa) and render the walk as a PNG grid.",
        discussion: """
            The directions are the eigenvectors of AᵀA, A the matrix with which G's first layer maps z \
            (closed-form factorisation, Shen & Zhou 2021), in order of how much they change that layer's \
            output; direction 0 changes it most. Each row of the grid is one latent, each column one step \
            along the direction.

            Examples:
              gan edit --run runs/dcgan-quick --list                  # the directions and their shares
              gan edit --run runs/dcgan-quick --direction 0 --out walk.png
              gan edit --run runs/cdcgan --latents z.npy --direction 2 --range -4:4 --steps 9 --label 7 --out walk.png
            """
    )

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var threadOptions: ThreadOptions

    @Option(parsing: .unconditional, help: "The direction to walk along: 0 is the one that changes G's first layer most.")
    var direction: Int = 0

    @Option(parsing: .unconditional, help: "How far to walk, LOW:HIGH in units of the unit direction (z is N(0, 1) per coordinate).")
    var range: String = "-3:3"

    @Option(parsing: .unconditional, help: "Images per row, both ends of the range included.")
    var steps: Int = 7

    @Option(help: "Walk from these latents ([N, latent-dim] float32 .npy, e.g. gan sample's) instead of random ones.")
    var latents: String?

    @Option(parsing: .unconditional, help: "Number of random latents (rows); with --latents, the file's first rows. (default: 8; with --latents, all)")
    var count: Int?

    @Option(parsing: .unconditional, help: "Random seed for the latents.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Class label for conditional models (default: row i gets class i mod the classes).")
    var label: Int?

    @Option(help: "Conditional models: one label per latent, one per line (gan project's labels.txt).")
    var labels: String?

    @Option(help: "The output PNG grid.")
    var out: String?

    @Option(help: "Also write the walked latents [rows · steps, latent-dim] to this .npy file.")
    var outLatents: String?

    @Option(help: "Write all the directions [K, latent-dim] (unit rows, direction 0 first) to this .npy file.")
    var saveDirections: String?

    @Flag(help: "Print the directions' eigenvalues and their shares of the total.")
    var list = false

    @Flag(help: "Conditional models: render each latent in every class instead (class swap: a column per class, the style kept).")
    var classes = false

    func validate() throws {
        guard out != nil || list || saveDirections != nil else {
            throw ValidationError("give --out FILE.png, --list and/or --save-directions FILE.npy")
        }
        if classes && (out == nil || list || saveDirections != nil || outLatents != nil || label != nil || labels != nil) {
            throw ValidationError("--classes renders a class-swap grid: give --out, and no --list, --save-directions, --out-latents, --label or --labels")
        }
        guard steps >= 2 else { throw ValidationError("--steps must be at least 2, got \(steps)") }
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        if labels != nil && (latents == nil || label != nil) { throw ValidationError("--labels goes with --latents, and not with --label") }
        guard direction >= 0 else { throw ValidationError("--direction must be 0 or more, got \(direction)") }
        _ = try parsedRange()
        try checkOutputs(out, outLatents, saveDirections)
    }

    /// `--range` as numbers.
    func parsedRange() throws -> ClosedRange<Float> {
        let parts = range.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Float(parts[0]), let high = Float(parts[1]), low.isFinite, high.isFinite, low < high else {
            throw ValidationError("--range must be LOW:HIGH with LOW < HIGH, e.g. -3:3, got '\(range)'")
        }
        return low...high
    }

    func run() throws { try threadOptions.scope { try execute() } }

    private func execute() throws {
        let (saved, generator) = try runOptions.load()
        let model = saved.config.model
        guard model.kind != .mlp2d else { throw CLIError("latent walks render images; this run's samples are 2-D points") }
        if classes { return try classSwap(generator, model) }
        guard let directions = LatentDirections(generator) else {
            throw CLIError("\(model.kind.rawValue)'s first layer is not linear in z, so it has no closed-form directions")
        }
        guard direction < directions.count else {
            throw CLIError("--direction \(direction) is beyond this generator's \(directions.count) directions (0..<\(directions.count))")
        }
        if list {
            print("direction  eigenvalue  share")
            for k in 0..<Swift.min(directions.count, 20) {
                print(String(format: "%9d  %10.4g  %5.1f%%", k, directions.eigenvalues[k], 100 * directions.share(k)))
            }
            if directions.count > 20 { print("… \(directions.count - 20) more (--save-directions writes all)") }
        }
        do {
            if let saveDirections {
                try NPY.write(directions.directions, to: saveDirections)
                print("wrote \(directions.count) directions \(directions.directions.shape) to \(saveDirections)")
            }
            guard let out else { return }
            let z = try startingLatents(model)
            let rows = z.shape[0]
            let labels = try rowLabels(model, rows: rows)
            try checkSampleCount(rows * steps, shape: model.imageShape)
            let walked = directions.walk(z, direction: direction, range: try parsedRange(), steps: steps)
            let images = generator.generate(inBatches: walked, labels: labels.map { labels in labels.flatMap { Array(repeating: $0, count: steps) } })
            if let outLatents { try NPY.write(walked, to: outLatents) }
            try ImageGrid.write(images, to: out, nrow: steps)
            print(
                "wrote \(out): \(rows) latents along direction \(direction) (\(String(format: "%.1f", 100 * directions.share(direction)))% of the total), \(steps) steps over \(range)"
            )
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// `--classes`: each latent once per class, a row per latent.
    private func classSwap(_ generator: GeneratorModel, _ model: ModelConfig) throws {
        guard model.isConditional else { throw CLIError("--classes needs a conditional model; this run is \(model.kind.rawValue)") }
        let z = try startingLatents(model)
        let (rows, classCount) = (z.shape[0], model.classCount)
        try checkSampleCount(rows * classCount, shape: model.imageShape)
        let repeated = concat((0..<rows).flatMap { row in Array(repeating: z.slice(axis: 0, start: row, end: row + 1), count: classCount) }, axis: 0)
        let images = generator.generate(inBatches: repeated, labels: (0..<(rows * classCount)).map { $0 % classCount })
        do { try ImageGrid.write(images, to: out!, nrow: classCount) } catch { throw CLIError("\(error)") }
        print("wrote \(out!): \(rows) latents in each of \(classCount) classes")
    }

    /// `--latents`' rows, or `--count` random ones.
    private func startingLatents(_ model: ModelConfig) throws -> Tensor {
        guard let latents else {
            var random = RandomGenerator(seed: seed)
            return model.sampleLatents(count ?? 8, random: &random)
        }
        let contents: NPY.Contents
        do { contents = try NPY.read(latents) } catch { throw CLIError("\(error)") }
        guard contents.tensor.rank == 2, contents.tensor.shape[0] >= 1, contents.tensor.shape[1] == model.latentDimension else {
            throw CLIError("\(latents): expected latents [N ≥ 1, \(model.latentDimension)], found \(contents.tensor.shape)")
        }
        guard contents.tensor.scalars.allSatisfy(\.isFinite) else { throw CLIError("\(latents): the latents hold NaN or infinite values") }
        guard let count else { return contents.tensor }
        guard count <= contents.tensor.shape[0] else { throw CLIError("--count \(count) is more than the \(contents.tensor.shape[0]) latents in \(latents)") }
        return contents.tensor.slice(axis: 0, start: 0, end: count)
    }

    /// One label per row for conditional models (`--label`, or row i mod the classes).
    private func rowLabels(_ model: ModelConfig, rows: Int) throws -> [Int]? {
        guard model.isConditional else {
            if label != nil || labels != nil { throw CLIError("--label and --labels need a conditional model; this run is \(model.kind.rawValue)") }
            return nil
        }
        if let label {
            guard label >= 0 && label < model.classCount else {
                throw CLIError("--label \(label) is outside the model's classes 0..<\(model.classCount)")
            }
            return Array(repeating: label, count: rows)
        }
        if let labels {
            let text: String
            do { text = try String(contentsOfFile: labels, encoding: .utf8) } catch {
                throw CLIError("\(labels): cannot be read (\(error.localizedDescription))")
            }
            var lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            // With --count, the labels of the latents' first rows.
            if count != nil && lines.count > rows { lines = Array(lines.prefix(rows)) }
            guard lines.count == rows else { throw CLIError("\(labels): \(lines.count) labels for \(rows) latents") }
            return try lines.enumerated().map { index, line in
                guard let value = Int(line), value >= 0, value < model.classCount else {
                    throw CLIError("\(labels): line \(index + 1), '\(line)', is not a class in 0..<\(model.classCount)")
                }
                return value
            }
        }
        return (0..<rows).map { $0 % model.classCount }
    }
}
