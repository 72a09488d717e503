import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

@Suite("Matrix multiplication")
struct MatmulTests {
    @Test func smallExact() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor([7, 8, 9, 10, 11, 12], shape: [3, 2])
        #expect(matmul(a, b).scalars == [58, 64, 139, 154])
        #expect(matmul(a, a, transposeB: true).scalars == [14, 32, 32, 77])
        #expect(matmul(a, a, transposeA: true).shape == [3, 3])
        #expect(matmul(a, Tensor([1, 0, -1])).scalars == [-2, -2])
        #expect(matmul(Tensor([1, 1]), a).scalars == [5, 7, 9])
    }

    @Test(arguments: [(1, 1, 1), (3, 5, 7), (17, 33, 9), (64, 100, 31), (5, 129, 65)])
    func agreesWithOracle(m: Int, k: Int, n: Int) {
        let a = randomTensor([m, k], seed: UInt64(m * 1000 + k))
        let b = randomTensor([k, n], seed: UInt64(n))
        let expected = ReferenceKernels.matmul(a.scalars, b.scalars, m: m, k: k, n: n)
        assertClose(matmul(a, b).scalars, expected, rtol: 1e-5, atol: 1e-5)
        assertClose(matmul(a.transposed(), b, transposeA: true).scalars, expected, rtol: 1e-5, atol: 1e-5)
        assertClose(matmul(a, b.transposed(), transposeB: true).scalars, expected, rtol: 1e-5, atol: 1e-5)
        assertClose(matmul(a.transposed(), b.transposed(), transposeA: true, transposeB: true).scalars, expected, rtol: 1e-5, atol: 1e-5)
    }

    /// Products of 2M multiply-adds or more are split into row blocks (when
    /// M >= N) or column blocks across the workers; odd sizes, every
    /// transpose, strided sub-matrices and beta accumulation must agree with
    /// the oracle.
    @Test(.executionContext(threads: 2), arguments: [(257, 97, 131), (33, 129, 1025), (1000, 3, 700)])
    func splitProductsAgreeWithOracle(m: Int, k: Int, n: Int) {
        #expect(m * k * n >= BLAS.singleThreadedBelow)
        let a = randomTensor([m, k], seed: UInt64(m + k))
        let b = randomTensor([k, n], seed: UInt64(n + 7))
        let expected = ReferenceKernels.matmul(a.scalars, b.scalars, m: m, k: k, n: n)
        assertClose(matmul(a, b).scalars, expected, rtol: 1e-4, atol: 1e-4)
        assertClose(matmul(a.transposed(), b, transposeA: true).scalars, expected, rtol: 1e-4, atol: 1e-4)
        assertClose(matmul(a, b.transposed(), transposeB: true).scalars, expected, rtol: 1e-4, atol: 1e-4)
        assertClose(matmul(a.transposed(), b.transposed(), transposeA: true, transposeB: true).scalars, expected, rtol: 1e-4, atol: 1e-4)

        // C (a block inside a wider matrix, ldc = n + 3) += 2 · A · B.
        let ldc = n + 3
        var c = [Float](repeating: 1, count: m * ldc)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(
                        transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 2, a: pa.baseAddress!, lda: k,
                        b: pb.baseAddress!, ldb: n, beta: 1, c: pc.baseAddress!, ldc: ldc)
                }
            }
        }
        var block: [Float] = []
        var margin: [Float] = []
        for row in 0..<m {
            block += c[(row * ldc)..<(row * ldc + n)]
            margin += c[(row * ldc + n)..<((row + 1) * ldc)]
        }
        assertClose(block, expected.map { 1 + 2 * $0 }, rtol: 1e-4, atol: 1e-4)
        #expect(margin.allSatisfy { $0 == 1 }, "columns outside the block were written")
    }

    @Test func batchedAndBroadcast() {
        let a = randomTensor([2, 3, 4, 5], seed: 1)
        let b = randomTensor([3, 5, 2], seed: 2)
        let c = matmul(a, b)
        #expect(c.shape == [2, 3, 4, 2])
        for i in 0..<2 {
            for j in 0..<3 {
                let left = a.slice(axis: 0, start: i, end: i + 1).slice(axis: 1, start: j, end: j + 1).reshaped([4, 5])
                let right = b.slice(axis: 0, start: j, end: j + 1).reshaped([5, 2])
                let expected = ReferenceKernels.matmul(left.scalars, right.scalars, m: 4, k: 5, n: 2)
                let actual = c.slice(axis: 0, start: i, end: i + 1).slice(axis: 1, start: j, end: j + 1).scalars
                assertClose(actual, expected, rtol: 1e-5, atol: 1e-5)
            }
        }
        // [..., M, K] x [K, N] uses one GEMM.
        let flat = matmul(a, randomTensor([5, 6], seed: 3))
        #expect(flat.shape == [2, 3, 4, 6])
        let single = matmul(a.reshaped([24, 5]), randomTensor([5, 6], seed: 3))
        assertClose(flat.scalars, single.scalars, rtol: 1e-5, atol: 1e-5)
    }

    @Test func matmulGradients() {
        let check = GradientCheck()
        let a = randomTensor([3, 4], seed: 31)
        let b = randomTensor([4, 2], seed: 32)
        check.check([a, b]) { matmul($0[0], $0[1]) }
        check.check([a, b]) { matmul($0[0].transposed(), $0[1].transposed(), transposeA: true, transposeB: true) }
        check.check([a, a]) { matmul($0[0], $0[1], transposeB: true) }
        check.check([a, a]) { matmul($0[0], $0[1], transposeA: true) }
        let batched = randomTensor([2, 3, 4], seed: 33)
        check.check([batched, b]) { matmul($0[0], $0[1]) }
        check.check([b, batched]) { matmul($0[0], $0[1], transposeA: true, transposeB: true) }
        check.check([a, randomTensor([4], seed: 34)]) { matmul($0[0], $0[1]) }
    }
}

@Suite("Fused linear")
struct LinearOpTests {
    /// `linear` equals `matmul(x, Wᵀ) + b` for matrices, vectors, batches of
    /// matrices and an empty feature axis, and its gradients pass the check.
    @Test func agreesWithMatmulPlusBias() {
        let weight = randomTensor([5, 7], seed: 1)
        let bias = randomTensor([5], seed: 2)
        for shape in [[3, 7], [7], [2, 4, 7]] {
            let x = randomTensor(shape, seed: 3)
            let fused = linear(x, weight: weight, bias: bias)
            let reference = matmul(x, weight, transposeB: true) + bias
            #expect(fused.shape == reference.shape)
            assertClose(fused.scalars, reference.scalars, rtol: 1e-6, atol: 1e-6)
            GradientCheck().check([x, weight, bias]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        }
        let empty = linear(Tensor.zeros([2, 0]), weight: Tensor.zeros([3, 0]), bias: bias.slice(axis: 0, start: 0, end: 3))
        assertClose(empty.scalars, Array(bias.scalars.prefix(3)) + Array(bias.scalars.prefix(3)), rtol: 1e-5, atol: 1e-5)
    }
}
