import Testing

@testable import SwiftGANTensor

@Suite("Shape ops")
struct ShapeTests {
    let x = Tensor.arange(0, 24).reshaped([2, 3, 4])

    @Test func reshapeFlattenSqueeze() {
        #expect(x.reshaped([6, -1]).shape == [6, 4])
        #expect(x.flattened().shape == [24])
        #expect(x.flattened(startAxis: 1).shape == [2, 12])
        #expect(x.reshaped([2, 1, 12]).squeezing().shape == [2, 12])
        #expect(x.unsqueezed(axis: -1).shape == [2, 3, 4, 1])
        #expect(x.unsqueezed(axis: 0).shape == [1, 2, 3, 4])
    }

    @Test func permuteTranspose() {
        let p = x.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(p[3, 1, 2] == x[1, 2, 3])
        let t = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]).transposed()
        #expect(t.shape == [3, 2] && t.scalars == [1, 4, 2, 5, 3, 6])
    }

    @Test func expand() {
        let e = Tensor([1, 2, 3], shape: [3, 1]).expanded(to: [2, 3, 2])
        #expect(e.shape == [2, 3, 2])
        #expect(e.scalars == [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
    }

    @Test func concatStackSplitSlice() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2])
        let b = Tensor([5, 6], shape: [2, 1])
        let c = concat([a, b], axis: 1)
        #expect(c.shape == [2, 3] && c.scalars == [1, 2, 5, 3, 4, 6])
        #expect(concat([a, a], axis: 0).scalars == [1, 2, 3, 4, 1, 2, 3, 4])
        let s = stack([a, a * 10], axis: 1)
        #expect(s.shape == [2, 2, 2] && s.scalars == [1, 2, 10, 20, 3, 4, 30, 40])
        let parts = c.split(sizes: [2, 1], axis: 1)
        #expect(parts[0] == a && parts[1] == b)
        #expect(x.slice(axis: 2, start: 1, end: 3).scalars == [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22])
        #expect(x.chunked(2, axis: 2).map(\.shape) == [[2, 3, 2], [2, 3, 2]])
    }

    @Test func indexSelectAndPad() {
        let table = Tensor.arange(0, 6).reshaped([3, 2])
        let rows = table.indexSelect([2, 0, 2])
        #expect(rows.shape == [3, 2] && rows.scalars == [4, 5, 0, 1, 4, 5])
        let padded = Tensor([1, 2, 3, 4], shape: [2, 2]).padded([(1, 0), (0, 2)], value: -1)
        #expect(padded.shape == [3, 4])
        #expect(padded.scalars == [-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1])
        #expect(Tensor([1, 2]).padded([(2, 1)]).scalars == [0, 0, 1, 2, 0])
    }

    @Test func shapeGradients() {
        let check = GradientCheck()
        let a = randomTensor([2, 3, 4], seed: 21)
        let b = randomTensor([2, 1, 4], seed: 22)
        check.check([a]) { $0[0].reshaped([4, 6]) * $0[0].reshaped([4, 6]) }
        check.check([a]) { $0[0].permuted([1, 2, 0]) }
        check.check([a]) { $0[0].transposed(0, 2) }
        check.check([b]) { $0[0].expanded(to: [3, 2, 5, 4]) }
        check.check([a, b]) { concat([$0[0], $0[1]], axis: 1) }
        check.check([a, a * 2]) { stack([$0[0], $0[1]], axis: 2) }
        check.check([a]) { $0[0].split(sizes: [1, 2], axis: 1)[1] }
        check.check([a]) { $0[0].slice(axis: 2, start: 1, end: 3) }
        check.check([a]) { $0[0].indexSelect([1, 1, 0]) }
        check.check([a]) { $0[0].padded([(1, 2), (0, 1)], value: 0.5) }
    }
}
