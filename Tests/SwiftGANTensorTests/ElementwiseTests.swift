import Foundation
import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

@Suite("Elementwise ops")
struct ElementwiseTests {
    @Test func arithmeticForward() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2])
        let b = Tensor([10, 20, 30, 40], shape: [2, 2])
        #expect((a + b).scalars == [11, 22, 33, 44])
        #expect((b - a).scalars == [9, 18, 27, 36])
        #expect((a * b).scalars == [10, 40, 90, 160])
        #expect((b / a).scalars == [10, 10, 10, 10])
        #expect((-a).scalars == [-1, -2, -3, -4])
        #expect((2 * a + 1).scalars == [3, 5, 7, 9])
        #expect((1 - a / 2).scalars == [0.5, 0, -0.5, -1])
        #expect(a.pow(2).scalars == [1, 4, 9, 16])
        #expect(a.pow(Tensor([2, 0.5], shape: [2])).scalars == [1, Float(2).squareRoot(), 9, 2])
    }

    @Test func broadcastingEdgeCases() {
        let column = Tensor([1, 2, 3], shape: [3, 1])
        let row = Tensor([10, 20], shape: [2])
        let sum = column + row
        #expect(sum.shape == [3, 2])
        #expect(sum.scalars == [11, 21, 12, 22, 13, 23])
        // Scalar tensor with any rank.
        #expect((Tensor(1) + Tensor.zeros([2, 1, 2])).shape == [2, 1, 2])
        // Leading axes added on both sides, size-1 in the middle.
        let a = Tensor.arange(0, 6).reshaped([2, 1, 3])
        let b = Tensor.arange(0, 4).reshaped([4, 1])
        let c = a * b
        #expect(c.shape == [2, 4, 3])
        #expect(c[1, 3, 2] == 5 * 3)
        #expect(c[0, 2, 1] == 1 * 2)
        // Bias in NCHW.
        let image = Tensor.zeros([2, 3, 2, 2])
        let bias = Tensor([1, 2, 3]).reshaped([1, 3, 1, 1])
        let biased = image + bias
        #expect(biased[1, 2, 1, 0] == 3 && biased[0, 0, 0, 1] == 1)
        // Empty tensors broadcast to empty results.
        #expect((Tensor.zeros([0, 3]) + Tensor.ones([3])).shape == [0, 3])
    }

    @Test func mathForward() {
        let x = Tensor([-2, -0.5, 0, 0.5, 2])
        assertClose(x.exp().scalars, x.scalars.map { Foundation.exp($0) }, rtol: 1e-5, atol: 1e-5)
        assertClose(x.abs().scalars, [2, 0.5, 0, 0.5, 2], rtol: 1e-5, atol: 1e-5)
        assertClose(x.abs().sqrt().scalars, x.scalars.map { Swift.abs($0).squareRoot() }, rtol: 1e-5, atol: 1e-5)
        assertClose(Tensor([1, 2.718281828]).log().scalars, [0, 1], rtol: 1e-5, atol: 1e-5)
        assertClose(x.clamp(min: -1, max: 1).scalars, [-1, -0.5, 0, 0.5, 1], rtol: 1e-5, atol: 1e-5)
        assertClose(x.clamp(min: 0).scalars, [0, 0, 0, 0.5, 2], rtol: 1e-5, atol: 1e-5)
        assertClose(x.minimum(Tensor(0.1)).scalars, [-2, -0.5, 0, 0.1, 0.1], rtol: 1e-5, atol: 1e-5)
        assertClose(x.maximum(Tensor(0.1)).scalars, [0.1, 0.1, 0.1, 0.5, 2], rtol: 1e-5, atol: 1e-5)
    }

    @Test func comparisonsAndWhere() {
        let a = Tensor([1, 2, 3])
        let b = Tensor([3, 2, 1])
        #expect(a.less(b).scalars == [1, 0, 0])
        #expect(a.lessEqual(b).scalars == [1, 1, 0])
        #expect(a.greater(b).scalars == [0, 0, 1])
        #expect(a.greaterEqual(b).scalars == [0, 1, 1])
        #expect(a.equal(b).scalars == [0, 1, 0])
        #expect(a.notEqual(b).scalars == [1, 0, 1])
        #expect(`where`(a.greater(Tensor(1.5)), a, Tensor(-1)).scalars == [-1, 2, 3])
    }

    @Test func activationsForward() {
        let x = Tensor([-3, -1, 0, 1, 3])
        assertClose(x.relu().scalars, [0, 0, 0, 1, 3], rtol: 1e-5, atol: 1e-5)
        assertClose(x.leakyRelu(0.2).scalars, [-0.6, -0.2, 0, 1, 3], rtol: 1e-5, atol: 1e-5)
        assertClose(x.tanh().scalars, x.scalars.map { Foundation.tanh($0) }, rtol: 1e-5, atol: 1e-5)
        assertClose(x.sigmoid().scalars, x.scalars.map { 1 / (1 + Foundation.exp(-$0)) }, rtol: 1e-5, atol: 1e-5)
        assertClose(x.softplus().scalars, x.scalars.map { Foundation.log(1 + Foundation.exp($0)) }, rtol: 1e-5, atol: 1e-5)
        assertClose(x.elu().scalars, x.scalars.map { $0 > 0 ? $0 : Foundation.exp($0) - 1 }, rtol: 1e-5, atol: 1e-5)
        assertClose(x.logSigmoid().scalars, x.scalars.map { -Foundation.log(1 + Foundation.exp(-$0)) }, rtol: 1e-5, atol: 1e-5)
    }

    @Test func stableAtExtremes() {
        let big = Tensor([-100, 100, -1000, 1000])
        #expect(big.sigmoid().scalars == [0, 1, 0, 1] || big.sigmoid().scalars.allSatisfy { $0.isFinite })
        assertClose(big.softplus().scalars, [0, 100, 0, 1000], rtol: 1e-5, atol: 1e-5)
        assertClose(big.logSigmoid().scalars, [-100, 0, -1000, 0], rtol: 1e-5, atol: 1e-5)
        let logits = Tensor([1000, 0, -1000, 1, 2, 3], shape: [2, 3])
        let logProbabilities = logits.logSoftmax(axis: 1)
        #expect(logProbabilities.scalars.allSatisfy { $0.isFinite })
        assertClose(logProbabilities.scalars[0...0].map { $0 }, [0], rtol: 1e-5, atol: 1e-5)
        let softmax = logits.softmax(axis: 1)
        assertClose(softmax.sum(axes: [1]).scalars, [1, 1], rtol: 1e-5, atol: 1e-5)
        let e = [Foundation.exp(Float(1)), Foundation.exp(Float(2)), Foundation.exp(Float(3))]
        let total = e.reduce(0, +)
        assertClose(Array(softmax.scalars[3...]), e.map { $0 / total }, rtol: 1e-5, atol: 1e-5)
    }

    @Test func elementwiseGradients() {
        let check = GradientCheck()
        let x = awayFromZero([2, 3], seed: 1)
        let y = awayFromZero([2, 3], seed: 2)
        check.check([x, y]) { $0[0] + $0[1] }
        check.check([x, y]) { $0[0] - $0[1] }
        check.check([x, y]) { $0[0] * $0[1] }
        check.check([x, y]) { $0[0] / $0[1] }
        check.check([x]) { -$0[0] }
        check.check([x]) { $0[0].exp() }
        check.check([x]) { $0[0].abs() }
        check.check([x]) { $0[0].abs().log() }
        check.check([x]) { $0[0].abs().sqrt() }
        check.check([x]) { $0[0].pow(3) }
        check.check([x, y]) { ($0[0].abs() + 0.5).pow($0[1]) }
        check.check([x]) { $0[0].clamp(min: -0.5, max: 0.5) }
        check.check([x, y]) { $0[0].minimum($0[1]) }
        check.check([x, y]) { $0[0].maximum($0[1]) }
        check.check([x, y]) { `where`(x.greater(Tensor(0)), $0[0], $0[1]) }
    }

    @Test func broadcastGradients() {
        let check = GradientCheck()
        let a = awayFromZero([2, 1, 3], seed: 3)
        let b = awayFromZero([4, 1], seed: 4)
        let s = awayFromZero([], seed: 5)
        check.check([a, b]) { $0[0] * $0[1] }
        check.check([a, b]) { $0[0] / $0[1] }
        check.check([a, s]) { $0[0] - $0[1] }
        check.check([a, b]) { $0[0].maximum($0[1]) }
    }

    @Test func activationGradients() {
        let check = GradientCheck()
        let x = awayFromZero([3, 4], seed: 6)
        check.check([x]) { $0[0].relu() }
        check.check([x]) { $0[0].leakyRelu(0.2) }
        check.check([x]) { $0[0].tanh() }
        check.check([x]) { $0[0].sigmoid() }
        check.check([x]) { $0[0].softplus() }
        check.check([x]) { $0[0].elu(alpha: 0.7) }
        check.check([x]) { $0[0].logSigmoid() }
        check.check([x * 3]) { $0[0].logSoftmax(axis: 1) }
        check.check([x * 3]) { $0[0].softmax(axis: 0) }
        check.check([x]) { $0[0].logSumExp(axes: [0, 1]) }
    }

    /// The vector tanh (glibc's libmvec) against the scalar one: within a
    /// few ulp over [-12, 12], exact limits, NaN kept, and every tail length
    /// of the 16-lane loop.
    @Test func vectorTanhMatchesScalar() {
        var values: [Float] = (0..<4_801).map { Float($0 - 2_400) / 200 }  // [-12, 12] in steps of 0.005
        values += [0, -0, 1e-8, -1e-8, 1e-30, 88, -88, 1e30, -1e30, .infinity, -.infinity, .nan, .leastNonzeroMagnitude]
        for count in [values.count, 1, 15, 16, 17, 33] {
            let slice = Array(values.suffix(count))
            let actual = Tensor(slice, shape: [count]).tanh().scalars
            for (x, y) in zip(slice, actual) {
                let expected = Foundation.tanh(x)
                if x.isNaN {
                    #expect(y.isNaN)
                } else {
                    #expect(Swift.abs(y - expected) <= 4 * expected.ulp || y == expected, "tanh(\(x)) = \(y), expected \(expected)")
                    #expect(Swift.abs(y) <= 1)
                }
            }
        }
        #expect(Tensor([Float.infinity, -Float.infinity, 20, -20], shape: [4]).tanh().scalars == [1, -1, 1, -1])
    }

    /// The vector Adam update (16 or 4 lanes, masked tails) gives exactly
    /// the bits of the scalar formula, every operation rounded in order,
    /// for every tail length, zero and huge gradients included.
    @Test(arguments: [1, 5, 15, 16, 17, 31, 64, 1_003])
    func vectorAdamStepMatchesTheScalarFormula(count: Int) {
        var random = RandomGenerator(seed: UInt64(count))
        var gradient = Tensor.normal([count], random: &random).scalars
        gradient[0] = 0
        if count > 2 {
            gradient[1] = 3e18
            gradient[2] = -1e-30
        }
        var p = Tensor.normal([count], random: &random).scalars
        var m = Tensor.normal([count], std: 0.1, random: &random).scalars
        var v = Tensor.uniform([count], low: 0, high: 0.01, random: &random).scalars
        let (b1, b2, size, root, eps): (Float, Float, Float, Float, Float) = (0.9, 0.999, 2e-4 / 0.875, 0.0447, 1e-8)
        var expectedP = p
        var expectedM = m
        var expectedV = v
        for i in 0..<count {
            let g = gradient[i]
            let first = b1 * m[i] + (1 - b1) * g
            let second = b2 * v[i] + (1 - b2) * g * g
            expectedM[i] = first
            expectedV[i] = second
            expectedP[i] = p[i] - size * first / (second.squareRoot() / root + eps)
        }
        gradient.withUnsafeBufferPointer { g in
            p.withUnsafeMutableBufferPointer { pp in
                m.withUnsafeMutableBufferPointer { mm in
                    v.withUnsafeMutableBufferPointer { vv in
                        VectorMath.adamStep(
                            count: count, parameter: pp.baseAddress!, gradient: g.baseAddress!,
                            expAvg: mm.baseAddress!, expAvgSq: vv.baseAddress!, beta1: b1, beta2: b2,
                            stepSize: size, correction2Root: root, epsilon: eps)
                    }
                }
            }
        }
        #expect(p.map(\.bitPattern) == expectedP.map(\.bitPattern))
        #expect(m.map(\.bitPattern) == expectedM.map(\.bitPattern))
        #expect(v.map(\.bitPattern) == expectedV.map(\.bitPattern))
    }
}
