import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANNN

/// The layers image-to-image networks add, against PyTorch golden values
/// (Scripts/make_translation_fixtures.py): outputs and the gradients of
/// `sum(output * seed)` for the input and every parameter.
@Suite("Translation layers against PyTorch")
struct TranslationLayerTests {
    static let golden: StateDict = try! SafeTensors.read(fixturePath("translation_layers.safetensors")).tensors

    func check(_ name: String, _ module: Module) throws {
        func gold(_ key: String) -> Tensor { Self.golden[key] ?? Tensor.zeros([0]) }
        var state = StateDict()
        for (key, _) in module.namedParameters() { state.set(key, gold("\(name).param.\(key)")) }
        try module.loadStateDict(state)
        let input = gold("\(name).input").requiringGradient()
        let output = module(input)
        assertClose(output, gold("\(name).output"), rtol: 1e-5, atol: 1e-6, "\(name) output")
        let parameters = module.namedParameters()
        let grads = gradients(of: (output * gold("\(name).seed")).sum(), withRespectTo: [input] + parameters.map(\.parameter.value))
        assertClose(grads[0], gold("\(name).input_grad"), rtol: 1e-5, atol: 1e-6, "\(name) input gradient")
        for (index, (key, _)) in parameters.enumerated() {
            assertClose(grads[index + 1], gold("\(name).grad.\(key)"), rtol: 1e-5, atol: 1e-5, "\(name) \(key) gradient")
        }
    }

    @Test func reflectionPad() throws { try check("reflection_pad", ReflectionPad2d(left: 2, right: 1, top: 3, bottom: 2)) }

    @Test func pixelShuffle() throws { try check("pixel_shuffle", PixelShuffle(2)) }

    @Test func preluShared() throws { try check("prelu", PReLU()) }

    @Test func preluPerChannel() throws { try check("prelu_channels", PReLU(numParameters: 4)) }

    @Test func bicubicUpsampling() throws {
        let input = try #require(Self.golden["bicubic.input"])
        for scale in [2, 4] {
            assertClose(input.upsampleBicubic(scale: scale), try #require(Self.golden["bicubic.x\(scale)"]), rtol: 1e-5, atol: 1e-5, "x\(scale)")
        }
    }

    @Test func residualAddsItsBody() {
        var random = RandomGenerator(seed: 3)
        let block = Residual([Conv2d(2, 2, kernelSize: 3, padding: 1, random: &random)])
        let x = Tensor.uniform([1, 2, 4, 4], low: -1, high: 1, random: &random)
        assertClose(block(x), x + block.body(x), rtol: 1e-6, atol: 1e-6)
        #expect(block.stateDict().entries.map(\.key) == ["body.0.weight", "body.0.bias"])
    }
}
