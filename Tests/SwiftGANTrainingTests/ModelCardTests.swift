import Foundation
import SwiftGANTestSupport
import Testing

@testable import SwiftGANTraining

/// `gan export`'s model card (its Python is run by Scripts/check_python_interop.sh with PyTorch).
@Suite("Model cards", .serialized)
struct ModelCardTests {
    @Test func exportWritesACardAndTheRunsConfigBesideTheFile() throws {
        let work = temporaryDirectory("model-card")
        let train = try runGAN(
            ["train", "--model", "cgan", "--limit", "256", "--steps", "2", "--batch-size", "16", "--width", "8", "--run-dir", "run"], in: work)
        #expect(train.status == 0, "\(train.output)")
        try FileManager.default.createDirectory(atPath: "\(work)/out", withIntermediateDirectories: false)
        let export = try runGAN(["export", "--run", "run", "--out", "out/G.safetensors"], in: work)
        #expect(export.status == 0, "\(export.output)")
        let card = try String(contentsOfFile: "\(work)/out/README.md", encoding: .utf8)
        #expect(card.hasPrefix(ModelCard.marker))
        #expect(card.contains("G.load_state_dict(load_file(\"G.safetensors\"), strict=True)"))
        #expect(card.contains("return ConditionalGenerator(latent_dim=100, image_shape=(1, 28, 28), classes=10)"))
        #expect(card.contains("class ConditionalGenerator(nn.Module):"))
        #expect(card.contains("| steps | 2 |") && card.contains("`gan train --model cgan --limit 256"))
        #expect(try RunConfig.read("\(work)/out/config.json") == (try RunConfig.read("\(work)/run/config.json")))
        // An earlier card is replaced; a README.md of the user's is not, and then nothing is written.
        #expect(try runGAN(["export", "--run", "run", "--out", "out/G2.safetensors"], in: work).status == 0)
        try "# my project\n".write(toFile: "\(work)/README.md", atomically: true, encoding: .utf8)
        let refused = try runGAN(["export", "--run", "run", "--out", "G.safetensors"], in: work)
        #expect(refused.status == 1 && refused.output.contains("README.md: exists and is not a model card gan export wrote"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/G.safetensors"))
        #expect(try String(contentsOfFile: "\(work)/README.md", encoding: .utf8) == "# my project\n")
        let bare = try runGAN(["export", "--run", "run", "--out", "G.safetensors", "--no-card"], in: work)
        #expect(bare.status == 0 && FileManager.default.fileExists(atPath: "\(work)/G.safetensors"), "\(bare.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/config.json"))
        // Into the run directory itself: the file, and no card over the run's own config.json.
        let before = try Data(contentsOf: URL(fileURLWithPath: "\(work)/run/config.json"))
        let inside = try runGAN(["export", "--run", "run", "--out", "run/G.safetensors"], in: work)
        #expect(
            inside.status == 0 && inside.output.contains("no model card (")
                && inside.output.contains("/run is a run directory, whose config.json is the run's own"), "\(inside.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(work)/run/config.json")) == before)
        #expect(!FileManager.default.fileExists(atPath: "\(work)/run/README.md"))
    }

    @Test func everyKindOfGeneratorHasItsModule() throws {
        func source(_ kind: ModelConfig.Kind, _ shape: [Int]) -> String {
            var model = ModelConfig(kind: kind, imageShape: shape, width: 8)
            model.classCount = 10
            return ModelCardTests.call(for: model)
        }
        #expect(source(.mlp, [1, 28, 28]) == "MLPGenerator(latent_dim=100, image_shape=(1, 28, 28), relu=False)")
        #expect(source(.mlpConv, [3, 32, 32]) == "MLPGenerator(latent_dim=100, image_shape=(3, 32, 32), relu=False)")
        #expect(source(.dcgan, [3, 64, 64]) == "DCGANGenerator(latent_dim=100, channels=3, size=64, width=8)")
        #expect(source(.mlp2d, [1, 1, 2]) == "MixtureGenerator(latent_dim=100, width=8)")
        #expect(source(.cgan, [1, 28, 28]) == "ConditionalGenerator(latent_dim=100, image_shape=(1, 28, 28), classes=10)")
        let conditionalDCGAN = "ConditionalDCGANGenerator(latent_dim=100, channels=3, size=32, width=8, classes=10)"
        #expect(source(.cdcgan, [3, 32, 32]) == conditionalDCGAN && source(.acgan, [3, 32, 32]) == conditionalDCGAN)
        #expect(source(.kerasMLPConv, [1, 28, 28]) == "MLPGenerator(latent_dim=100, image_shape=(1, 28, 28), relu=False)")
        #expect(source(.tfDCGAN, [1, 28, 28]) == "TFDCGANGenerator(latent_dim=100, channels=1)")
    }

    /// The build call a card gives for `model` (read back from its README).
    static func call(for model: ModelConfig) -> String {
        let directory = temporaryDirectory("card-call")
        let config = RunConfig(model: model, training: TrainingConfig(), data: DataSpec(name: "fashion-mnist"))
        FileManager.default.createFile(atPath: "\(directory)/config.json", contents: Data((try? config.encoded()) ?? []))
        guard let card = try? ModelCard.gan(forConfig: config, directory: directory, step: 0, ema: false, file: "G.safetensors") else { return "" }
        return card.readme.components(separatedBy: "def build():\n    return ").dropFirst().first?.components(separatedBy: "\n").first ?? ""
    }
}
