import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

@Suite("Edge cases")
struct EdgeCaseTests {
    @Test func normGradientAtZeroIsZero() {
        let x = Tensor.zeros([2, 3]).requiringGradient()
        let g = gradients(of: x.norm(), withRespectTo: [x])[0]
        #expect(g.scalars.allSatisfy { $0 == 0 })
        let rows = Tensor([0, 0, 3, 4], shape: [2, 2]).requiringGradient()
        let perRow = gradients(of: rows.norm(axes: [1]).sum(), withRespectTo: [rows])[0]
        assertClose(perRow.scalars, [0, 0, 0.6, 0.8], rtol: 1e-5, atol: 1e-5)
        GradientCheck().check([randomTensor([3, 4], seed: 5)]) { $0[0].norm(axes: [1], keepDims: true) }
    }

    @Test func powZeroAndTies() {
        let x = Tensor([0, 2]).requiringGradient()
        #expect(gradients(of: x.pow(0).sum(), withRespectTo: [x])[0].scalars == [0, 0])
        let a = Tensor([1, 2]).requiringGradient()
        let b = Tensor([1, 3]).requiringGradient()
        let grads = gradients(of: a.maximum(b).sum(), withRespectTo: [a, b])
        #expect(grads[0].scalars == [0.5, 0] && grads[1].scalars == [0.5, 1])
    }

    @Test func emptyReductionsAndBatches() {
        #expect(Tensor.zeros([2, 0, 3]).sum(axes: [1]).scalars == [0, 0, 0, 0, 0, 0])
        let x = Tensor.zeros([0, 1, 8, 8]).requiringGradient()
        let w = Tensor.ones([2, 1, 1, 1]).requiringGradient()
        let y = conv2d(x, weight: w)
        #expect(y.shape == [0, 2, 8, 8])
        let gw = gradients(of: y.sum(), withRespectTo: [w])[0]
        #expect(gw.scalars == [0, 0])
        #expect(Tensor(5).max(axis: 0).values.item == 5)
    }

    @Test func transposedOutputPaddingBeyondStride() {
        // PyTorch allows output padding below the dilation even when it is not below the stride.
        let x = randomTensor([1, 2, 2, 3], seed: 1)
        let w = randomTensor([2, 3, 2, 2], seed: 2)
        let y = convTranspose2d(x, weight: w, stride: 1, outputPadding: 1, dilation: 2)
        let expected = ReferenceKernels.convTranspose2d(
            input: x.scalars, inputShape: x.shape, weight: w.scalars,
            weightShape: w.shape, stride: (1, 1), padding: (0, 0),
            outputPadding: (1, 1), dilation: (2, 2))
        #expect(y.shape == [1, 3, 5, 6] && y.shape == expected.shape)
        assertClose(y.scalars, expected.values, rtol: 1e-5, atol: 1e-5)
        GradientCheck().check([x, w]) { convTranspose2d($0[0], weight: $0[1], stride: 1, outputPadding: 1, dilation: 2) }
    }

    @Test func tooSmallInputsAreRejected() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros([1, 1, 2, 2]), weight: Tensor.zeros([1, 1, 3, 3]), stride: 2)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("conv2d: input [1, 1, 2, 2] is too small for kernel [1, 1, 3, 3]"))
        }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 1, 1, 1]).maxPool2d(kernel: 2)
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("maxPool2d: input [1, 1, 1, 1] with padding 0 is smaller than kernel 2"))
        }
    }
}
