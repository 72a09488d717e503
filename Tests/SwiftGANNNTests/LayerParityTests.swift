import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANNN

/// Forward outputs and gradients of every layer against PyTorch golden values
/// (Scripts/make_nn_fixtures.py): the same weights and inputs, the loss
/// `sum(output * seed)`, within 1e-5 relative.
@Suite("Layer parity with PyTorch")
struct LayerParityTests {
    /// Loads the case's parameters into `module`, runs it and compares.
    func check(_ name: String, _ module: Module, relative: Float = 1e-5, absolute: Float = 1e-6) throws {
        var state = StateDict()
        for (key, _) in module.namedParameters() { state.set(key, gold("\(name).param.\(key)")) }
        for (key, buffer) in module.namedBuffers() { state.set(key, buffer.value, storedType: buffer.storedType) }
        try module.loadStateDict(state)
        let input = gold("\(name).input").requiringGradient()
        let output = module(input)
        assertClose(output, gold("\(name).output"), rtol: relative, atol: absolute, "\(name) output")
        let parameters = module.namedParameters()
        let grads = gradients(of: (output * gold("\(name).seed")).sum(), withRespectTo: [input] + parameters.map(\.parameter.value))
        assertClose(grads[0], gold("\(name).input_grad"), rtol: relative, atol: absolute, "\(name) input gradient")
        for (index, (key, _)) in parameters.enumerated() {
            assertClose(grads[index + 1], gold("\(name).grad.\(key)"), rtol: relative, atol: absolute, "\(name) \(key) gradient")
        }
        for (key, buffer) in module.namedBuffers() where golden["\(name).buffer.\(key)"] != nil {
            assertClose(buffer.value, gold("\(name).buffer.\(key)"), rtol: relative, atol: absolute, "\(name) buffer \(key)")
        }
    }

    @Test func linear() throws {
        var g = anyGenerator()
        try check("linear", Linear(5, 3, random: &g))
    }

    @Test func convolutions() throws {
        var g = anyGenerator()
        try check("conv", Conv2d(3, 4, kernelSize: 3, stride: 2, padding: 1, random: &g))
        try check(
            "conv_dilated",
            Conv2d(
                2, 3, kernelSize: SpatialSize(height: 3, width: 2), stride: SpatialSize(height: 1, width: 2),
                padding: SpatialSize(height: 2, width: 1), dilation: SpatialSize(height: 2, width: 1), random: &g))
        try check("convt", ConvTranspose2d(4, 2, kernelSize: 4, stride: 2, padding: 1, random: &g))
        try check("convt_outpad", ConvTranspose2d(3, 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, random: &g))
    }

    @Test func batchNorm2dTrainingAndEval() throws {
        let norm = BatchNorm2d(3)
        try check("bn2d", norm)
        #expect(norm.numBatchesTracked!.value.item == 1)
        norm.eval()
        assertClose(norm(gold("bn2d.eval_input")), gold("bn2d.eval_output"), rtol: 1e-5, atol: 1e-6, "bn2d eval output")
        // Evaluation does not touch the running statistics.
        let mean = norm.runningMean!.value
        _ = norm(gold("bn2d.eval_input"))
        #expect(norm.runningMean!.value == mean)
    }

    @Test func normalizations() throws {
        try check("bn1d", BatchNorm1d(6, momentum: 0.2))
        try check("layernorm", LayerNorm([6]))
        try check("instancenorm", InstanceNorm2d(3, affine: true))
    }

    @Test func activations() throws {
        try check("leakyrelu", LeakyReLU(0.2))
        try check("elu", ELU(alpha: 0.7))
        try check("softplus", Softplus(beta: 2))
        try check("tanh", Tanh())
        try check("sigmoid", Sigmoid())
        try check("relu", ReLU())
    }

    @Test func embedding() throws {
        var g = anyGenerator()
        let table = Embedding(10, 4, random: &g)
        table.weight.assign(gold("embedding.param.weight"))
        let output = table(gold("embedding.indices"))
        assertClose(output, gold("embedding.output"), rtol: 1e-5, atol: 1e-6, "embedding output")
        let grad = gradients(of: (output * gold("embedding.seed")).sum(), withRespectTo: [table.weight.value])[0]
        assertClose(grad, gold("embedding.grad.weight"), rtol: 1e-5, atol: 1e-6, "embedding gradient")
    }

    @Test func spectralNorm() throws {
        var g = anyGenerator()
        let layer = spectralNormalized(Linear(5, 6, random: &g), random: &g)
        try layer.loadStateDict(
            {
                var state = StateDict()
                state.set("bias", gold("spectral.bias"))
                state.set("weight_orig", gold("spectral.weight_orig"))
                state.set("weight_u", gold("spectral.u0"))
                state.set("weight_v", gold("spectral.v0"))
                return state
            }())
        let input = gold("spectral.input")
        let output = layer(input)
        assertClose(output, gold("spectral.output"), rtol: 1e-5, atol: 1e-5, "spectral output")
        assertClose(layer.spectralNorm!.u.value, gold("spectral.u1"), rtol: 1e-5, atol: 1e-6, "u after one iteration")
        assertClose(layer.spectralNorm!.v.value, gold("spectral.v1"), rtol: 1e-5, atol: 1e-6, "v after one iteration")
        let grad = gradients(of: (output * gold("spectral.seed")).sum(), withRespectTo: [layer.weight.value])[0]
        assertClose(grad, gold("spectral.grad.weight_orig"), rtol: 1e-4, atol: 1e-5, "spectral weight gradient")
        // Evaluation: no power iteration, so u and v stay put.
        layer.eval()
        let u = layer.spectralNorm!.u.value
        _ = layer(input)
        #expect(layer.spectralNorm!.u.value == u)
        // Many iterations converge to the true largest singular value.
        layer.train()
        for _ in 0..<100 { _ = withoutGradients { layer(input) } }
        let sigma = layer.spectralNorm!.sigma(of: layer.weight.value)
        #expect(Swift.abs(sigma - gold("spectral.sigma_true").item) < 1e-4 * gold("spectral.sigma_true").item)
    }
}
