import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// Options naming a run directory and which generator to use.
struct RunOptions: ParsableArguments {
    @Option(help: "The run directory (e.g. runs/dcgan-quick).")
    var run: String

    @Flag(inversion: .prefixedNo, help: "Use the EMA generator (default: when the run kept one).")
    var ema: Bool?

    @Flag(help: "Use best.safetensors (kept by --eval-every) instead of the latest checkpoint.")
    var best = false

    /// The run's GAN generator; an image-to-image run is an error pointing to `gan translate`.
    func load() throws -> (SavedRun, GeneratorModel) {
        switch RunKind.of(directory: run) {
        case .cyclegan: throw CLIError("\(run) is a CycleGAN run, which translates images: use gan translate --run \(run) --direction a2b|b2a")
        case .translation: throw CLIError("\(run) is an image-to-image run, which translates images: use gan translate --run \(run)")
        case .gan: break
        }
        do {
            let saved = try SavedRun(directory: run, best: best)
            return (saved, try saved.generator(ema: ema))
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// `--threads` for the commands that only run a generator.
struct ThreadOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Compute threads (default: the CPUs this process may use; SWIFTGAN_THREADS sets it too).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// Runs `body` with `--threads` scoping every kernel (the root context's count without it).
    func scope<Result>(_ body: () throws -> Result) throws -> Result { try withExecutionContext(threads: threads) { try body() } }
}

/// `gan sample`: draw samples from a trained generator.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate samples from a run: a .npy array and/or a PNG grid.",
        discussion: """
            Examples:
              gan sample --run runs/dcgan-quick --count 64 --grid samples.png
              gan sample --run runs/dcgan-quick --count 1000 --out samples.npy
              gan sample --run runs/cgan --label 3 --grid threes.png
              gan sample --run runs/cdcgan --grid classes.png           # one row per class
              gan sample --run runs/cdcgan --latents z.npy --label 7 --out x.npy   # class swap
              gan sample --run runs/dcgan-quick --latents z.npy --out x.npy
            """
    )

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var threadOptions: ThreadOptions

    @Option(
        parsing: .unconditional,
        help: "Number of samples (default: 64; for a conditional model without --label, 8 per class; with --latents, one per row of the file).")
    var count: Int?

    @Option(help: "Write samples as float32 [N, C, H, W] (or [N, 2]) in [-1, 1] to this .npy file.")
    var out: String?

    @Option(
        help:
            "Write a PNG grid (or a scatter plot for 2-D data) to this file; for a conditional model without --label, one row per class when the count is a multiple of the classes."
    )
    var grid: String?

    @Option(
        help:
            "Write one PNG per sample into this new or empty directory (000000.png, …; with labels.txt for conditional models): the input pytorch-fid, clean-fid and torch-fidelity take."
    )
    var outDir: String?

    @Option(help: "Generate from these latents ([N, latent-dim] float32 .npy) instead of random ones.")
    var latents: String?

    @Option(
        parsing: .unconditional,
        help: "Class label for conditional models (default: cycle through the classes); with --latents, the same styles in another class.")
    var label: Int?

    @Option(parsing: .unconditional, help: "Random seed for the latents.")
    var seed: UInt64 = 0

