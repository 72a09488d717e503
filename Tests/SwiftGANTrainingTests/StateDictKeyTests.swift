import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANMetrics
@testable import SwiftGANTraining

/// Every shipped model's checkpoint keys and shapes against the
/// `state_dict()` of the equivalent PyTorch module (golden lists written by
/// `Scripts/make_key_fixtures.py`, not taken from the Swift models): a
/// renamed Swift property, a reordered layer or a changed default shows up
/// here as a changed file format.
@Suite("State-dict keys against PyTorch")
struct StateDictKeyTests {
    /// The golden lists: case → network → key → shape.
    static let golden = goldenKeys("state_dict_keys.json")

    /// A golden file of `Scripts/make_key_fixtures.py` or `make_translation_fixtures.py`:
    /// case → network → key → shape (empty when the file is missing, which the tests report).
    static func goldenKeys(_ name: String) -> [String: [String: [String: [Int]]]] {
        let data = FileManager.default.contents(atPath: fixturePath(name, in: .module)) ?? Data()
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: [String: [[Any]]]] ?? [:]
        return json.mapValues { networks in
            networks.mapValues { entries in
                var result: [String: [Int]] = [:]
                for entry in entries {
                    if let key = entry.first as? String, let shape = entry.last as? [Int] { result[key] = shape }
                }
                return result
            }
        }
    }

    static func keysAndShapes(_ module: Module) -> [String: [Int]] {
        var result: [String: [Int]] = [:]
        for entry in module.stateDict().entries { result[entry.key] = entry.tensor.shape }
        return result
    }

    /// The Swift configuration of each golden case, as `gan train` builds it.
    static func config(_ name: String) -> ModelConfig {
        var training = TrainingConfig()
        func preset(_ preset: Preset, _ shape: [Int], kind: ModelConfig.Kind = .dcgan) -> ModelConfig {
            var model = ModelConfig(kind: kind, imageShape: shape)
            preset.apply(to: &model, &training)
            return model
        }
        switch name {
        case "mlp": return preset(.mlp, [1, 28, 28])
        case "dcgan-28": return preset(.dcgan, [1, 28, 28])
        case "dcgan-quick": return preset(.dcganQuick, [1, 28, 28])
        case "dcgan-32-rgb": return preset(.dcgan, [3, 32, 32])
        case "dcgan-64-rgb": return preset(.dcgan, [3, 64, 64])
        case "wgan-gp": return preset(.wganGP, [1, 28, 28])
        case "hinge-sn": return preset(.hingeSN, [1, 28, 28])
        case "cgan": return preset(.cgan, [1, 28, 28])
        case "cgan-projection":
            var model = preset(.cgan, [1, 28, 28])
            model.projection = true
            return model
        case "mlp-conv": return ModelConfig(kind: .mlpConv, imageShape: [1, 28, 28])
        case "cdcgan-28": return preset(.cdcgan, [1, 28, 28], kind: .cdcgan)
        case "cdcgan-32-rgb-projection", "cdcgan-64-projection":
            var model = preset(.cdcgan, name.hasPrefix("cdcgan-32") ? [3, 32, 32] : [1, 64, 64], kind: .cdcgan)
            model.projection = true
            return model
        case "acgan-28": return preset(.acgan, [1, 28, 28], kind: .acgan)
        case "acgan-64-rgb": return preset(.acgan, [3, 64, 64], kind: .acgan)
        case "textbook-pytorch": return preset(.textbookPyTorch, [1, 28, 28])
        case "practice-pytorch": return preset(.practicePyTorch, [1, 28, 28])
        case "keras-mlp-conv": return preset(.kerasMLPConv, [1, 28, 28])
        case "keras-mlp-conv-32-rgb": return preset(.kerasMLPConv, [3, 32, 32])
        case "tf-gradient-tape": return preset(.tfGradientTape, [1, 28, 28])
        case "2d": return preset(.mixture2d, [1, 1, 2], kind: .mlp2d)
        case "2d-hinge-sn": return preset(.hingeSN, [1, 1, 2], kind: .mlp2d)
        default: fatalError("no Swift configuration for golden case \(name)")
        }
    }

    static let modelCases = [
        "mlp", "dcgan-28", "dcgan-quick", "dcgan-32-rgb", "dcgan-64-rgb", "wgan-gp", "hinge-sn", "cgan",
        "cgan-projection", "mlp-conv", "cdcgan-28", "cdcgan-32-rgb-projection", "cdcgan-64-projection", "acgan-28", "acgan-64-rgb",
        "textbook-pytorch", "practice-pytorch", "keras-mlp-conv", "keras-mlp-conv-32-rgb", "tf-gradient-tape", "2d", "2d-hinge-sn"
    ]

    @Test func everyGoldenCaseIsChecked() {
        #expect(Set(Self.golden.keys) == Set(Self.modelCases + ["classifier"]))
    }

    @Test(arguments: modelCases)
    func modelKeysMatchPyTorch(_ name: String) throws {
        let golden = try #require(Self.golden[name], "missing golden case \(name)")
        var random = RandomGenerator(seed: 1)
        let (generator, discriminator) = Self.config(name).build(random: &random)
        for (network, module) in [("generator", generator as Module), ("discriminator", discriminator as Module)] {
            let expected = try #require(golden[network])
            let actual = Self.keysAndShapes(module)
            #expect(!expected.isEmpty)
            #expect(actual.keys.sorted() == expected.keys.sorted(), "\(name) \(network): keys differ")
            for (key, shape) in expected where actual[key] != nil {
                // PyTorch's num_batches_tracked is a 0-d tensor.
                #expect(actual[key] == shape || (shape.isEmpty && actual[key] == [1]), "\(name) \(network) \(key)")
            }
        }
    }

    @Test func featureClassifierKeysMatchPyTorch() throws {
        let golden = try #require(Self.golden["classifier"]?["classifier"])
        var random = RandomGenerator(seed: 1)
        let classifier = FeatureClassifier(FeatureClassifier.Architecture(), random: &random)
        let expected = golden
        let actual = Self.keysAndShapes(classifier)
        #expect(actual.keys.sorted() == expected.keys.sorted())
        for (key, shape) in expected { #expect(actual[key] == shape || (shape.isEmpty && actual[key] == [1]), "\(key)") }
    }
}
