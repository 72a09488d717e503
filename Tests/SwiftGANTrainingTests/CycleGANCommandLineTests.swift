import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// `gan train --task cyclegan`, `gan translate --direction`, `gan eval`,
/// `gan info` and `gan export` on a CycleGAN run, end to end.
@Suite("CycleGAN command line", .serialized)
struct CycleGANCommandLineTests {
    /// CycleGAN's layout of 16x16 images: `trainA` (8, gray), `trainB` (6, gray or RGB), `testA`, `testB` (3 each).
    static func unpairedFolder(colourB: Bool = false, skip: String? = nil) throws -> String {
        let root = temporaryDirectory("unpaired")
        for (domain, count) in [("trainA", 8), ("trainB", 6), ("testA", 3), ("testB", 3)] where domain != skip {
            try FileManager.default.createDirectory(atPath: "\(root)/\(domain)", withIntermediateDirectories: true)
            let channels = colourB && domain.hasSuffix("B") ? 3 : 1
            for index in 0..<count {
                let pixels = (0..<(256 * channels)).map { UInt8(($0 * (domain.hasSuffix("A") ? 7 : 13) + index * 31) % 256) }
                let png = try PNG.encode(RasterImage(width: 16, height: 16, channels: channels, pixels: pixels))
                _ = FileManager.default.createFile(atPath: "\(root)/\(domain)/\(index).png", contents: Data(png))
            }
        }
        return root
    }

    static let small = ["--steps", "3", "--batch-size", "2", "--width", "4", "--residual-blocks", "1", "--pool-size", "2"]

    @Test func trainTranslateEvaluateExport() throws {
        let work = temporaryDirectory("cyclegan-cli")
        let data = try Self.unpairedFolder()
        let train = try runGAN(["train", "--task", "cyclegan", "--data", data, "--run-dir", "\(work)/run", "--jitter"] + Self.small)
        #expect(train.status == 0, "\(train.output)")
        for file in ["config.json", "checkpoint.safetensors", "metrics.jsonl", "samples/step-000003.png"] {
            #expect(FileManager.default.fileExists(atPath: "\(work)/run/\(file)"), "\(file) missing")
        }
        // Six rows (A, G(A), F(G(A)), B, F(B), G(F(B))) of three test images.
        let grid = try PNG.read("\(work)/run/samples/step-000003.png")
        #expect(grid.height == 6 * 18 + 2 && grid.width == 3 * 18 + 2)
        let saved = try SavedCycleGANRun(directory: "\(work)/run")
        #expect(saved.step == 3 && saved.config.model.shapeA == [1, 16, 16] && saved.config.model.blocks == 1)
        let metrics = try String(contentsOfFile: "\(work)/run/metrics.jsonl", encoding: .utf8)
        #expect(metrics.contains("loss/cycle_a") && metrics.contains("score/fake_b"))

        // Both directions, on an .npy batch and on a folder, give what the library gives.
        for direction in CycleGANTrainer.Direction.allCases {
            let domain = direction == .a2b ? "testA" : "testB"
            let inputs = try ImageFile.read("\(data)/\(domain)/1.png", channels: 1, size: 16)
            try NPY.write(inputs, to: "\(work)/in.npy")
            let npy = try runGAN([
                "translate", "--run", "\(work)/run", "--direction", direction.rawValue, "--input", "\(work)/in.npy", "--out",
                "\(work)/\(direction.rawValue).npy"
            ])
            #expect(npy.status == 0, "\(npy.output)")
            assertClose(try NPY.read("\(work)/\(direction.rawValue).npy").tensor, saved.translate(inputs, direction: direction), rtol: 0, atol: 0)
            let folder = try runGAN([
                "translate", "--run", "\(work)/run", "--direction", direction.rawValue, "--input", "\(data)/\(domain)", "--out",
                "\(work)/\(direction.rawValue)"
            ])
            #expect(folder.status == 0, "\(folder.output)")
            #expect(
                try PNG.read("\(work)/\(direction.rawValue)/1.png")
                    == ImageGrid.pngImage(saved.translate(inputs, direction: direction).squeezing(axes: [0])))
        }
        let undirected = try runGAN(["translate", "--run", "\(work)/run", "--input", "\(work)/in.npy", "--out", "\(work)/never.npy"])
        #expect(undirected.status != 0 && undirected.output.contains("pass --direction a2b or b2a"), "\(undirected.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/never.npy"))

