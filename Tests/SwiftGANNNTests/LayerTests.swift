import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANNN

@Suite("Layers")
struct LayerTests {
    @Test func linearAndConvolutionGradients() {
        var g = RandomGenerator(seed: 1)
        let check = GradientCheck()
        let x = Tensor.uniform([3, 4], low: -1, high: 1, random: &g)
        let linear = Linear(4, 2, random: &g)
        #expect(
            check.mismatches([linear.weight.value, linear.bias!.value]) { p in
                matmul(x, p[0], transposeB: true) + p[1]
            }.isEmpty)
        // The layer's own forward gives the same gradients as the functional form.
        let viaLayer = gradients(of: (linear(x) * linear(x)).sum(), withRespectTo: [linear.weight.value, linear.bias!.value])
        let functional = { (w: Tensor, b: Tensor) -> Tensor in
            let y = matmul(x, w, transposeB: true) + b
            return (y * y).sum()
        }
        let w = linear.weight.value.detached().requiringGradient()
        let b = linear.bias!.value.detached().requiringGradient()
        let direct = gradients(of: functional(w, b), withRespectTo: [w, b])
        #expect(viaLayer[0] == direct[0] && viaLayer[1] == direct[1])

        let image = Tensor.uniform([2, 2, 5, 5], low: -1, high: 1, random: &g)
        let conv = Conv2d(2, 3, kernelSize: 3, stride: 2, padding: 1, random: &g)
        #expect(
            check.mismatches([conv.weight.value, conv.bias!.value]) { p in
                conv2d(image, weight: p[0], bias: p[1], stride: 2, padding: 1)
            }.isEmpty)
        let deconv = ConvTranspose2d(2, 1, kernelSize: 4, stride: 2, padding: 1, random: &g)
        #expect(
            check.mismatches([deconv.weight.value, deconv.bias!.value]) { p in
                convTranspose2d(image, weight: p[0], bias: p[1], stride: 2, padding: 1)
            }.isEmpty)
    }

    /// Finite differences through the module itself: perturb each parameter
    /// element in place and re-run the module.
    func moduleMismatches(_ module: Module, input: Tensor, seed: UInt64 = 5) -> Int {
        var random = RandomGenerator(seed: seed)
        let probe = withoutGradients { module(input) }
        let weights = Tensor.uniform(probe.shape, low: -1, high: 1, random: &random)
        let parameters = module.parameters()
        let analytic = gradients(of: (module(input) * weights).sum(), withRespectTo: parameters.map(\.value))
        func loss() -> Double {
            let output = withoutGradients { module(input) }
            return zip(output.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var mismatches = 0
        let step: Float = 1e-2
        for (index, parameter) in parameters.enumerated() {
            for element in 0..<parameter.count {
                parameter.update { $0[element] += step }
                let plus = loss()
                parameter.update { $0[element] -= 2 * step }
                let minus = loss()
                parameter.update { $0[element] += step }
                let numeric = (plus - minus) / (2 * Double(step))
                let automatic = Double(analytic[index].scalars[element])
                if Swift.abs(numeric - automatic) > 5e-3 + 3e-2 * Swift.abs(numeric) { mismatches += 1 }
            }
        }
        return mismatches
    }

    @Test func everyLayersParameterGradients() {
        var g = RandomGenerator(seed: 2)
        let vectors = Tensor.uniform([6, 4], low: -1, high: 1, random: &g)
        let images = Tensor.uniform([2, 3, 4, 4], low: -1, high: 1, random: &g)
        #expect(moduleMismatches(Linear(4, 3, random: &g), input: vectors) == 0)
        #expect(moduleMismatches(Conv2d(3, 2, kernelSize: 3, padding: 1, random: &g), input: images) == 0)
        #expect(moduleMismatches(ConvTranspose2d(3, 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, random: &g), input: images) == 0)
        let batchNorm = BatchNorm2d(3)
        batchNorm.weight!.assign(Tensor([0.5, 1.5, -1]))
        batchNorm.bias!.assign(Tensor([0.1, -0.2, 0.3]))
        // Training mode changes running statistics on every call but not the output.
        #expect(moduleMismatches(batchNorm, input: images) == 0)
        #expect(moduleMismatches(BatchNorm1d(4), input: vectors) == 0)
        let layerNorm = LayerNorm([4])
        layerNorm.weight!.assign(Tensor([1, 2, 0.5, -1]))
        #expect(moduleMismatches(layerNorm, input: vectors) == 0)
        let instanceNorm = InstanceNorm2d(3, affine: true)
        instanceNorm.weight!.assign(Tensor([1, 2, 0.5]))
        #expect(moduleMismatches(instanceNorm, input: images) == 0)
        let embedding = Embedding(5, 3, random: &g)
        #expect(moduleMismatches(embedding, input: Tensor([0, 3, 3, 4])) == 0)
        // Spectral norm in evaluation (fixed u, v): σ depends on the weight, differentiated too.
        let spectral = spectralNormalized(Linear(4, 3, random: &g), random: &g)
        for _ in 0..<5 { _ = withoutGradients { spectral(vectors) } }
        spectral.eval()
        #expect(moduleMismatches(spectral, input: vectors) == 0)
    }

    @Test func batchNormTrainVersusEval() {
        let norm = BatchNorm1d(2, momentum: 0.5)
        let batch = Tensor([1, 10, 3, 20, 5, 30], shape: [3, 2])
        let trained = norm(batch)
        // Training: each column normalised with its own batch mean and biased variance.
        assertClose(trained.mean(axes: [0]), Tensor([0, 0]), rtol: 0, atol: 1e-6, "batch mean")
        assertClose(trained.variance(axes: [0], correction: 0), Tensor([1, 1]), rtol: 1e-4, atol: 1e-6, "batch variance")
        // Running statistics: momentum 0.5 from (0, 1) toward (mean, unbiased variance).
        assertClose(norm.runningMean!.value, Tensor([1.5, 10]), rtol: 1e-6, atol: 1e-6, "running mean")
        assertClose(norm.runningVar!.value, Tensor([2.5, 50.5]), rtol: 1e-6, atol: 1e-6, "running var")
        #expect(norm.numBatchesTracked!.value.item == 1)
        norm.eval()
        let evaluated = norm(Tensor([1.5, 10], shape: [1, 2]))
        assertClose(evaluated, Tensor([0, 0], shape: [1, 2]), rtol: 0, atol: 1e-6, "eval uses running mean")
        #expect(norm.numBatchesTracked!.value.item == 1, "evaluation does not count batches")
    }

    @Test func dropoutFlattenUnflattenActivations() {
        var g = RandomGenerator(seed: 3)
        let dropout = Dropout(0.5, random: &g)
        let ones = Tensor.ones([1000])
        let dropped = dropout(ones)
        #expect(dropped.scalars.contains(0) && dropped.scalars.contains(2))
        dropout.eval()
        #expect(dropout(ones) == ones)
        let images = Tensor.zeros([2, 1, 4, 7])
        #expect(Flatten()(images).shape == [2, 28])
        #expect(Unflatten(dim: 1, sizes: [1, 4, 7])(Flatten()(images)).shape == [2, 1, 4, 7])
        let x = Tensor([-1, 2])
        #expect(ReLU()(x).scalars == [0, 2])
        #expect(LeakyReLU(0.2)(x).scalars == [-0.2, 2])
        #expect(Tanh()(x) == x.tanh() && Sigmoid()(x) == x.sigmoid() && ELU()(x) == x.elu() && Softplus()(x) == x.softplus())
    }
}

@Suite("Initialisers")
struct InitializerTests {
    @Test func fansFollowPyTorch() {
        #expect(Initializer.fans([256, 100]) == (100, 256))
        #expect(Initializer.fans([64, 3, 4, 4]) == (48, 1024))
        // ConvTranspose2d weight [in, out, k, k]: PyTorch's fan-in is out·k·k.
        #expect(Initializer.fans([100, 256, 7, 7]) == (256 * 49, 100 * 49))
    }

    @Test func defaultLinearInitBounds() {
        var g = RandomGenerator(seed: 1)
        let layer = Linear(400, 300, random: &g)
        let bound = 1 / Float(400).squareRoot()
        let weights = layer.weight.value.scalars
        let biases = layer.bias!.value.scalars
        #expect(weights.allSatisfy { Swift.abs($0) <= bound } && biases.allSatisfy { Swift.abs($0) <= bound })
        // Uniform on [-b, b] has variance b²/3.
        let variance = layer.weight.value.variance(correction: 0).item
        #expect(Swift.abs(variance - bound * bound / 3) < 0.02 * bound * bound)
    }

    @Test func distributions() {
        var g = RandomGenerator(seed: 2)
        let xavier = Initializer.xavierUniform([300, 200], random: &g)
        let xavierBound = Float(6.0 / 500).squareRoot()
        #expect(xavier.scalars.allSatisfy { Swift.abs($0) <= xavierBound })
        let xavierNormal = Initializer.xavierNormal([300, 200], gain: 2, random: &g)
        #expect(Swift.abs(xavierNormal.variance().item - 4 * 2 / 500) < 0.002)
        let kaiming = Initializer.kaimingNormal([300, 200], random: &g)
        #expect(Swift.abs(kaiming.variance().item - 2 / 200) < 0.0005)
        let dcgan = Initializer.normal([200, 300], random: &g)
        #expect(Swift.abs(dcgan.variance().sqrt().item - 0.02) < 0.0005)
    }

    @Test func orthogonalRowsOrColumns() {
        var g = RandomGenerator(seed: 3)
        for shape in [[6, 4], [4, 6], [3, 2, 2, 2]] {
            let q = Initializer.orthogonal(shape, gain: 2, random: &g)
            let matrix = q.reshaped([shape[0], -1])
            let tall = matrix.shape[0] >= matrix.shape[1]
            let gram = tall ? matmul(matrix, matrix, transposeA: true) : matmul(matrix, matrix, transposeB: true)
            let size = gram.shape[0]
            let identity = Tensor((0..<(size * size)).map { $0 / size == $0 % size ? 4 : 0 }, shape: [size, size])
            assertClose(gram, identity, rtol: 0, atol: 1e-4, "QᵀQ = gain² I for \(shape)")
        }
    }

    @Test func dcganInitialisation() {
        var g = RandomGenerator(seed: 4)
        let model = DCGANGenerator(latent: 16, width: 8, random: &g)
        Initializer.dcgan(model, random: &g)
        let convWeights = (model.main.layers[0] as! ConvTranspose2d).weight.value
        #expect(Swift.abs(convWeights.variance().sqrt().item - 0.02) < 0.002)
        let norm = model.main.layers[1] as! BatchNorm2d
        #expect(Swift.abs(norm.weight!.value.mean().item - 1) < 0.02)
        #expect(norm.bias!.value.scalars.allSatisfy { $0 == 0 })
    }
}