    @Option(parsing: .unconditional, help: "Images per grid row (except in a class grid).")
    var nrow: Int = 8

    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1, got \(count)") }
        if count != nil && latents != nil { throw ValidationError("--count does not apply with --latents: one sample is made per row of the file") }
        guard out != nil || grid != nil || outDir != nil else { throw ValidationError("give --out FILE.npy, --grid FILE.png and/or --out-dir DIR") }
        guard nrow >= 1 else { throw ValidationError("--nrow must be at least 1") }
        try checkOutputs(out, grid)
        if let outDir {
            do { try OutputPath.checkDirectory(outDir) } catch { throw CLIError("\(error)") }
        }
    }

    func run() throws { try threadOptions.scope { try progressOptions.show { try execute() } } }

    private func execute() throws {
        let (saved, generator) = try runOptions.load()
        let model = saved.config.model
        let z: Tensor
        if let latents {
            let contents: NPY.Contents
            do { contents = try NPY.read(latents) } catch { throw CLIError("\(error)") }
            guard contents.tensor.rank == 2, contents.tensor.shape[0] >= 1, contents.tensor.shape[1] == model.latentDimension else {
                throw CLIError("\(latents): expected latents [N ≥ 1, \(model.latentDimension)], found \(contents.tensor.shape)")
            }
            guard contents.tensor.scalars.allSatisfy(\.isFinite) else { throw CLIError("\(latents): the latents hold NaN or infinite values") }
            try checkSampleCount(contents.tensor.shape[0], shape: model.imageShape)
            z = contents.tensor
        } else {
            // A conditional model's default is a class grid: 8 per class (up to 64 classes).
            let classGrid = model.isConditional && label == nil && model.classCount <= 64
            let count = count ?? (classGrid ? 8 * model.classCount : 64)
            try checkSampleCount(count, shape: model.imageShape)
            var random = RandomGenerator(seed: seed)
            z = model.sampleLatents(count, random: &random)
        }
        let n = z.shape[0]
        var labels: [Int]? = nil
        if model.isConditional {
            if let label {
                guard label >= 0 && label < model.classCount else {
                    throw CLIError("--label \(label) is outside the model's classes 0..<\(model.classCount)")
                }
                labels = Array(repeating: label, count: n)
            } else {
                labels = (0..<n).map { $0 % model.classCount }
            }
        } else if label != nil {
            throw CLIError("--label needs a conditional model; this run is \(model.kind.rawValue)")
        }
        let samples = generator.generate(inBatches: z, labels: labels)
        do {
            if let out {
                try NPY.write(model.kind == .mlp2d ? samples.reshaped([n, 2]) : samples, to: out)
                print("wrote \(n) samples \(model.kind == .mlp2d ? [n, 2] : samples.shape) to \(out)")
            }
            if let grid {
                if model.kind == .mlp2d {
                    let modes = saved.config.data.mixture?.modes ?? []
                    let picture = ImageGrid.pngImage(ScatterPlot.render(points: samples.reshaped([n, 2]), modes: modes))
                    try AtomicFile.write(try PNG.encode(picture), to: grid)
                } else {
                    if labels != nil, label == nil, let rows = ImageGrid.classRows(samples, classes: model.classCount) {
                        try ImageGrid.write(rows.images, to: grid, nrow: rows.nrow)  // one row per class
                    } else {
                        try ImageGrid.write(samples, to: grid, nrow: nrow)
                    }
                }
                print("wrote \(grid)")
            }
            if let outDir {
                guard model.kind != .mlp2d else { throw CLIError("--out-dir writes images; this run's samples are 2-D points (use --out)") }
                try writeImages(samples, labels: labels, to: outDir)
                print("wrote \(n) PNG files to \(outDir)/")
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }
}

extension SampleCommand {
    /// Writes each of `samples` `[N, C, H, W]` as `DIR/NNNNNN.png` (8-bit gray or RGB, as `ImageGrid` maps [-1, 1]),
    /// and the labels, one per line, as `DIR/labels.txt`.
    func writeImages(_ samples: Tensor, labels: [Int]?, to directory: String) throws {
        if !FileManager.default.fileExists(atPath: directory) { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false) }
        let digits = Swift.max(6, String(samples.shape[0] - 1).count)
        for index in 0..<samples.shape[0] {
            let name = String(repeating: "0", count: Swift.max(0, digits - String(index).count)) + String(index)
            try ImageFile.writePNG(
                samples.slice(axis: 0, start: index, end: index + 1).reshaped(Array(samples.shape.dropFirst())), to: "\(directory)/\(name).png")
            ProgressReporting.report("writing PNG files", done: index + 1, total: samples.shape[0])
        }
        if let labels { try AtomicFile.write(Array(labels.map { "\($0)\n" }.joined().utf8), to: "\(directory)/labels.txt") }
    }
}

