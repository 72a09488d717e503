import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// The `gan` executable end to end.
@Suite("Command line", .serialized)
struct CommandLineTests {
    /// `gan --version`: the version and the matrix-product kernel this CPU gets.
    @Test func versionNamesTheKernel() throws {
        let (status, output) = try runGAN(["--version"])
        #expect(status == 0)
        #expect(output.hasPrefix("SwiftGAN \(SwiftGANVersion.current) ("), "\(output)")
        #expect(output.contains("AVX-512 GEMM kernel") == NativeGEMM.isAvailable, "\(output)")
        #expect(output.contains("OpenBLAS") == !NativeGEMM.isAvailable, "\(output)")
        #expect(output.contains(" by default)"))
    }

    /// The default thread count is the CPUs this process may use: `taskset -c 0` gives one, and a training run records it.
    @Test func theDefaultThreadsFollowTheAffinityMask() throws {
        let taskset = try #require(["/usr/bin/taskset", "/bin/taskset"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let version = try runExecutable(taskset, ["-c", "0", ganExecutable(), "--version"])
        #expect(version.status == 0 && version.output.contains("; 1 thread by default)"), "\(version.output)")
        let work = temporaryDirectory("affinity")
        let train = try runExecutable(
            taskset, ["-c", "0", ganExecutable(), "train", "--data", "ring8", "--steps", "1", "--batch-size", "16", "--width", "8", "--run-dir", "run"],
            in: work)
        #expect(train.status == 0, "\(train.output)")
        let record = try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: RunRecord.path("\(work)/run"))))
        #expect(record.sessions.map(\.threads) == [1])
        // SWIFTGAN_THREADS and --threads still choose.
        let chosen = try runExecutable(taskset, ["-c", "0", ganExecutable(), "--version"], environment: ["SWIFTGAN_THREADS": "3"])
        #expect(chosen.output.contains("; 3 threads by default)"), "\(chosen.output)")
    }

    @Test func trainSampleExportInterpolateInfo() throws {
        let work = temporaryDirectory()
        let data = tinyIDXDirectory()
        let train = try runGAN([
            "train", "--preset", "cgan", "--data", data, "--steps", "6", "--batch-size", "16",
            "--run-dir", "\(work)/run", "--ema", "0.9", "--sample-every", "3"
        ])
        #expect(train.status == 0, "\(train.output)")
        #expect(train.output.contains("done:"))
        for file in ["config.json", "checkpoint.safetensors", "metrics.jsonl", "samples/step-000006.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(work)/run/\(file)"), "\(file) missing")
        }
        let sample = try runGAN([
            "sample", "--run", "\(work)/run", "--count", "5", "--label", "2",
            "--out", "\(work)/x.npy", "--grid", "\(work)/x.png"
        ])
        #expect(sample.status == 0, "\(sample.output)")
        #expect(try NPY.read("\(work)/x.npy").tensor.shape == [5, 1, 8, 8])
        #expect(try PNG.read("\(work)/x.png").channels == 1)

        // Latents from a file give the same samples as the library.
        var random = RandomGenerator(seed: 4)
        let latents = Tensor.normal([3, 100], random: &random)
        try NPY.write(latents, to: "\(work)/z.npy")
        #expect(try runGAN(["sample", "--run", "\(work)/run", "--latents", "\(work)/z.npy", "--label", "1", "--out", "\(work)/y.npy"]).status == 0)
        let saved = try SavedRun(directory: "\(work)/run")
        let expected = withoutGradients { try! saved.generator().generate(latents, labels: [1, 1, 1]) }
        #expect(try NPY.read("\(work)/y.npy").tensor == expected)

        let export = try runGAN(["export", "--run", "\(work)/run", "--out", "\(work)/G.safetensors"])
        #expect(export.status == 0, "\(export.output)")
        let exported = try SafeTensors.read("\(work)/G.safetensors").tensors
        #expect(exported.keys == (try saved.generator()).stateDict().keys)
        #expect(exported.keys.first == "label_embedding.weight")

        #expect(try runGAN(["interpolate", "--run", "\(work)/run", "--steps", "4", "--rows", "2", "--out", "\(work)/i.png"]).status == 0)
        #expect(try PNG.read("\(work)/i.png").width == 4 * 10 + 2)
        let info = try runGAN(["info", "--run", "\(work)/run"])
        #expect(info.status == 0 && info.output.contains("step: 6 of 6") && info.output.contains("EMA: yes"))
        let summary = try runGAN(["info", "--model", "dcgan", "--data", "fashion-mnist"])
        #expect(summary.status == 0 && summary.output.contains("ConvTranspose2d") && summary.output.contains("[2, 1, 28, 28]"))

        // Resume to a new total.
        let resumed = try runGAN(["train", "--resume", "\(work)/run", "--steps", "8"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try SavedRun(directory: "\(work)/run").step == 8)
    }

    /// SIGINT saves a checkpoint and exits 130; the run then resumes.
    @Test func interruptSavesACheckpoint() throws {
        let work = temporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ganExecutable())
        process.arguments = [
            "train", "--data", "ring8", "--steps", "1000000", "--checkpoint-every", "1000000",
            "--run-dir", "\(work)/run"
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until training is under way (the first sample grid is written before step 1).
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: "\(work)/run/samples/step-000000.png") && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        Thread.sleep(forTimeInterval: 0.5)
        process.interrupt()
        let stopDeadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < stopDeadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("gan train did not stop within 30 s of SIGINT")
            return
        }
        #expect(process.terminationStatus == 130)
        let saved = try SavedRun(directory: "\(work)/run")
        #expect(saved.step > 0 && saved.step < 1_000_000)
        let resumed = try runGAN(["train", "--resume", "\(work)/run", "--steps", "\(saved.step + 3)"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try SavedRun(directory: "\(work)/run").step == saved.step + 3)
        // run.json tells both sessions apart: how each ended, at which step, after how long.
        let record = try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: URL(fileURLWithPath: RunRecord.path("\(work)/run"))))
        #expect(record.sessions.map(\.outcome) == [.interrupted, .completed])
        #expect(record.sessions.map(\.finalStep) == [saved.step, saved.step + 3])
        #expect(record.sessions.map(\.step) == [0, saved.step])
        #expect(record.sessions.allSatisfy { ($0.seconds ?? -1) >= 0 && $0.ended != nil && $0.version == SwiftGANVersion.current })
    }

    @Test func badInputsGiveOneLineErrors() throws {
        let work = temporaryDirectory()
        let data = tinyIDXDirectory()
        func expectFailure(_ arguments: [String], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let result = try runGAN(arguments, in: work)
            #expect(result.status != 0, "\(arguments) should fail", sourceLocation: sourceLocation)
            #expect(result.output.contains(fragment), "\(arguments): \(result.output)", sourceLocation: sourceLocation)
        }
        try expectFailure(["train", "--model", "resnet"], "unknown model 'resnet'")
        try expectFailure(["train", "--steps", "0"], "--steps must be at least 1, got 0")
        try expectFailure(["train", "--batch-size", "many"], "The value 'many' is invalid for '--batch-size")
        try expectFailure(["train", "--preset", "stylegan"], "unknown preset 'stylegan'")
        try expectFailure(["train", "--data", "/nonexistent/images"], "/nonexistent/images: no such directory")
        try expectFailure(["train", "--resume", "\(work)/missing"], "no such run directory")
        try expectFailure(["sample", "--run", "\(work)/missing", "--out", "x.npy"], "no such run directory")
        try expectFailure(["sample", "--run", "\(work)/missing"], "give --out FILE.npy, --grid FILE.png and/or --out-dir DIR")
        try expectFailure(["train", "--data", "ring8", "--model", "dcgan"], "dcgan is for images; use mlp2d for 2-D data")

        // An existing run is not overwritten without --overwrite.
        #expect(
            try runGAN([
                "train", "--data", data, "--model", "mlp", "--preset", "mlp", "--steps", "2", "--batch-size", "8",
                "--run-dir", "\(work)/run"
            ]).status == 0)
        let before = FileManager.default.contents(atPath: "\(work)/run/checkpoint.safetensors")
        try expectFailure(
            ["train", "--data", data, "--preset", "mlp", "--steps", "2", "--run-dir", "\(work)/run"],
            "already exists and is not empty; pass --overwrite")
        #expect(FileManager.default.contents(atPath: "\(work)/run/checkpoint.safetensors") == before)

        // A checkpoint from another architecture is refused by name.
        let config = try RunConfig.read("\(work)/run/config.json")
        var other = config
        other.model.kind = .cgan
        try AtomicFile.write(other.encoded(), to: "\(work)/run/config.json")
        try expectFailure(["sample", "--run", "\(work)/run", "--out", "x.npy"], "missing keys")
        try AtomicFile.write(config.encoded(), to: "\(work)/run/config.json")
        try expectFailure(["sample", "--run", "\(work)/run", "--out", "x.npy", "--label", "1"], "--label needs a conditional model")
    }
}

