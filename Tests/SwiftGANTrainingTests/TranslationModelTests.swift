import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANTraining

/// The translation networks against PyTorch modules written the same way
/// (Scripts/make_translation_fixtures.py): checkpoint keys and shapes for
/// the configurations `gan train --task` builds, and outputs of small
/// networks loaded from PyTorch state dicts.
@Suite("Translation networks against PyTorch")
struct TranslationModelTests {
    static let golden = StateDictKeyTests.goldenKeys("translation_keys.json")

    static func config(_ name: String) -> TranslationModelConfig {
        func preset(_ kind: TranslationKind, input: [Int], output: [Int]) -> TranslationModelConfig {
            var model = TranslationConfig.preset(kind).model
            model.inputShape = input
            model.outputShape = output
            return model
        }
        switch name {
        case "pix2pix-28": return preset(.pix2pix, input: [1, 28, 28], output: [1, 28, 28])
        case "colorize-28": return preset(.colorize, input: [1, 28, 28], output: [3, 28, 28])
        case "sr4-28": return preset(.sr, input: [1, 7, 7], output: [1, 28, 28])
        case "sr2-unet-28": return preset(.pix2pix, input: [1, 14, 14], output: [1, 28, 28])
        case "folder-64-instance":
            return TranslationModelConfig(inputShape: [3, 64, 64], outputShape: [3, 64, 64], normalization: .instance)
        case "folder-128": return TranslationModelConfig(inputShape: [3, 128, 128], outputShape: [3, 128, 128])
        default: fatalError("no Swift configuration for golden case \(name)")
        }
    }

    static let cases = ["pix2pix-28", "colorize-28", "sr4-28", "sr2-unet-28", "folder-64-instance", "folder-128"]

    @Test func everyGoldenCaseIsChecked() { #expect(Set(Self.golden.keys) == Set(Self.cases)) }

    @Test(arguments: cases)
    func keysMatchPyTorch(_ name: String) throws {
        let golden = try #require(Self.golden[name])
        var random = RandomGenerator(seed: 1)
        let (generator, discriminator) = Self.config(name).build(random: &random)
        #expect(StateDictKeyTests.keysAndShapes(generator) == golden["generator"])
        #expect(StateDictKeyTests.keysAndShapes(discriminator) == golden["discriminator"])
    }

    @Test func geometry() {
        let small = Self.config("pix2pix-28")
        #expect(small.paddedSize == 32 && small.depth == 5 && small.patchLayers == 1 && small.receptiveField == 16)
        let large = TranslationModelConfig(inputShape: [3, 256, 256], outputShape: [3, 256, 256])
        #expect(large.depth == 8 && large.patchLayers == 3 && large.receptiveField == 70)
        var random = RandomGenerator(seed: 2)
        let (generator, discriminator) = small.build(random: &random)
        let inputs = Tensor.uniform([2, 1, 28, 28], low: -1, high: 1, random: &random)
        let outputs = generator.translate(inputs)
        #expect(outputs.shape == [2, 1, 28, 28])
        #expect(discriminator.score(outputs, inputs: inputs).shape == [2, 1, 12, 12])
    }

    static let parity: StateDict = (try? SafeTensors.read(fixturePath("translation_parity.safetensors", in: .module)).tensors) ?? StateDict()

    /// Loads `prefix.*` of the parity file into `module` (strictly: every key, no extra).
    func load(_ module: Module, _ prefix: String) throws {
        var state = StateDict()
        for entry in Self.parity.scoped(prefix).entries where !entry.key.hasPrefix("__") {
            state.set(entry.key, entry.tensor, storedType: entry.storedType)
        }
        try module.loadStateDict(state)
        module.eval()
    }

    func gold(_ key: String) throws -> Tensor { try #require(Self.parity[key], "missing \(key)") }

    @Test func uNetMatchesPyTorch() throws {
        for (prefix, config) in [
            ("unet", TranslationModelConfig(inputShape: [1, 28, 28], outputShape: [1, 28, 28], width: 4)),
            ("unet_in", TranslationModelConfig(inputShape: [1, 32, 32], outputShape: [3, 32, 32], width: 3, normalization: .instance))
        ] {
            var random = RandomGenerator(seed: 3)
            let generator = UNetGenerator(config, random: &random)
            try load(generator, prefix)
            assertClose(generator.translate(try gold("\(prefix).__input")), try gold("\(prefix).__output"), rtol: 1e-4, atol: 1e-5, prefix)
        }
    }

    @Test func srResNetMatchesPyTorch() throws {
        let config = TranslationModelConfig(
            generator: .srresnet, inputShape: [1, 14, 14], outputShape: [1, 28, 28], width: 4, residualBlocks: 2)
        var random = RandomGenerator(seed: 4)
        let generator = SRResNetGenerator(config, random: &random)
        try load(generator, "srresnet")
        assertClose(generator.translate(try gold("srresnet.__input")), try gold("srresnet.__output"), rtol: 1e-4, atol: 1e-5)
    }

    @Test func patchDiscriminatorMatchesPyTorch() throws {
        let config = TranslationModelConfig(inputShape: [1, 28, 28], outputShape: [1, 28, 28], discriminatorWidth: 4)
        var random = RandomGenerator(seed: 5)
        let discriminator = PatchDiscriminator(config, random: &random)
        try load(discriminator, "patch")
        let scores = discriminator.score(try gold("patch.__candidate"), inputs: try gold("patch.__input"))
        assertClose(scores, try gold("patch.__output"), rtol: 1e-4, atol: 1e-5)
    }
}