        let eval = try runGAN(["eval", "--run", "\(work)/run", "--json"])
        #expect(eval.status == 0, "\(eval.output)")
        let report = try JSONDecoder().decode(CycleGANEvaluation.self, from: Data(eval.output.utf8))
        #expect(report.directions.map(\.name) == ["a2b", "b2a"] && report.directions.allSatisfy { $0.count == 3 })
        #expect(report.directions[0].model.cycleL1 != nil && report.directions[0].model.fid == nil)
        #expect(report.directions[0].baselines.map(\.name) == ["identity"])

        let ema = try runGAN(["eval", "--run", "\(work)/run", "--best"])
        #expect(ema.status != 0 && ema.output.contains("--best does not apply to CycleGAN runs"), "\(ema.output)")

        let info = try runGAN(["info", "--run", "\(work)/run"])
        #expect(info.status == 0 && info.output.contains("task: cyclegan") && info.output.contains("step: 3 of 3"), "\(info.output)")

        let export = try runGAN(["export", "--run", "\(work)/run", "--direction", "b2a", "--out", "\(work)/F.safetensors"])
        #expect(export.status == 0, "\(export.output)")
        let exported = try SafeTensors.read("\(work)/F.safetensors")
        #expect(exported.tensors == saved.generatorBA.stateDict() && exported.metadata["swiftgan.direction"] == "b2a")
        let noDirection = try runGAN(["export", "--run", "\(work)/run", "--out", "\(work)/never.safetensors"])
        #expect(noDirection.status != 0 && noDirection.output.contains("pass --direction"), "\(noDirection.output)")

        let sample = try runGAN(["sample", "--run", "\(work)/run", "--count", "2", "--out", "\(work)/never.npy"])
        #expect(sample.status != 0 && sample.output.contains("is a CycleGAN run, which translates images"), "\(sample.output)")

