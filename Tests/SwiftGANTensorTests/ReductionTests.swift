import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

@Suite("Reductions")
struct ReductionTests {
    let x = Tensor.arange(0, 24).reshaped([2, 3, 4])

    @Test func sums() {
        #expect(x.sum().item == 276)
        #expect(x.sum(axes: [0]).shape == [3, 4])
        #expect(x.sum(axes: [0])[2, 3] == 11 + 23)
        #expect(x.sum(axes: [1], keepDims: true).shape == [2, 1, 4])
        #expect(x.sum(axes: [1]).scalars == [12, 15, 18, 21, 48, 51, 54, 57])
        #expect(x.sum(axes: [-1]).scalars == [6, 22, 38, 54, 70, 86])
        #expect(x.sum(axes: [0, 2]).scalars == [60, 92, 124])
        #expect(x.sum(axes: [0, 1, 2], keepDims: true).shape == [1, 1, 1])
        // Long contiguous sums use the vector path.
        let long = Tensor.ones([1001])
        #expect(long.sum().item == 1001)
    }

    @Test func meanVarianceNorm() {
        assertClose(x.mean(axes: [2]).scalars, [1.5, 5.5, 9.5, 13.5, 17.5, 21.5], rtol: 1e-5, atol: 1e-5)
        assertClose(Tensor([1, 2, 3, 4]).variance().scalars, [1.6666666], rtol: 1e-5, atol: 1e-5)
        assertClose(Tensor([1, 2, 3, 4]).variance(correction: 0).scalars, [1.25], rtol: 1e-5, atol: 1e-5)
        assertClose(Tensor([3, 4]).norm().scalars, [5], rtol: 1e-5, atol: 1e-5)
        assertClose(Tensor([3, 4, 6, 8], shape: [2, 2]).norm(axes: [1]).scalars, [5, 10], rtol: 1e-5, atol: 1e-5)
        assertClose(x.variance(axes: [0, 2], correction: 0).scalars, [37.25, 37.25, 37.25], rtol: 1e-5, atol: 1e-5)
    }

    @Test func maxAndArgmax() {
        let t = Tensor([1, 5, 3, 7, 2, 7], shape: [2, 3])
        let (values, indices) = t.max(axis: 1)
        #expect(values.scalars == [5, 7])
        #expect(indices == [1, 0])
        #expect(t.max(axis: 0).indices == [1, 0, 1])
        #expect(t.max().item == 7)
        #expect(t.min(axes: [1]).scalars == [1, 2])
        #expect(t.argmax(axis: -1) == [1, 0])
        #expect(x.max(axes: [0, 2], keepDims: true).scalars == [15, 19, 23])
        let withNaN = Tensor([1, .nan, 3])
        #expect(withNaN.max().item.isNaN)
    }

    @Test func reductionGradients() {
        let check = GradientCheck()
        let a = randomTensor([2, 3, 4], seed: 11)
        check.check([a]) { $0[0].sum() }
        check.check([a]) { $0[0].sum(axes: [1]) }
        check.check([a]) { $0[0].sum(axes: [0, 2], keepDims: true) }
        check.check([a]) { $0[0].mean(axes: [2]) }
        check.check([a]) { $0[0].variance(axes: [1, 2]) }
        check.check([a]) { $0[0].norm() }
        check.check([a]) { $0[0].norm(axes: [1, 2]) }
        // Distinct values at least 0.1 apart, so a finite-difference step
        // never changes which element is the maximum.
        var random = RandomGenerator(seed: 12)
        let spread = Tensor(random.permutation(24).map { Float($0) * 0.1 }, shape: [2, 3, 4])
        check.check([spread]) { $0[0].max(axis: 1).values }
        check.check([spread]) { $0[0].max(axes: [0, 2]) }
        check.check([a]) { $0[0].sum(toShape: [3, 1]) }
    }
}