/// `gan train --task`, `gan translate` and `gan eval` on a translation run, end to end.
@Suite("Translation command line", .serialized)
struct TranslationCommandLineTests {
    /// A paired folder `DIR/train/A|B` and `DIR/test/A|B` of 16x16 gray images, B the negative of A.
    static func pairedFolder() throws -> String {
        let root = temporaryDirectory("pairs")
        for split in ["train", "test"] {
            for side in ["A", "B"] {
                try FileManager.default.createDirectory(atPath: "\(root)/\(split)/\(side)", withIntermediateDirectories: true)
            }
            for index in 0..<(split == "train" ? 12 : 4) {
                let a = (0..<256).map { UInt8(($0 * 7 + index * 31) % 256) }
                for (side, pixels) in [("A", a), ("B", a.map { 255 - $0 })] {
                    let png = try PNG.encode(RasterImage(width: 16, height: 16, channels: 1, pixels: pixels))
                    _ = FileManager.default.createFile(atPath: "\(root)/\(split)/\(side)/\(index).png", contents: Data(png))
                }
            }
        }
        return root
    }

    @Test func trainTranslateEvaluate() throws {
        let work = temporaryDirectory("translate-cli")
        let data = try Self.pairedFolder()
        let train = try runGAN([
            "train", "--task", "pix2pix", "--data", data, "--channels", "1", "--steps", "3", "--batch-size", "4", "--width", "4",
            "--run-dir", "\(work)/run", "--jitter"
        ])
        #expect(train.status == 0, "\(train.output)")
        for file in ["config.json", "checkpoint.safetensors", "metrics.jsonl", "samples/step-000003.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(work)/run/\(file)"), "\(file) missing")
        }
        let saved = try SavedTranslationRun(directory: "\(work)/run")
        #expect(saved.step == 3 && saved.config.model.inputShape == [1, 16, 16] && saved.config.data.jitter)

        // A file, a folder and an .npy batch give what the library gives.
        let file = try runGAN(["translate", "--run", "\(work)/run", "--input", "\(data)/test/A/1.png", "--out", "\(work)/one.png"])
        #expect(file.status == 0, "\(file.output)")
        let expected = saved.translate(try ImageFile.read("\(data)/test/A/1.png", channels: 1, size: 16))
        #expect(try PNG.read("\(work)/one.png") == ImageGrid.pngImage(expected.squeezing(axes: [0])))
        let folder = try runGAN(["translate", "--run", "\(work)/run", "--input", "\(data)/test/A", "--out", "\(work)/outs"])
        #expect(folder.status == 0, "\(folder.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(work)/outs").sorted() == ["0.png", "1.png", "2.png", "3.png"])
        #expect(try PNG.read("\(work)/outs/1.png") == (try PNG.read("\(work)/one.png")))
        let inputs = try ImageFile.read("\(data)/test/A/2.png", channels: 1, size: 16)
        try NPY.write(inputs, to: "\(work)/in.npy")
        let npy = try runGAN(["translate", "--run", "\(work)/run", "--input", "\(work)/in.npy", "--out", "\(work)/out.npy"])
        #expect(npy.status == 0, "\(npy.output)")
        assertClose(try NPY.read("\(work)/out.npy").tensor, saved.translate(inputs), rtol: 0, atol: 0)

        // Bad inputs: a clear error, nothing written.
        try NPY.write(Tensor.zeros([2, 3, 16, 16]), to: "\(work)/wrong.npy")
        let wrong = try runGAN(["translate", "--run", "\(work)/run", "--input", "\(work)/wrong.npy", "--out", "\(work)/never.npy"])
        #expect(wrong.status != 0 && wrong.output.contains("expected [N, 1, 16, 16]"), "\(wrong.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/never.npy"))
        let mismatch = try runGAN(["translate", "--run", "\(work)/run", "--input", "\(data)/test/A", "--out", "\(work)/x.png"])
        #expect(mismatch.status != 0 && mismatch.output.contains("a folder input needs a folder --out"))
        try NPY.write(Tensor.zeros([0, 1, 16, 16]), to: "\(work)/empty.npy")
        let empty = try runGAN(["translate", "--run", "\(work)/run", "--input", "\(work)/empty.npy", "--out", "\(work)/never.npy"])
        #expect(empty.status != 0 && empty.output.contains("N ≥ 1"), "\(empty.output)")
        try NPY.write(Tensor(Array(repeating: .nan, count: 2 * 256), shape: [2, 1, 16, 16]), to: "\(work)/nan.npy")
        let nan = try runGAN(["translate", "--run", "\(work)/run", "--input", "\(work)/nan.npy", "--out", "\(work)/never.npy"])
        #expect(nan.status != 0 && nan.output.contains("512 of the 512 values are NaN or infinite"), "\(nan.output)")
        let inPlace = try runGAN(["translate", "--run", "\(work)/run", "--input", "\(data)/test/A", "--out", "\(data)/test/A/"])
        #expect(inPlace.status != 0 && inPlace.output.contains("--out is the input"), "\(inPlace.output)")
        let twins = temporaryDirectory("twins")
        for name in ["a.png", "a.jpg"] {
            try FileManager.default.copyItem(atPath: "\(data)/test/A/1.png", toPath: "\(twins)/\(name)")
        }
        let clash = try runGAN(["translate", "--run", "\(work)/run", "--input", twins, "--out", "\(work)/clash"])
        #expect(clash.status != 0 && clash.output.contains("would both be written as a.png"), "\(clash.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/never.npy") && !FileManager.default.fileExists(atPath: "\(work)/clash"))

        let eval = try runGAN(["eval", "--run", "\(work)/run", "--json"])
        #expect(eval.status == 0, "\(eval.output)")
        let report = try JSONDecoder().decode(TranslationEvaluation.self, from: Data(eval.output.utf8))
        #expect(report.testCount == 4 && report.baselines.map(\.name) == ["input"] && report.model.fid == nil)

        let info = try runGAN(["info", "--run", "\(work)/run"])
        #expect(info.status == 0 && info.output.contains("step: 3 of 3") && info.output.contains("task: pix2pix"), "\(info.output)")

        let export = try runGAN(["export", "--run", "\(work)/run", "--out", "\(work)/G.safetensors"])
        #expect(export.status == 0, "\(export.output)")
        let exported = try SafeTensors.read("\(work)/G.safetensors")
        #expect(exported.tensors == saved.generator.stateDict())
        #expect(exported.metadata["swiftgan.translation"] != nil)

        let resumed = try runGAN(["train", "--resume", "\(work)/run", "--steps", "4"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try SavedTranslationRun(directory: "\(work)/run").step == 4)
    }

    /// `--cache` on a paired folder: the sides are decoded into the folder's
    /// cache once, and the run trains exactly as it does on the decoded folder.
    @Test func cachedPairsTrainAsTheFolderDoes() throws {
        let work = temporaryDirectory("translate-cache")
        let data = try Self.pairedFolder()
        let arguments = ["train", "--task", "pix2pix", "--data", data, "--channels", "1", "--steps", "2", "--batch-size", "4", "--width", "4", "--seed", "5"]
        let plain = try runGAN(arguments + ["--run-dir", "\(work)/plain"])
        let cached = try runGAN(arguments + ["--run-dir", "\(work)/cached", "--cache"])
        #expect(plain.status == 0 && cached.status == 0, "\(plain.output)\n\(cached.output)")
        #expect(FileManager.default.fileExists(atPath: "\(data).swiftgan-cache/train-c1-snative-a.npy"))
        #expect(FileManager.default.fileExists(atPath: "\(data).swiftgan-cache/test-c1-snative-b.npy"))
        let (left, right) = (try SavedTranslationRun(directory: "\(work)/plain"), try SavedTranslationRun(directory: "\(work)/cached"))
        #expect(right.config.data.cache && !left.config.data.cache)
        let inputs = try ImageFile.read("\(data)/test/A/1.png", channels: 1, size: 16)
        #expect(left.translate(inputs) == right.translate(inputs))
    }

    @Test func flagsThatDoNotFit() throws {
        let cases: [([String], String)] = [
            (["train", "--jitter"], "--jitter applies to image-to-image runs; pass --task"),
            (["train", "--task", "pix2pix", "--model", "dcgan"], "--model applies to GANs from noise"),
            (["train", "--task", "pix2pix", "--objective", "wgan"], "non-saturating or lsgan"),
            (["train", "--task", "paint"], "unknown task 'paint'"),
            (["train", "--task", "pix2pix", "--lr-decay"], "--lr-decay adds nothing"),
            (["train", "--task", "sr", "--generator", "vgg"], "unknown generator 'vgg'"),
            (["train", "--task", "pix2pix", "--jitter"], "--jitter applies to image folders"),
            (["train", "--task", "pix2pix", "--cache"], "--cache applies to image folders"),
            (["train", "--task", "colorize", "--data", "colorize", "--channels", "3"], "--channels applies to image folders"),
            (["train", "--resume", "runs/x", "--l1-weight", "5"], "it takes only --steps (and --threads), not --l1-weight"),
            (["train", "--resume", "runs/x", "--epochs", "2"], "it takes only --steps (and --threads), not --epochs"),
            (["train", "--resume", "runs/x", "--lr-g", "0.1"], "not --lr-g")
        ]
        for (arguments, message) in cases {
            let result = try runGAN(arguments)
            #expect(result.status != 0 && result.output.contains(message), "\(arguments): \(result.output)")
        }
        // A missing folder leaves an existing run untouched.
        let work = temporaryDirectory("translate-keep")
        try FileManager.default.createDirectory(atPath: "\(work)/run", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(work)/run/config.json", contents: Data("{}".utf8))
        _ = FileManager.default.createFile(atPath: "\(work)/run/checkpoint.safetensors", contents: Data([1, 2, 3]))
        _ = FileManager.default.createFile(atPath: "\(work)/run/.swiftgan-run", contents: Data())
        let typo = try runGAN(["train", "--task", "pix2pix", "--data", "\(work)/no-such-pairs", "--run-dir", "\(work)/run", "--overwrite"])
        #expect(typo.status != 0 && typo.output.contains("no-such-pairs"), "\(typo.output)")
        #expect(FileManager.default.contents(atPath: "\(work)/run/checkpoint.safetensors") == Data([1, 2, 3]))
    }
}
