import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

/// Reflection padding and pixel shuffling: values, finite-difference
/// gradients, and gradients of gradients (both are gathers or copies whose
/// rules are written in differentiable ops).
@Suite("Reflection padding and pixel shuffle")
struct ResamplingTests {
    @Test func reflectionPaddingValues() {
        // PyTorch's nn.ReflectionPad2d(2) documentation example.
        let image = Tensor.arange(0, 9).reshaped([1, 1, 3, 3])
        let padded = image.reflectionPadded(2)
        #expect(padded.shape == [1, 1, 7, 7])
        #expect(
            padded.scalars == [
                8, 7, 6, 7, 8, 7, 6, 5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0, 5, 4, 3, 4, 5, 4, 3,
                8, 7, 6, 7, 8, 7, 6, 5, 4, 3, 4, 5, 4, 3, 2, 1, 0, 1, 2, 1, 0
            ])
        let uneven = Tensor.arange(0, 8).reshaped([2, 4]).reflectionPadded(left: 1, right: 2, top: 0, bottom: 1)
        #expect(uneven.shape == [3, 7])
        #expect(uneven.scalars == [1, 0, 1, 2, 3, 2, 1, 5, 4, 5, 6, 7, 6, 5, 1, 0, 1, 2, 3, 2, 1])
    }

    @Test func pixelShuffleValuesAndInverse() {
        // Channel c·r² + i·r + j lands at (h·r + i, w·r + j).
        let input = Tensor.arange(0, 8).reshaped([1, 4, 1, 2])
        let shuffled = input.pixelShuffled(upscale: 2)
        #expect(shuffled.shape == [1, 1, 2, 4])
        #expect(shuffled.scalars == [0, 2, 1, 3, 4, 6, 5, 7])
        let random = randomTensor([2, 12, 3, 5], seed: 4)
        #expect(random.pixelShuffled(upscale: 2).pixelUnshuffled(downscale: 2).scalars == random.scalars)
        #expect(random.pixelShuffled(upscale: 2).shape == [2, 3, 6, 10])
    }

    @Test func firstOrderGradients() {
        let check = GradientCheck()
        check.check([randomTensor([2, 2, 4, 5], seed: 1)]) { $0[0].reflectionPadded(left: 3, right: 1, top: 2, bottom: 3) }
        check.check([randomTensor([2, 8, 3, 2], seed: 2)]) { $0[0].pixelShuffled(upscale: 2) }
        check.check([randomTensor([1, 2, 4, 6], seed: 3)]) { $0[0].pixelUnshuffled(downscale: 2) }
        check.check([randomTensor([1, 2, 3, 4], seed: 4)]) { $0[0].upsampleBicubic(scale: 2) }
    }

    /// ‖∂/∂x Σ w·op(x)³‖², whose gradient needs the op's backward rule to differentiate.
    static func gradientNorm(_ x: Tensor, _ op: (Tensor) -> Tensor) -> Tensor {
        withGradientRecording(true) {
            // The checked input already records gradients (a finite-difference probe does not).
            let input = x.requiresGrad ? x : x.requiringGradient()
            let output = op(input)
            let weights = randomTensor(output.shape, seed: 9)
            let inner = gradients(of: (output * output * output * weights).sum(), withRespectTo: [input], createGraph: true)[0]
            return (inner * inner).sum()
        }
    }

    @Test func secondOrderGradients() {
        let check = GradientCheck()
        check.check([randomTensor([1, 2, 3, 4], seed: 5)]) { Self.gradientNorm($0[0]) { $0.reflectionPadded(2) } }
        check.check([randomTensor([1, 4, 2, 3], seed: 6)]) { Self.gradientNorm($0[0]) { $0.pixelShuffled(upscale: 2) } }
    }
}
