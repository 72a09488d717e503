import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

@Suite("Fused batch normalisation")
struct BatchNormalizationTests {
    /// The op spelled out in tensor ops: the oracle for the fused kernels.
    static func composed(_ x: Tensor, _ weight: Tensor?, _ bias: Tensor?, epsilon: Float) -> Tensor {
        let axes = [0] + Array(2..<x.rank)
        var statisticsShape = [Int](repeating: 1, count: x.rank)
        statisticsShape[1] = x.shape[1]
        let centred = x - x.mean(axes: axes, keepDims: true)
        let normalized = centred / ((centred * centred).mean(axes: axes, keepDims: true) + epsilon).sqrt()
        guard let weight, let bias else { return normalized }
        return normalized * weight.reshaped(statisticsShape) + bias.reshaped(statisticsShape)
    }

    // Shapes whose runs miss the 8-lane width (inner 1, 7, 13) and meet it (16).
    static let shapes: [[Int]] = [[5, 3], [4, 3, 7], [3, 2, 13, 1], [2, 4, 4, 4], [6, 5, 3, 3]]

    @Test(arguments: shapes)
    func forwardAgreesWithTensorOps(shape: [Int]) {
        let x = randomTensor(shape, seed: 1, low: -2, high: 3)
        let weight = randomTensor([shape[1]], seed: 2)
        let bias = randomTensor([shape[1]], seed: 3)
        let fused = x.batchNormalized(weight: weight, bias: bias, epsilon: 1e-5)
        assertClose(fused.output.scalars, Self.composed(x, weight, bias, epsilon: 1e-5).scalars, rtol: 1e-5, atol: 1e-5)
        let axes = [0] + Array(2..<shape.count)
        assertClose(fused.mean.scalars, x.mean(axes: axes).scalars, rtol: 1e-6, atol: 1e-6)
        let centred = x - x.mean(axes: axes, keepDims: true)
        assertClose(fused.variance.scalars, (centred * centred).mean(axes: axes).scalars, rtol: 1e-5, atol: 1e-5)
        let plain = x.batchNormalized(weight: nil, bias: nil, epsilon: 0.5)
        assertClose(plain.output.scalars, Self.composed(x, nil, nil, epsilon: 0.5).scalars, rtol: 1e-5, atol: 1e-5)
    }

    /// A large channel mean next to a small spread: the output is centred
    /// before scaling, so it keeps its precision.
    @Test func largeMeanKeepsPrecision() {
        let x = randomTensor([8, 2, 5, 5], seed: 4) * 0.01 + 1000
        let fused = x.batchNormalized(weight: nil, bias: nil, epsilon: 1e-5)
        let reference = Self.composed(x.detached(), nil, nil, epsilon: 1e-5)
        assertClose(fused.output.scalars, reference.scalars, rtol: 2e-2, atol: 2e-2)
    }

    @Test(arguments: shapes)
    func fusedGradientsPassTheGradientCheck(shape: [Int]) {
        let x = randomTensor(shape, seed: 5)
        let weight = randomTensor([shape[1]], seed: 6)
        let bias = randomTensor([shape[1]], seed: 7)
        GradientCheck().check([x, weight, bias]) { $0[0].batchNormalized(weight: $0[1], bias: $0[2], epsilon: 1e-3).output }
        GradientCheck().check([x]) { $0[0].batchNormalized(weight: nil, bias: nil, epsilon: 1e-3).output }
    }

    /// The fused first-order backward kernel and the recorded tensor-op
    /// rule give the same gradients.
    @Test(arguments: shapes)
    func fusedAndRecordedBackwardAgree(shape: [Int]) {
        let x = randomTensor(shape, seed: 8).requiringGradient()
        let weight = randomTensor([shape[1]], seed: 9).requiringGradient()
        let bias = randomTensor([shape[1]], seed: 10).requiringGradient()
        let seed = randomTensor(shape, seed: 11)
        let loss = (x.batchNormalized(weight: weight, bias: bias, epsilon: 1e-5).output * seed).sum()
        let fused = gradients(of: loss, withRespectTo: [x, weight, bias])
        let recorded = gradients(of: loss, withRespectTo: [x, weight, bias], createGraph: true)
        for (a, b) in zip(fused, recorded) { assertClose(a.scalars, b.scalars, rtol: 1e-4, atol: 1e-4) }
    }

    /// Second order: the gradient of ‖d loss / dx‖² with respect to x and
    /// the weight, through the recorded rule, against finite differences.
    @Test func secondOrderGradients() {
        let x = randomTensor([4, 2, 3], seed: 12)
        let weight = randomTensor([2], seed: 13)
        let bias = randomTensor([2], seed: 14)
        let seed = randomTensor([4, 2, 3], seed: 15)
        GradientCheck(absoluteTolerance: 1e-2, relativeTolerance: 5e-2).check([x, weight]) { inputs in
            let input = inputs[0]
            let inner = withGradientRecording(true) { () -> Tensor in
                let leaf = input.node == nil ? input.requiringGradient() : input
                let loss = (leaf.batchNormalized(weight: inputs[1], bias: bias, epsilon: 1e-2).output.tanh() * seed).sum()
                let dx = gradients(of: loss, withRespectTo: [leaf], createGraph: true)[0]
                return (dx * dx).sum()
            }
            return inner.reshaped([1])
        }
    }
}
