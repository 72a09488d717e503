import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

/// The WGAN-GP penalty `mean((‖∂D(x̂)/∂x̂‖₂ − 1)²)` must backpropagate to the
/// critic's parameters (double backward). Its parameter gradients are
/// compared with finite differences of the penalty itself.
@Suite("Second-order gradients (gradient penalty)")
struct SecondOrderTests {
    /// A layer-norm style normalisation over all non-batch axes (no affine).
    static func layerNorm(_ x: Tensor) -> Tensor {
        let axes = Array(1..<x.rank)
        let centred = x - x.mean(axes: axes, keepDims: true)
        let variance = (centred * centred).mean(axes: axes, keepDims: true)
        return centred / (variance + 1e-5).sqrt()
    }

    /// mean over the batch of (‖∇ₓ score‖₂ − 1)².
    static func gradientPenalty(points: Tensor, critic: (Tensor) -> Tensor) -> Tensor {
        // The penalty needs the graph even when the caller evaluates it
        // without gradients (PyTorch's `torch.enable_grad()`).
        withGradientRecording(true) {
            let x = points.requiringGradient()
            let score = critic(x).sum()
            let gradient = gradients(of: score, withRespectTo: [x], createGraph: true)[0]
            let perExample = (gradient.flattened(startAxis: 1).square().sum(axes: [1]) + 1e-12).sqrt()
            return ((perExample - 1).square()).mean()
        }
    }

    @Test func mlpCritic() {
        let points = randomTensor([4, 5], seed: 6)
        let parameters = [
            randomTensor([6, 5], seed: 2), randomTensor([6], seed: 3) * 0.1,
            randomTensor([3, 6], seed: 4), randomTensor([3], seed: 5) * 0.1,
            randomTensor([1, 3], seed: 7)
        ]
        // The penalty is smooth in the parameters except where a leaky-ReLU
        // pre-activation crosses 0; finite differences are only valid when
        // every pre-activation stays clear of 0 by more than a step can move it.
        let preActivation = matmul(points, parameters[0], transposeB: true) + parameters[1]
        #expect(preActivation.abs().min(axes: [0, 1]).item > 0.1)
        GradientCheck().check(parameters) { p in
            Self.gradientPenalty(points: points) { x in
                let h1 = (matmul(x, p[0], transposeB: true) + p[1]).leakyRelu(0.2)
                let h2 = Self.layerNorm(h1).tanh()
                let h3 = (matmul(h2, p[2], transposeB: true) + p[3]).sigmoid()
                return matmul(h3, p[4], transposeB: true)
            }
        }
    }

    @Test func convCritic() {
        let points = randomTensor([2, 1, 6, 6], seed: 11)
        let parameters = [
            randomTensor([3, 1, 3, 3], seed: 12), randomTensor([3], seed: 13) * 0.1,
            randomTensor([3, 2, 4, 4], seed: 14), randomTensor([1, 2 * 6 * 6], seed: 15) * 0.3
        ]
        GradientCheck().check(parameters) { p in
            Self.gradientPenalty(points: points) { x in
                let h1 = conv2d(x, weight: p[0], bias: p[1], stride: 2, padding: 1).leakyRelu(0.2)  // [2, 3, 3, 3]
                let h2 = convTranspose2d(h1, weight: p[2], stride: 2, padding: 1).tanh()  // [2, 2, 6, 6]
                let normalized = Self.layerNorm(h2)
                return matmul(normalized.flattened(startAxis: 1), p[3], transposeB: true).sigmoid()
            }
        }
    }

    /// The same through layers of 8 channels, which take the Winograd path
    /// (stride 2, 4x4, padding 1): the penalty's parameter gradients
    /// differentiate its transforms' adjoints.
    @Test func winogradCritic() {
        withExecutionContext(allowsWinograd: true, winogradMinimumTiles: 1) {
            let points = randomTensor([2, 8, 8, 8], seed: 16)
            let parameters = [
                randomTensor([8, 8, 4, 4], seed: 17) * 0.3, randomTensor([8], seed: 18) * 0.1,
                randomTensor([8, 8, 4, 4], seed: 19) * 0.3, randomTensor([1, 8 * 8 * 8], seed: 20) * 0.1
            ]
            let geometry = ConvolutionGeometry(
                batch: 2, inChannels: 8, height: 8, width: 8, outChannels: 8,
                kernelHeight: 4, kernelWidth: 4, strideH: 2, strideW: 2,
                padH: 1, padW: 1, dilationH: 1, dilationW: 1)
            #expect(WinogradPlan(geometry) != nil)
            GradientCheck().check(parameters) { p in
                Self.gradientPenalty(points: points) { x in
                    let h1 = conv2d(x, weight: p[0], bias: p[1], stride: 2, padding: 1).tanh()  // [2, 8, 4, 4]
                    let h2 = convTranspose2d(h1, weight: p[2], stride: 2, padding: 1).tanh()  // [2, 8, 8, 8]
                    return matmul(Self.layerNorm(h2).flattened(startAxis: 1), p[3], transposeB: true).sigmoid()
                }
            }
        }
    }

    @Test func penaltyOfLinearCriticIsExact() {
        // D(x) = x·w: ∇ₓD = w for every example, so the penalty is (‖w‖ − 1)²
        // and its gradient is 2(‖w‖ − 1) w / ‖w‖.
        let w = Tensor([0.6, 0.8, 1.2]).requiringGradient()
        let points = randomTensor([5, 3], seed: 21)
        let penalty = Self.gradientPenalty(points: points) { matmul($0, w) }
        let norm = Float((0.36 + 0.64 + 1.44).squareRoot())
        assertClose(penalty.scalars, [(norm - 1) * (norm - 1)], rtol: 1e-5, atol: 1e-5)
        let gradient = gradients(of: penalty, withRespectTo: [w])[0]
        assertClose(gradient.scalars, [0.6, 0.8, 1.2].map { 2 * (norm - 1) * $0 / norm }, rtol: 1e-5, atol: 1e-5)
    }
}
