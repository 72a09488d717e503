import Foundation
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// `gan eval`, `gan classifier` and `gan train --eval-every` end to end.
@Suite("Evaluation commands", .serialized)
struct EvaluationCommandTests {
    func json(_ output: String) throws -> [String: Any] {
        let line = output.split(separator: "\n").last { $0.hasPrefix("{") } ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "no JSON in: \(output)")
    }

    @Test func realDataFloorAsJSONAndTable() throws {
        let result = try runGAN(["eval", "--real", "--count", "300", "--json"])
        #expect(result.status == 0, "\(result.output)")
        let images = try #require(try json(result.output)["images"] as? [String: Any])
        #expect((images["sampleCount"] as? Int) == 300)
        #expect((images["referenceCount"] as? Int) == 10_000)
        let fid = try #require(images["fid"] as? Double)
        #expect(fid >= 0 && fid.isFinite)
        let histogram = try #require(images["classHistogram"] as? [String: Any])
        #expect((histogram["counts"] as? [Int])?.reduce(0, +) == 300)

        let table = try runGAN(["eval", "--real", "--count", "200"])
        #expect(table.status == 0, "\(table.output)")
        for row in [
            "FID", "KID", "classifier score", "precision (k=3)", "recall (k=3)", "density (k=5)", "coverage (k=5)",
            "classes ≥ 1%", "Ankle boot", "fashion-mnist-classifier.safetensors"
        ] {
            #expect(table.output.contains(row), "missing \(row) in \(table.output)")
        }
    }

    /// A 2-D run evaluated during training keeps best.safetensors; `gan eval`
    /// prints the PacGAN metrics for it, for the latest and the best checkpoint.
    @Test func mixtureRunWithEvalEvery() throws {
        let work = temporaryDirectory()
        let train = try runGAN([
            "train", "--data", "ring8", "--steps", "40", "--eval-every", "20", "--eval-count", "500",
            "--run-dir", "\(work)/run"
        ])
        #expect(train.status == 0, "\(train.output)")
        #expect(train.output.contains("eval at step 20: modes"))
        #expect(FileManager.default.fileExists(atPath: "\(work)/run/best.safetensors"))
        let log = String(decoding: FileManager.default.contents(atPath: "\(work)/run/metrics.jsonl") ?? Data(), as: UTF8.self)
        #expect(log.components(separatedBy: "eval/reverse_kl").count - 1 == 2, "two evaluations logged")

        for extra in [[], ["--best"]] {
            let result = try runGAN(["eval", "--run", "\(work)/run", "--json"] + extra)
            #expect(result.status == 0, "\(result.output)")
            let mixture = try #require(try json(result.output)["mixture"] as? [String: Any])
            #expect((mixture["sampleCount"] as? Int) == 2_500)
            #expect((mixture["modeCount"] as? Int) == 8)
        }
        let table = try runGAN(["eval", "--run", "\(work)/run"])
        #expect(table.output.contains("modes captured") && table.output.contains("PacGAN4 (PacGAN Table 1)"))
        #expect(try runGAN(["sample", "--run", "\(work)/run", "--best", "--count", "5", "--out", "\(work)/s.npy"]).status == 0)

        // Samples from a file, as [N, 2].
        #expect(try runGAN(["sample", "--run", "\(work)/run", "--count", "100", "--out", "\(work)/p.npy"]).status == 0)
        let fromFile = try runGAN(["eval", "--samples", "\(work)/p.npy", "--data", "ring8", "--json"])
        #expect(fromFile.status == 0, "\(fromFile.output)")
        #expect(((try json(fromFile.output)["mixture"] as? [String: Any])?["sampleCount"] as? Int) == 100)
    }

    /// FID during training on Fashion-MNIST, then `gan eval --run`.
    @Test func imageRunWithEvalEvery() throws {
        let work = temporaryDirectory()
        let train = try runGAN([
            "train", "--preset", "mlp", "--data", "fashion-mnist", "--limit", "256", "--steps", "4",
            "--batch-size", "16", "--eval-every", "2", "--eval-count", "64", "--eval-metrics", "kid,precision-recall", "--run-dir", "\(work)/run"
        ])
        #expect(train.status == 0, "\(train.output)")
        #expect(train.output.contains("eval at step 2: fid"))
        let log = String(decoding: FileManager.default.contents(atPath: "\(work)/run/metrics.jsonl") ?? Data(), as: UTF8.self)
        #expect(log.components(separatedBy: "eval/fid").count - 1 == 2)
        // The class histogram always; KID and the k-NN metrics as asked.
        for key in ["eval/classes_covered", "eval/class/0", "eval/class/9", "eval/kid", "eval/precision", "eval/recall", "eval/density", "eval/coverage"] {
            #expect(log.components(separatedBy: "\"\(key)\"").count - 1 == 2, "\(key)")
        }
        let unknown = try runGAN(["train", "--data", "ring8", "--steps", "2", "--eval-every", "1", "--eval-metrics", "kid,fid2", "--run-dir", "\(work)/bad"])
        #expect(unknown.status != 0 && unknown.output.contains("fid2"))
        let mixture = try runGAN(["train", "--data", "ring8", "--steps", "2", "--eval-every", "1", "--eval-metrics", "kid", "--run-dir", "\(work)/mixture"])
        #expect(mixture.status != 0 && mixture.output.contains("--eval-metrics applies to image runs"), "\(mixture.output)")
        let best = try SafeTensors.read("\(work)/run/best.safetensors")
        #expect(best.metadata["swiftgan.best_metric"] == "eval/fid")
        #expect(best.metadata["swiftgan.best_score"].flatMap(Double.init) != nil)

        let result = try runGAN(["eval", "--run", "\(work)/run", "--count", "100", "--json"])
        #expect(result.status == 0, "\(result.output)")
        let images = try #require(try json(result.output)["images"] as? [String: Any])
        #expect((images["sampleCount"] as? Int) == 100)
        let cas = try runGAN(["eval", "--run", "\(work)/run", "--count", "100", "--cas"])
        #expect(cas.status != 0 && cas.output.contains("--cas needs a conditional model"), "\(cas.output)")
    }

    /// A conditional convolutional run from the command line: `--model
    /// cdcgan` trains on Fashion-MNIST, its grids have one row per class,
    /// `gan sample --latents --label` swaps the class and keeps the latents,
    /// and `gan eval` adds the label accuracy and the intra-class FID (a
    /// short acgan run logs its class loss); bad labels are refused.
    @Test func conditionalConvolutionalRuns() throws {
        let work = temporaryDirectory()
        let common = ["--data", "fashion-mnist", "--limit", "256", "--steps", "2", "--batch-size", "16", "--width", "4", "--latent-dim", "8"]
        let train = try runGAN(["train", "--model", "cdcgan", "--run-dir", "\(work)/run"] + common)
        #expect(train.status == 0, "\(train.output)")
        let grid = try PNG.read("\(work)/run/samples/step-000002.png")
        #expect(grid.height == 10 * 30 + 2 && grid.width == 8 * 30 + 2)
        let sample = try runGAN(["sample", "--run", "\(work)/run", "--grid", "\(work)/classes.png", "--out", "\(work)/x.npy"])
        #expect(sample.status == 0, "\(sample.output)")
        #expect(try NPY.read("\(work)/x.npy").tensor.shape == [80, 1, 28, 28])
        #expect(try PNG.read("\(work)/classes.png").height == 10 * 30 + 2)
        var random = RandomGenerator(seed: 2)
        try NPY.write(Tensor.normal([4, 8], random: &random), to: "\(work)/z.npy")
        for label in ["3", "7"] {
            let swapped = try runGAN(["sample", "--run", "\(work)/run", "--latents", "\(work)/z.npy", "--label", label, "--out", "\(work)/\(label).npy"])
            #expect(swapped.status == 0, "\(swapped.output)")
        }
        let saved = try SavedRun(directory: "\(work)/run")
        let latents = try NPY.read("\(work)/z.npy").tensor
        #expect(try NPY.read("\(work)/7.npy").tensor == withoutGradients { try! saved.generator().generate(latents, labels: [7, 7, 7, 7]) })
        #expect(try NPY.read("\(work)/7.npy").tensor != (try NPY.read("\(work)/3.npy").tensor))

        let result = try runGAN(["eval", "--run", "\(work)/run", "--count", "200"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("label accuracy") && result.output.contains("intra-class FID"), "\(result.output)")
        let json = try runGAN(["eval", "--run", "\(work)/run", "--count", "200", "--json"])
        let conditional = try #require(((try self.json(json.output))["images"] as? [String: Any])?["conditional"] as? [String: Any])
        #expect((conditional["perClassFID"] as? [Any])?.count == 10 && conditional["labelAccuracy"] is Double)
        let real = try runGAN(["eval", "--real", "--count", "500", "--json"])
        let floor = try #require(((try self.json(real.output))["images"] as? [String: Any])?["conditional"] as? [String: Any])
        #expect((floor["labelAccuracy"] as? Double).map { $0 > 0.85 } == true, "\(real.output)")

        let acgan = try runGAN(["train", "--model", "acgan", "--run-dir", "\(work)/acgan", "--log-every", "1"] + common)
        #expect(acgan.status == 0, "\(acgan.output)")
        let log = String(decoding: FileManager.default.contents(atPath: "\(work)/acgan/metrics.jsonl") ?? Data(), as: UTF8.self)
        #expect(log.contains("\"loss/class\"") && log.contains("\"accuracy/class_real\""), "\(log)")

        for (arguments, message) in [
            (["sample", "--run", "\(work)/run", "--label", "10", "--out", "\(work)/bad.npy"], "--label 10 is outside the model's classes 0..<10"),
            (["train", "--model", "acgan", "--projection", "--run-dir", "\(work)/bad"] + common, "acgan classifies with its auxiliary head instead"),
            (["train", "--model", "acgan", "--class-weight", "-2", "--run-dir", "\(work)/bad"] + common, "class loss weight -2.0")
        ] {
            let refused = try runGAN(arguments)
            #expect(refused.status != 0 && refused.output.contains(message), "\(arguments): \(refused.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(work)/bad.npy") && !FileManager.default.fileExists(atPath: "\(work)/bad"))
    }

    @Test func classifierTrainAndTest() throws {
        let work = temporaryDirectory()
        let out = "\(work)/c.safetensors"
        let train = try runGAN([
            "classifier", "train", "--limit", "512", "--epochs", "1", "--width", "2",
            "--feature-dimension", "8", "--out", out
        ])
        #expect(train.status == 0, "\(train.output)")
        #expect(train.output.contains("test accuracy"))
        let (classifier, provenance) = try FeatureClassifier.load(out)
        #expect(classifier.architecture.width == 2 && provenance.command.contains("--limit 512"))
        let test = try runGAN(["classifier", "test", "--features", out])
        #expect(test.status == 0 && test.output.contains("recorded when saved"), "\(test.output)")
        // Not overwritten without --overwrite.
        let again = try runGAN(["classifier", "train", "--limit", "64", "--epochs", "1", "--out", out])
        #expect(again.status != 0 && again.output.contains("already exists"))
        #expect(try SafeTensors.read(out).tensors == classifier.stateDict())
        // Evaluation with this classifier's features.
        let eval = try runGAN(["eval", "--real", "--count", "100", "--features", out, "--json"])
        #expect(eval.status == 0, "\(eval.output)")
    }

    /// A classifier for an image folder (one class per subdirectory, a
    /// held-out test fraction), then metrics for samples of that folder's size.
    @Test func imageFolderClassifierAndEvaluation() throws {
        let work = temporaryDirectory()
        var random = RandomGenerator(seed: 12)
        for (label, name) in ["dark", "light"].enumerated() {
            try FileManager.default.createDirectory(atPath: "\(work)/folder/\(name)", withIntermediateDirectories: true)
            for index in 0..<24 {
                let noise = Tensor.uniform([1, 8, 8], low: -0.3, high: 0.3, random: &random)
                let image = (noise + (label == 0 ? -0.5 : 0.5)).clamp(min: -1, max: 1)
                try AtomicFile.write(try PNG.encode(ImageGrid.pngImage(image)), to: "\(work)/folder/\(name)/\(index).png")
            }
        }
        let out = "\(work)/c.safetensors"
        let train = try runGAN([
            "classifier", "train", "--data", "\(work)/folder", "--channels", "1", "--epochs", "3",
            "--batch-size", "8", "--width", "2", "--feature-dimension", "4", "--out", out
        ])
        #expect(train.status == 0, "\(train.output)")
        #expect(train.output.contains("on 43 "), "90% of 48 images train: \(train.output)")
        #expect(try FeatureClassifier.load(out).classifier.architecture.imageShape == [1, 8, 8])
        try NPY.write(Tensor.uniform([20, 1, 8, 8], low: -1, high: 1, random: &random), to: "\(work)/x.npy")
        let eval = try runGAN([
            "eval", "--samples", "\(work)/x.npy", "--data", "\(work)/folder", "--channels", "1",
            "--features", out, "--json"
        ])
        #expect(eval.status == 0, "\(eval.output)")
        let images = try #require(try json(eval.output)["images"] as? [String: Any])
        #expect((images["referenceCount"] as? Int) == 48)
        #expect((images["classNames"] as? [String]) == ["dark", "light"])
    }

    @Test func badInputsAreOneLineErrors() throws {
        let work = temporaryDirectory()
        try NPY.write(Tensor.zeros([20, 2]), to: "\(work)/points.npy")
        // An IDX dataset with both splits that is not Fashion-MNIST.
        let other = tinyIDXDirectory()
        for kind in ["images-idx3-ubyte", "labels-idx1-ubyte"] {
            try FileManager.default.copyItem(atPath: "\(other)/train-\(kind)", toPath: "\(other)/t10k-\(kind)")
        }
        let cases: [([String], String)] = [
            (["eval", "--samples", "\(work)/points.npy", "--data", other], "the shipped feature classifier was trained on Fashion-MNIST"),
            (["eval"], "give exactly one of --run DIR, --samples FILE.npy or --real"),
            (["eval", "--real", "--run", "x"], "give exactly one of"),
            (["eval", "--real", "--count", "3"], "--count must be at least 11"),
            (["eval", "--real", "--against", "validation"], "--against must be test or train"),
            (["eval", "--run", "\(work)/none"], "no such run directory"),
            (["eval", "--samples", "\(work)/points.npy"], "do not match the feature classifier's images"),
            (["eval", "--samples", "\(work)/missing.npy"], "missing.npy"),
            (["eval", "--real", "--features", "\(work)/points.npy"], "points.npy"),
            (["eval", "--real", "--best"], "--ema and --best apply to --run"),
            (["eval", "--real", "--against", "train"], "would compare them with themselves"),
            (["eval", "--samples", "\(work)/points.npy", "--data", tinyIDXDirectory()], "t10k-images-idx3-ubyte"),
            (["bench", "--suite", "engine", "--json"], "--json prints the training suite"),
            (["train", "--data", "ring8", "--eval-every", "0"], "--eval-every must be at least 1"),
            (
                ["train", "--preset", "mlp", "--data", tinyIDXDirectory(), "--eval-every", "5", "--run-dir", "\(work)/tiny"],
                "t10k-images-idx3-ubyte[.gz]: missing IDX file"
            ),
            (["train", "--data", "spiral", "--eval-every", "5", "--run-dir", "\(work)/tiny"], "spiral has no discrete modes"),
            (["classifier", "train", "--out", "\(work)/c.safetensors", "--epochs", "0"], "--epochs must be positive")
        ]
        for (arguments, message) in cases {
            let result = try runGAN(arguments)
            #expect(result.status != 0, "\(arguments) should fail")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }
        // The refused eval-every run left no directory behind.
        #expect(!FileManager.default.fileExists(atPath: "\(work)/tiny"))
    }
}