        let resumed = try runGAN(["train", "--resume", "\(work)/run", "--steps", "5"])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try SavedCycleGANRun(directory: "\(work)/run").step == 5)
    }

    /// A run stopped after 3 of 6 steps and resumed from its directory ends
    /// with the checkpoint of an uninterrupted run, bit for bit (weights,
    /// optimizers, both pools, learning-rate schedule, loader, streams).
    /// `--cache` on unpaired domains: each domain's folder gets its cache, and the run trains as without it.
    @Test func cachedDomainsTrainAsTheFoldersDo() throws {
        let work = temporaryDirectory("cyclegan-cache")
        let data = try Self.unpairedFolder()
        let arguments = ["train", "--task", "cyclegan", "--data", data, "--seed", "2"] + Self.small
        let plain = try runGAN(arguments + ["--run-dir", "\(work)/plain"])
        let cached = try runGAN(arguments + ["--run-dir", "\(work)/cached", "--cache"])
        #expect(plain.status == 0 && cached.status == 0, "\(plain.output)\n\(cached.output)")
        for domain in ["trainA", "trainB", "testA", "testB"] {
            #expect(FileManager.default.fileExists(atPath: "\(data)/\(domain).swiftgan-cache/c1-snative.npy"), "\(domain)")
        }
        let (left, right) = (try SavedCycleGANRun(directory: "\(work)/plain"), try SavedCycleGANRun(directory: "\(work)/cached"))
        #expect(right.config.data.cache)
        let inputs = try ImageFile.read("\(data)/testA/1.png", channels: 1, size: 16)
        #expect(left.translate(inputs, direction: .a2b) == right.translate(inputs, direction: .a2b))
    }

    @Test func interruptedRunResumesBitIdentical() throws {
        let data = try Self.unpairedFolder()
        var config = CycleGANConfig.preset(data: UnpairedDataSpec(name: "folder", path: data, jitter: true), seed: 2)
        config.model.width = 4
        config.model.discriminatorWidth = 4
        config.model.residualBlocks = 1
        config.training.steps = 6
        config.training.batchSize = 2
        config.training.poolSize = 2
        let work = temporaryDirectory("cyclegan-interrupt")
        #expect(try CycleGANRun.start(directory: "\(work)/straight", config: config).run() == .completed)
        do {  // the stopped run object holds the directory's lock until it goes
            var calls = 0
            let stopped = try CycleGANRun.start(directory: "\(work)/stopped", config: config)
            #expect(
                try stopped.run(shouldStop: {
                    calls += 1
                    return calls > 3
                }) == .interrupted(step: 3))
        }
        let resumed = try CycleGANRun.resume(directory: "\(work)/stopped")
        #expect(resumed.trainer.step == 3 && resumed.trainer.poolA.images.count == 2)
        #expect(try resumed.run() == .completed)
        let straight = try SafeTensors.read(TrainingRun.checkpointPath("\(work)/straight"))
        let interrupted = try SafeTensors.read(TrainingRun.checkpointPath("\(work)/stopped"))
        #expect(straight.tensors == interrupted.tensors)
        #expect(straight.metadata == interrupted.metadata)
    }

    /// Bad data is a clear error naming the problem, and no run directory is written.
    @Test func badDomainsWriteNothing() throws {
        let work = temporaryDirectory("cyclegan-bad")
        let mixed = try Self.unpairedFolder(colourB: true)
        let empty = try Self.unpairedFolder()
        for file in try FileManager.default.contentsOfDirectory(atPath: "\(empty)/trainB") {
            try FileManager.default.removeItem(atPath: "\(empty)/trainB/\(file)")
        }
        let cases: [(String, String)] = [
            (mixed, "holds colour images but \(mixed)/trainA holds grayscale ones; pass a channel count"),
            (empty, "\(empty)/trainB: no PNG or JPEG images found"),
            (try Self.unpairedFolder(skip: "testA"), "needs testA/ and testB/"),
            ("\(work)/no-such-folder", "needs trainA/ and trainB/")
        ]
        for (index, (data, message)) in cases.enumerated() {
            let result = try runGAN(["train", "--task", "cyclegan", "--data", data, "--run-dir", "\(work)/run\(index)"] + Self.small)
            #expect(result.status != 0 && result.output.contains(message), "\(data): \(result.output)")
            #expect(!FileManager.default.fileExists(atPath: "\(work)/run\(index)"))
        }
        // With a channel count the mixed domains are converted.
        let converted = try runGAN(["train", "--task", "cyclegan", "--data", mixed, "--channels", "3", "--run-dir", "\(work)/ok"] + Self.small)
        #expect(converted.status == 0, "\(converted.output)")
        #expect(try SavedCycleGANRun(directory: "\(work)/ok").config.model.shapeB == [3, 16, 16])
    }

    @Test func flagsThatDoNotFit() throws {
        let cases: [([String], String)] = [
            (["train", "--task", "cyclegan", "--l1-weight", "5"], "--l1-weight applies to paired translation, not to --task cyclegan"),
            (["train", "--task", "cyclegan", "--generator", "unet"], "--generator applies to paired translation"),
            (["train", "--cycle-weight", "5"], "--cycle-weight applies to --task cyclegan"),
            (["train", "--task", "pix2pix", "--pool-size", "5"], "--pool-size applies to --task cyclegan"),
            (["train", "--task", "cyclegan", "--identity-weight=-1"], "--identity-weight must be non-negative"),
            (["train", "--task", "cyclegan", "--objective", "hinge"], "non-saturating or lsgan"),
            (["train", "--task", "cyclegan", "--data", "gray2color", "--image-size", "32"], "--image-size applies to image folders"),
            (["train", "--resume", "runs/x", "--cycle-weight", "3"], "it takes only --steps (and --threads), not --cycle-weight"),
            (["translate", "--run", "runs/x", "--direction", "up", "--input", "a", "--out", "b"], "unknown direction 'up'"),
            (["train", "--task", "cyclegan", "--lr-decay"], "--lr-decay adds nothing")
        ]
        for (arguments, message) in cases {
            let result = try runGAN(arguments)
            #expect(result.status != 0 && result.output.contains(message), "\(arguments): \(result.output)")
        }
    }
}
