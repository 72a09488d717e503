import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// CycleGAN's networks against PyTorch modules written the same way
/// (Scripts/make_cyclegan_fixtures.py): checkpoint keys and shapes of the
/// four networks for the configurations `gan train --task cyclegan`
/// builds, and outputs of small generators loaded from PyTorch state dicts.
@Suite("CycleGAN networks against PyTorch")
struct CycleGANModelTests {
    static let golden = StateDictKeyTests.goldenKeys("cyclegan_keys.json")
    static let cases = ["fashion-28", "gray2color-28", "folder-64", "folder-256"]

    /// The trainer's networks for a golden case, built from the preset as `gan train` does.
    static func networks(_ name: String) throws -> [String: Module] {
        func unpaired(_ a: [Int], _ b: [Int]) -> UnpairedDataset {
            UnpairedDataset(
                domainA: Tensor.zeros([1] + a), domainB: Tensor.zeros([1] + b), labelsA: [0], labelsB: [0], classNames: ["x"])
        }
        var config: CycleGANConfig
        let dataset: UnpairedDataset
        switch name {
        case "fashion-28":
            config = CycleGANConfig.preset(data: UnpairedDataSpec(name: "fashion2edges"))
            dataset = unpaired([1, 28, 28], [1, 28, 28])
        case "gray2color-28":
            config = CycleGANConfig.preset(data: UnpairedDataSpec(name: "gray2color"))
            dataset = unpaired([1, 28, 28], [3, 28, 28])
        case "folder-64":
            config = CycleGANConfig.preset(data: UnpairedDataSpec(name: "folder", path: "x"))
            dataset = unpaired([3, 64, 64], [3, 64, 64])
        case "folder-256":
            config = CycleGANConfig.preset(data: UnpairedDataSpec(name: "folder", path: "x"))
            dataset = unpaired([3, 256, 256], [3, 256, 256])
        default: fatalError("no Swift configuration for golden case \(name)")
        }
        config.training.batchSize = 1
        let trainer = try CycleGANTrainer(config: config, dataset: dataset)
        return Dictionary(uniqueKeysWithValues: trainer.networks.map { ($0.name, $0.module) })
    }

    @Test func everyGoldenCaseIsChecked() { #expect(Set(Self.golden.keys) == Set(Self.cases)) }

    @Test(arguments: cases)
    func keysMatchPyTorch(_ name: String) throws {
        let golden = try #require(Self.golden[name])
        let networks = try Self.networks(name)
        #expect(Set(networks.keys) == Set(golden.keys))
        for (network, module) in networks {
            #expect(StateDictKeyTests.keysAndShapes(module) == golden[network], "\(name) \(network)")
        }
    }

    @Test func blocksFollowTheImageSize() {
        #expect([28, 32, 63, 64, 128, 255, 256].map { CycleGANModelConfig.defaultResidualBlocks(size: $0) } == [3, 3, 3, 6, 6, 6, 9])
        var random = RandomGenerator(seed: 1)
        let generator = ResNetGenerator(inputChannels: 1, outputChannels: 3, width: 4, residualBlocks: 1, normalization: .instance, random: &random)
        let output = generator(Tensor.uniform([2, 1, 28, 28], low: -1, high: 1, random: &random))
        #expect(output.shape == [2, 3, 28, 28])
        #expect(output.scalars.allSatisfy { $0 >= -1 && $0 <= 1 })
    }

    /// `--patch-layers` deepens each PatchGAN: 2 strided layers at 28 px see the whole image (5x5 logits of 34-pixel patches).
    @Test func patchLayersAreConfigurable() throws {
        var model = CycleGANModelConfig(shapeA: [1, 28, 28], shapeB: [3, 28, 28], width: 4, discriminatorWidth: 4, discriminatorLayers: 2)
        #expect(model.validationProblem() == nil)
        var random = RandomGenerator(seed: 2)
        let discriminator = PatchDiscriminator(model.discriminatorConfig(model.shapeB), random: &random)
        #expect(discriminator(Tensor.zeros([2, 3, 28, 28])).shape == [2, 1, 5, 5])
        #expect(model.discriminatorConfig(model.shapeA).receptiveField == 34)
        model.discriminatorLayers = 3
        #expect(model.validationProblem() == "3 discriminator layers do not fit 28-pixel images (1 to 2)")
    }

    static let parity: StateDict = (try? SafeTensors.read(fixturePath("cyclegan_parity.safetensors", in: .module)).tensors) ?? StateDict()

    @Test(arguments: [("resnet_in", 1, 3, 4, 2, TranslationModelConfig.Normalization.instance), ("resnet_bn", 3, 1, 3, 1, .batch)])
    func generatorMatchesPyTorch(_ prefix: String, _ input: Int, _ output: Int, _ width: Int, _ blocks: Int, _ norm: TranslationModelConfig.Normalization)
        throws
    {
        var random = RandomGenerator(seed: 3)
        let generator = ResNetGenerator(
            inputChannels: input, outputChannels: output, width: width, residualBlocks: blocks, normalization: norm, random: &random)
        var state = StateDict()
        for entry in Self.parity.scoped(prefix).entries where !entry.key.hasPrefix("__") {
            state.set(entry.key, entry.tensor, storedType: entry.storedType)
        }
        try generator.loadStateDict(state)
        generator.eval()
        let x = try #require(Self.parity["\(prefix).__input"])
        let expected = try #require(Self.parity["\(prefix).__output"])
        assertClose(generator(x), expected, rtol: 1e-4, atol: 1e-5, prefix)
    }
}