/// `gan export`: the generator alone, with the PyTorch module's keys.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the generator (EMA if kept) alone as safetensors with PyTorch state-dict keys."
    )

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var threadOptions: ThreadOptions

    @Option(help: "The output .safetensors file.")
    var out: String

    @Option(help: "With a CycleGAN run: the generator of a2b (domain A to B) or b2a.")
    var direction: String?

    @Flag(help: "Write only the .safetensors file, without the config.json and README.md model card beside it.")
    var noCard = false

    func validate() throws { try checkOutputs(out) }

    func run() throws { try threadOptions.scope { try execute() } }

    private func execute() throws {
        let kind = RunKind.of(directory: runOptions.run)
        if kind == .cyclegan { return try exportCycleGAN() }
        if direction != nil { throw CLIError("--direction applies to CycleGAN runs") }
        if kind == .translation { return try exportTranslation() }
        let (saved, generator) = try runOptions.load()
        do {
            let card = !writesCard ? nil : try ModelCard.gan(saved, ema: runOptions.ema ?? saved.hasEMA, file: out)
            try card?.check(besides: out)
            let configJSON = String(decoding: try saved.config.encoded(), as: UTF8.self)
            try generator.save(to: out, metadata: ["format": "pt", "swiftgan.model": configJSON, "swiftgan.step": String(saved.step)])
            try card?.write(besides: out)
        } catch {
            throw CLIError("\(error)")
        }
        print("wrote \(out): \(generator.stateDict().count) tensors, \(generator.parameterCount.formatted()) parameters\(cardNote)")
    }

    /// The directory the file goes to.
    private var outDirectory: String { URL(fileURLWithPath: out).deletingLastPathComponent().path }

    /// Whether a card goes beside the file: not with --no-card, and not into a run directory (whose config.json is the run's own).
    private var writesCard: Bool { !noCard && !TrainingRun.isRunDirectory(outDirectory) }

    /// What the output line adds about the model card.
    private var cardNote: String {
        if noCard { return "" }
        if !writesCard { return "; no model card (\(outDirectory) is a run directory, whose config.json is the run's own: export elsewhere for one)" }
        return "; model card \(outDirectory)/README.md and config.json beside it"
    }

    /// One generator of a CycleGAN run (keys as Scripts/make_cyclegan_fixtures.py's PyTorch module).
    private func exportCycleGAN() throws {
        if runOptions.ema == true || runOptions.best { throw CLIError("CycleGAN runs keep no EMA or best checkpoint") }
        guard let direction = direction.flatMap(CycleGANTrainer.Direction.init) else {
            throw CLIError("\(runOptions.run) is a CycleGAN run: pass --direction a2b or b2a")
        }
        do {
            let saved = try SavedCycleGANRun(directory: runOptions.run)
            let generator = saved.generator(direction)
            let card = !writesCard ? nil : try ModelCard.cycleGAN(saved, direction: direction, file: out)
            try card?.check(besides: out)
            let configJSON = String(decoding: try saved.config.encoded(), as: UTF8.self)
            try generator.save(
                to: out,
                metadata: ["format": "pt", "swiftgan.cyclegan": configJSON, "swiftgan.direction": direction.rawValue, "swiftgan.step": String(saved.step)])
            try card?.write(besides: out)
            print(
                "wrote \(out): the \(direction.rawValue) generator, \(generator.stateDict().count) tensors, \(generator.parameterCount.formatted()) parameters\(cardNote)"
            )
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// A translation run's generator (keys as Scripts/make_translation_fixtures.py's PyTorch modules).
    private func exportTranslation() throws {
        if runOptions.ema == true || runOptions.best { throw CLIError("translation runs keep no EMA or best checkpoint") }
        do {
            let saved = try SavedTranslationRun(directory: runOptions.run)
            let card = !writesCard ? nil : try ModelCard.translation(saved, file: out)
            try card?.check(besides: out)
            let configJSON = String(decoding: try saved.config.encoded(), as: UTF8.self)
            try saved.generator.save(to: out, metadata: ["format": "pt", "swiftgan.translation": configJSON, "swiftgan.step": String(saved.step)])
            try card?.write(besides: out)
            print("wrote \(out): \(saved.generator.stateDict().count) tensors, \(saved.generator.parameterCount.formatted()) parameters\(cardNote)")
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// `gan interpolate`: walks between random latents.
struct InterpolateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Render spherical interpolations between random latents as a PNG grid (one row per pair)."
    )

    @OptionGroup var runOptions: RunOptions

    @OptionGroup var threadOptions: ThreadOptions

    @Option(parsing: .unconditional, help: "Images per row (interpolation steps, endpoints included).")
    var steps: Int = 10

    @Option(parsing: .unconditional, help: "Number of rows (latent pairs).")
    var rows: Int = 8

    @Option(parsing: .unconditional, help: "Random seed.")
    var seed: UInt64 = 0

    @Option(help: "The output PNG.")
    var out: String

    func validate() throws {
        guard steps >= 2 else { throw ValidationError("--steps must be at least 2, got \(steps)") }
        guard rows >= 1 else { throw ValidationError("--rows must be at least 1, got \(rows)") }
        try checkOutputs(out)
    }

    func run() throws { try threadOptions.scope { try execute() } }

    private func execute() throws {
        let (saved, generator) = try runOptions.load()
        let model = saved.config.model
        guard model.kind != .mlp2d else { throw CLIError("interpolation grids are for image models; this run is 2-D") }
        let (count, overflow) = rows.multipliedReportingOverflow(by: steps)
        try checkSampleCount(overflow ? .max : count, shape: model.imageShape)
        var random = RandomGenerator(seed: seed)
        let ends = model.sampleLatents(rows * 2, random: &random).scalars
        let dimension = model.latentDimension
        var latents: [Float] = []
        for row in 0..<rows {
            let a = Array(ends[(2 * row * dimension)..<((2 * row + 1) * dimension)])
            let b = Array(ends[((2 * row + 1) * dimension)..<((2 * row + 2) * dimension)])
            for index in 0..<steps { latents += slerp(a, b, Float(index) / Float(steps - 1)) }
        }
        let labels = model.isConditional ? (0..<(rows * steps)).map { ($0 / steps) % model.classCount } : nil
        let samples = generator.generate(inBatches: Tensor(latents, shape: [rows * steps, dimension]), labels: labels)
        do { try ImageGrid.write(samples, to: out, nrow: steps) } catch { throw CLIError("\(error)") }
        print("wrote \(out): \(rows) interpolations of \(steps) steps")
    }
}
