import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// Values read from files and flags are validated where they enter, with
/// an error naming the file and the value, never a trap or an allocation
/// the machine cannot hold.
@Suite struct InputValidationTests {
    @Test func weightCountMatchesTheBuiltNetworks() throws {
        var configurations: [ModelConfig] = []
        for size in [28, 32, 64] {
            for normalization in [ModelConfig.DiscriminatorNormalization.batchNorm, .layerNorm, .none] {
                var config = ModelConfig(kind: .dcgan, imageShape: [size == 64 ? 3 : 1, size, size])
                config.discriminatorNormalization = normalization
                configurations.append(config)
            }
        }
        configurations.append(ModelConfig(kind: .mlp, imageShape: [1, 28, 28]))
        configurations.append(ModelConfig(kind: .mlpConv, imageShape: [1, 32, 32]))
        configurations.append(ModelConfig(kind: .cgan, imageShape: [1, 28, 28]))
        var projected = ModelConfig(kind: .cgan, imageShape: [1, 28, 28])
        projected.projection = true
        configurations.append(projected)
        for size in [28, 32, 64] {
            for kind in [ModelConfig.Kind.cdcgan, .acgan] {
                configurations.append(ModelConfig(kind: kind, imageShape: [size == 32 ? 3 : 1, size, size]))
            }
            var projectedDCGAN = ModelConfig(kind: .cdcgan, imageShape: [1, size, size])
            projectedDCGAN.projection = true
            configurations.append(projectedDCGAN)
        }
        var narrow = ModelConfig(kind: .mlp, imageShape: [1, 28, 28])
        narrow.discriminatorWidths = [512, 256]
        configurations.append(narrow)
        configurations.append(ModelConfig(kind: .kerasMLPConv, imageShape: [1, 28, 28]))
        configurations.append(ModelConfig(kind: .kerasMLPConv, imageShape: [3, 32, 32]))
        configurations.append(ModelConfig(kind: .tfDCGAN, imageShape: [1, 28, 28]))
        configurations.append(ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2], latentDimension: 2, width: 128))
        for config in configurations {
            var random = RandomGenerator(seed: 1)
            let (generator, discriminator) = config.build(random: &random)
            let built = Double(generator.parameterCount + discriminator.parameterCount)
            #expect(config.weightCount <= built && config.weightCount >= 0.95 * built, "\(config.kind) \(config.imageShape): \(config.weightCount) vs \(built)")
        }
        // Far too large for any machine: refused before anything is allocated.
        let huge = ModelConfig(kind: .dcgan, imageShape: [1, 28, 28], width: 1_000_000)
        #expect(huge.validationProblem() == nil)
        #expect(huge.memoryProblem()?.contains("but this machine has") == true)
        #expect(ModelConfig(kind: .dcgan, imageShape: [1, 28, 28]).memoryProblem() == nil)
    }

    /// The image-to-image networks' weight counts, known before they are built, match what is built.
    @Test func translationWeightCountsMatchTheBuiltNetworks() throws {
        var translations: [TranslationModelConfig] = []
        for (input, output) in [(16, 16), (28, 28), (64, 64), (7, 28), (14, 28)] {
            for conditional in [true, false] {
                var config = TranslationModelConfig(
                    inputShape: [1, input, input], outputShape: [3, output, output], width: 8, discriminatorWidth: 6,
                    conditionalDiscriminator: conditional)
                if input < output { config.generator = .srresnet }
                translations.append(config)
            }
        }
        for config in translations {
            #expect(config.validationProblem() == nil)
            var random = RandomGenerator(seed: 1)
            let (generator, discriminator) = config.build(random: &random)
            let built = Double(generator.parameterCount + discriminator.parameterCount)
            #expect(
                config.weightCount <= built && config.weightCount >= 0.95 * built,
                "\(config.inputShape) → \(config.outputShape): \(config.weightCount) vs \(built)")
        }
        for (shapeA, shapeB) in [([1, 28, 28], [1, 28, 28]), ([1, 64, 64], [3, 64, 64])] {
            var config = CycleGANModelConfig(shapeA: shapeA, shapeB: shapeB)
            config.width = 8
            config.discriminatorWidth = 8
            #expect(config.validationProblem() == nil)
            var random = RandomGenerator(seed: 2)
            let networks: [Module] = [
                ResNetGenerator(
                    inputChannels: shapeA[0], outputChannels: shapeB[0], width: 8, residualBlocks: config.blocks, normalization: .instance,
                    random: &random),
                ResNetGenerator(
                    inputChannels: shapeB[0], outputChannels: shapeA[0], width: 8, residualBlocks: config.blocks, normalization: .instance,
                    random: &random),
                PatchDiscriminator(config.discriminatorConfig(shapeA), random: &random),
                PatchDiscriminator(config.discriminatorConfig(shapeB), random: &random)
            ]
            let built = Double(networks.reduce(0) { $0 + $1.parameterCount })
            #expect(config.weightCount <= built && config.weightCount >= 0.95 * built, "\(shapeA) ↔ \(shapeB): \(config.weightCount) vs \(built)")
        }
        // The largest allowed widths at 4096 pixels: refused before anything is allocated.
        let huge = TranslationModelConfig(inputShape: [3, 4096, 4096], outputShape: [3, 4096, 4096], width: 256, discriminatorWidth: 256)
        #expect(huge.validationProblem() == nil && huge.memoryProblem(available: 8e9)?.contains("but this machine has 8.0 GB") == true)
        #expect(translations[0].memoryProblem() == nil)
    }

    /// A run directory whose config.json holds `change`d values.
    func craftedRun(_ change: (inout [String: Any]) -> Void) throws -> String {
        let directory = temporaryDirectory("crafted")
        var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2], latentDimension: 2, width: 16)
        model.classCount = 8
        let config = RunConfig(model: model, training: TrainingConfig(), data: DataSpec(name: "ring8"))
        var object = try #require(JSONSerialization.jsonObject(with: Data(try config.encoded())) as? [String: Any])
        change(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: "\(directory)/config.json"))
        return directory
    }

    func set(_ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
        { object in object[key] = value }
    }

    @Test func configurationFilesAreValidatedWhenRead() throws {
        let cases: [((inout [String: Any]) -> Void, String)] = [
            (set("width", -3), "width -3 must be in 1..."),
            (set("latent_dim", 0), "latent dimension 0 must be in 1..."),
            (set("width", 1_000_000), "but this machine has"),
            (set("image_shape", [1, 1, 3]), "mlp2d is for 2-D points"),
            (set("image_shape", [1, 1 << 40, 1 << 40]), "sides up to 4096"),
            (set("mixture_count", -5), "mixture count -5 must be in 1..."),
            (set("lr_g", -1), "learning rates must be positive numbers"),
            (set("r1", -1), "penalty weights")
        ]
        for (change, fragment) in cases {
            let directory = try craftedRun(change)
            let path = "\(directory)/config.json"
            #expect {
                _ = try RunConfig.read(path)
            } throws: { error in
                guard let error = error as? FileError else { return false }
                return error.file == path && error.problem.contains("invalid configuration: ") && error.problem.contains(fragment)
            }
            // The commands that rebuild the model from config.json say so instead of trapping.
            for arguments in [["info", "--run", directory], ["sample", "--run", directory, "--out", "\(directory)/x.npy"]] {
                let result = try runGAN(arguments)
                #expect(result.status == 1 && result.output.contains(path), "\(arguments): \(result.output)")
            }
        }
    }

    /// A translation or CycleGAN `config.json` whose data names nothing loadable is refused when read, naming the file.
    @Test func translationDataIsValidatedWhenRead() throws {
        let work = temporaryDirectory("bad-translation-data")
        var translation = TranslationConfig.preset(.pix2pix, data: PairedDataSpec(name: "folder", path: "\(work)/pairs"))
        (translation.model.inputShape, translation.model.outputShape) = ([1, 16, 16], [1, 16, 16])
        let cyclegan = CycleGANConfig.preset(data: UnpairedDataSpec(name: "folder", path: "\(work)/domains"))
        #expect(translation.valueProblem == nil && cyclegan.valueProblem == nil)
        let cases: [(String, [UInt8], (String) throws -> Void, String)] = [
            ("pix2pix", try translation.encoded(), { _ = try TranslationConfig.read($0) }, "a paired folder needs a path"),
            ("cyclegan", try cyclegan.encoded(), { _ = try CycleGANConfig.read($0) }, "an unpaired folder needs a path")
        ]
        for (kind, bytes, read, missingPath) in cases {
            let values = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            let changes: [((inout [String: Any]) -> Void, String)] = [
                ({ $0.removeValue(forKey: "data") }, missingPath),
                ({ $0["data_name"] = "edges3fashion" }, "data 'edges3fashion' is neither a built-in task"),
                ({ $0["channels"] = 2 }, "channels 2 must be 1 or 3")
            ]
            for (index, (change, fragment)) in changes.enumerated() {
                var changed = values
                change(&changed)
                let path = "\(work)/\(kind)-\(index).json"
                try JSONSerialization.data(withJSONObject: changed).write(to: URL(fileURLWithPath: path))
                #expect {
                    try read(path)
                } throws: { error in
                    guard let error = error as? FileError else { return false }
                    return error.file == path && error.problem.contains(fragment)
                }
            }
        }
    }

    @Test func optimizerStateIsValidatedBeforeItIsUsed() throws {
        var random = RandomGenerator(seed: 2)
        let layer = Linear(3, 2, random: &random)
        let optimizer = Adam(layer.parameters(), learningRate: 0.1)
        layer.zeroGrad()
        layer(Tensor.ones([4, 3])).sum().backward()
        optimizer.step()
        let saved = optimizer.stateDict()
        func corrupted(_ change: (inout StateDict) -> Void) -> StateDict {
            var copy = saved
            change(&copy)
            return copy
        }
        func without(_ prefix: String) -> StateDict {
            var copy = StateDict()
            for entry in saved.entries where !entry.key.hasPrefix(prefix) { copy.set(entry.key, entry.tensor, storedType: entry.storedType) }
            return copy
        }
        let fresh = Adam(layer.parameters(), learningRate: 0.1)
        try fresh.loadStateDict(saved)
        #expect(fresh.stepCount == 1)
        let cases: [(StateDict, String)] = [
            (corrupted { $0.set("step_count", Tensor(Float.nan)) }, "'step_count' must be one whole, non-negative number"),
            (corrupted { $0.set("step_count", Tensor(1e30)) }, "'step_count' must be one whole"),
            (corrupted { $0.set("state.0.step", Tensor([1, 2, 3], shape: [3])) }, "'state.0.step' must be one whole"),
            (corrupted { $0.set("learning_rate", Tensor(-Float.infinity)) }, "'learning_rate' must be one non-negative number"),
            (without("state.1."), "missing state.1.exp_avg, state.1.exp_avg_sq, state.1.step"),
            (without("state."), "no per-parameter state after 1 steps")
        ]
        for (state, fragment) in cases {
            let target = Adam(layer.parameters(), learningRate: 0.1)
            #expect { try target.loadStateDict(state) } throws: { "\($0)".contains(fragment) }
            #expect(target.stepCount == 0, "a refused state changes nothing")
        }
    }

    @Test func evaluationRefusesWhatItWouldMisscore() throws {
        let work = temporaryDirectory("eval-inputs")
        var random = RandomGenerator(seed: 5)
        let images = Tensor.uniform([64, 1, 28, 28], low: -1, high: 1, random: &random)
        try NPY.write(images, to: "\(work)/float.npy")
        try NPY.write((images + 1) * 127.5, to: "\(work)/uint8.npy", as: .uint8)
        try NPY.write((images + 1) * 127.5, to: "\(work)/float255.npy")
        try NPY.write(Tensor(Array(repeating: .nan, count: 64 * 784), shape: [64, 1, 28, 28]), to: "\(work)/nan.npy")
        func eval(_ file: String, _ extra: [String] = []) throws -> (status: Int32, output: String) {
            try runGAN(["eval", "--samples", "\(work)/\(file)", "--data", "fashion-mnist", "--against", "test"] + extra)
        }
        let uint8 = try eval("uint8.npy", ["--count", "40"])
        #expect(uint8.status == 0, "\(uint8.output)")
        let float255 = try eval("float255.npy")
        #expect(
            float255.status == 1 && float255.output.contains("images must be float in [-1, 1] (or uint8 0–255; --range 0,1 for float in [0, 1])"),
            "\(float255.output)")
        let nan = try eval("nan.npy")
        #expect(nan.status == 1 && nan.output.contains("50,176 of the 50,176 values are NaN or infinite"), "\(nan.output)")
        let tooMany = try eval("float.npy", ["--count", "100"])
        #expect(tooMany.status == 1 && tooMany.output.contains("--count 100 is more than the 64 samples in the file"), "\(tooMany.output)")
        // An array whose shape's byte count overflows is refused by name.
        var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (3037000500, 3037000500), }".utf8)
        while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + [0, 0, 0, 0]
        _ = FileManager.default.createFile(atPath: "\(work)/overflow.npy", contents: Data(bytes))
        let overflow = try eval("overflow.npy")
        #expect(overflow.status == 1 && overflow.output.contains("too large (its byte count overflows)"), "\(overflow.output)")
    }

    @Test func outputsNeverReplaceARunsOwnFilesOrSpecialFiles() throws {
        let work = temporaryDirectory("outputs")
        let run = "\(work)/run"
        #expect(try runGAN(["train", "--data", "ring8", "--width", "16", "--steps", "2", "--run-dir", run]).status == 0)
        let checkpoint = FileManager.default.contents(atPath: "\(run)/checkpoint.safetensors")
        for arguments in [
            ["export", "--run", run, "--out", "\(run)/checkpoint.safetensors"], ["sample", "--run", run, "--out", "\(run)/config.json"],
            ["sample", "--run", run, "--grid", "\(run)/samples/step-000002.png"]
        ] {
            let result = try runGAN(arguments)
            #expect(result.status == 1 && result.output.contains("write outputs elsewhere"), "\(arguments): \(result.output)")
        }
        #expect(FileManager.default.contents(atPath: "\(run)/checkpoint.safetensors") == checkpoint)
        #expect(mkfifo("\(work)/fifo", 0o644) == 0)
        let fifo = try runGAN(["sample", "--run", run, "--out", "\(work)/fifo"])
        #expect(fifo.status == 1 && fifo.output.contains("is a FIFO; refusing to replace it"), "\(fifo.output)")
        let missing = try runGAN(["export", "--run", run, "--out", "\(work)/no/such/dir/g.safetensors"])
        #expect(missing.status == 1 && missing.output.contains("no such directory"), "\(missing.output)")
        // A new file beside the run's is fine.
        #expect(try runGAN(["export", "--run", run, "--out", "\(run)/generator.safetensors"]).status == 0)
        // Sizes that cannot fit in memory, and latents that cannot be used, are refused before generating.
        let images = "\(work)/images"
        let trained = try runGAN([
            "train", "--data", tinyIDXDirectory(), "--model", "mlp", "--preset", "mlp", "--steps", "1", "--batch-size", "8", "--run-dir", images
        ])
        #expect(trained.status == 0, "\(trained.output)")
        let huge = try runGAN(["interpolate", "--run", images, "--rows", "1000000000", "--out", "\(work)/walk.png"])
        #expect(huge.status == 1 && huge.output.contains("more than a quarter of this machine's memory"), "\(huge.output)")
        try NPY.write(Tensor.zeros([0, 2]), to: "\(work)/none.npy")
        let none = try runGAN(["sample", "--run", run, "--latents", "\(work)/none.npy", "--grid", "\(work)/g.png"])
        #expect(none.status == 1 && none.output.contains("expected latents [N ≥ 1, 2], found [0, 2]"), "\(none.output)")
        let both = try runGAN(["sample", "--run", run, "--latents", "\(work)/none.npy", "--count", "5", "--out", "\(work)/x.npy"])
        #expect(both.status == 64 && both.output.contains("--count does not apply with --latents"), "\(both.output)")
        try NPY.write(Tensor([.nan, 1], shape: [1, 2]), to: "\(work)/nan.npy")
        let nan = try runGAN(["sample", "--run", run, "--latents", "\(work)/nan.npy", "--out", "\(work)/x.npy"])
        #expect(nan.status == 1 && nan.output.contains("NaN or infinite"), "\(nan.output)")
    }

    @Test func flagsOutOfRangeSayWhich() throws {
        for (arguments, fragment) in [
            (["train", "--steps", "-5"], "--steps must be at least 1, got -5"),
            (["train", "--data", "ring8", "--epochs", "inf"], "--epochs must be in (0, 1000000], got inf"),
            (["train", "--data", "ring8", "--lr-g", "inf", "--run-dir", temporaryDirectory() + "/r"], "--lr-g: expected a finite number, got inf"),
            (["train", "--data", "ring8", "--lr-d", "-1", "--run-dir", temporaryDirectory() + "/r"], "learning rates must be positive numbers"),
            (["train", "--data", "ring8", "--latent-dim", "1000000000", "--run-dir", temporaryDirectory() + "/r"], "latent dimension 1000000000"),
            (["train", "--data", "ring8", "--width", "1000000", "--run-dir", temporaryDirectory() + "/r"], "but this machine has"),
            (
                ["train", "--data", "ring8", "--critic-steps", "1000000000", "--run-dir", temporaryDirectory() + "/r"],
                "critic steps 1000000000 must be in 1...10000"
            )
        ] {
            let result = try runGAN(arguments)
            #expect((1...64).contains(result.status) && result.output.contains(fragment), "\(arguments): \(result.output)")
        }
    }

    /// What a command printed before it failed comes before its error, also
    /// when standard output is a pipe (fully buffered) shared with standard error.
    @Test func printedLinesPrecedeTheError() throws {
        let run = temporaryDirectory("diverge") + "/run"
        let result = try runGAN(["train", "--data", "ring8", "--lr-g", "1e8", "--lr-d", "1e8", "--steps", "50", "--run-dir", run, "-q"])
        let header = try #require(result.output.range(of: "run: \(run)"), "\(result.output)")
        let error = try #require(result.output.range(of: "Error: training diverged"), "\(result.output)")
        #expect(result.status != 0 && header.lowerBound < error.lowerBound, "\(result.output)")
    }

    /// `--max-pixels` sets the decoders' limit for every command that reads images, and nothing is written when it refuses one.
    @Test func maxPixelsLimitsEveryImageReader() throws {
        let work = temporaryDirectory("max-pixels")
        let folder = "\(work)/images/shirts"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let png = try PNG.encode(RasterImage(width: 8, height: 8, channels: 1, pixels: (0..<64).map { UInt8($0 * 4) }))
        for index in 0..<16 { _ = FileManager.default.createFile(atPath: "\(folder)/\(index).png", contents: Data(png)) }
        let train = ["train", "--data", "\(work)/images", "--channels", "1", "--image-size", "28", "--steps", "1", "--batch-size", "8", "--width", "8"]
        let refused = try runGAN(train + ["--run-dir", "\(work)/refused", "--max-pixels", "40"])
        #expect(refused.status != 0 && refused.output.contains("0.png: the header claims 8x8 pixels, more than the limit of 40"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/refused"))
        #expect(try runGAN(train + ["--run-dir", "\(work)/run", "--max-pixels", "64"]).status == 0)
        let pairs = try TranslationCommandLineTests.pairedFolder()
        let translation = try runGAN([
            "train", "--task", "pix2pix", "--data", pairs, "--channels", "1", "--steps", "1", "--batch-size", "4", "--width", "4",
            "--run-dir", "\(work)/pix2pix"
        ])
        #expect(translation.status == 0, "\(translation.output)")
        for arguments in [
            ["eval", "--samples", "\(work)/images/shirts", "--data", "fashion-mnist", "--max-pixels", "40"],
            ["classifier", "train", "--data", "\(work)/images", "--epochs", "1", "--out", "\(work)/c.safetensors", "--max-pixels", "40"],
            ["translate", "--run", "\(work)/pix2pix", "--input", "\(pairs)/test/A/1.png", "--out", "\(work)/out.png", "--max-pixels", "40"]
        ] {
            let result = try runGAN(arguments)
            #expect((1...64).contains(result.status) && result.output.contains("more than the limit of 40"), "\(arguments): \(result.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(work)/c.safetensors") && !FileManager.default.fileExists(atPath: "\(work)/out.png"))
        let zero = try runGAN(["train", "--max-pixels", "0"])
        #expect(zero.status != 0 && zero.output.contains("--max-pixels must be at least 1, got 0"), "\(zero.output)")
    }
}
