import Foundation
import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

/// SwiftGAN's AVX-512 GEMM kernel against the plain-loop oracle: every
/// transpose combination, both orientations, alpha and beta, strided
/// matrices, and sizes that miss the 6-row tiles, the 16-column vectors, the
/// 64-column tiles, the 8 x 8 transpose blocks and the 512-deep blocks.
@Suite("Native GEMM kernel")
struct NativeGEMMTests {
    /// On a CPU without AVX-512 the kernel must be off, and products go to OpenBLAS.
    @Test func availabilityMatchesTheCPU() {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let hasAVX512 = flags.contains(" avx512f") && flags.contains(" avx512vl") && flags.contains(" fma")
        #if arch(x86_64)
            #expect(NativeGEMM.isAvailable == hasAVX512)
        #else
            #expect(!NativeGEMM.isAvailable)
        #endif
        if !NativeGEMM.isAvailable {
            #expect(ExecutionContext.root.gemm == .openBLAS)
            #expect(withExecutionContext(gemm: .native) { ExecutionContext.current.gemm } == .openBLAS)
        }
    }

    @Test(arguments: [
        (1, 1, 1), (6, 64, 16), (7, 65, 17), (13, 257, 64), (64, 100, 129), (5, 513, 3), (64, 784, 70),
        (30, 9, 200), (3, 0, 5), (8, 1_100, 40)
    ])
    func agreesWithOracle(m: Int, k: Int, n: Int) throws {
        guard NativeGEMM.isAvailable else { return }
        let a = randomTensor([m, k], seed: UInt64(m * 31 + k)).scalars
        let b = randomTensor([k, n], seed: UInt64(n * 17 + k)).scalars
        let product = ReferenceKernels.matmul(a, b, m: m, k: k, n: n)
        let aT = transpose(a, rows: m, columns: k)
        let bT = transpose(b, rows: k, columns: n)
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                for orientation in NativeGEMM.Orientation.allCases {
                    // A bias (on every row of C) comes with beta = 0 only.
                    for (beta, useBias): (Float, Bool) in [(0, false), (0.5, false), (0, true)] {
                        // Operands stored with 3 spare columns per row; C inside a wider matrix.
                        let (lda, storedA) = padded(
                            transposeA ? aT : a, rows: transposeA ? k : m,
                            columns: transposeA ? m : k, extra: 3)
                        let (ldb, storedB) = padded(
                            transposeB ? bT : b, rows: transposeB ? n : k,
                            columns: transposeB ? k : n, extra: 3)
                        let ldc = n + 2
                        var c = (0..<(m * ldc)).map { Float($0 % 7) - 3 }
                        let before = c
                        // With beta == 0, C's old values (here NaN in the block) must not leak in.
                        if beta == 0 { for row in 0..<m { for column in 0..<n { c[row * ldc + column] = .nan } } }
                        let bias = (0..<n).map { Float($0 % 5) - 1.75 }
                        storedA.withUnsafeBufferPointer { pa in
                            storedB.withUnsafeBufferPointer { pb in
                                c.withUnsafeMutableBufferPointer { pc in
                                    bias.withUnsafeBufferPointer { pbias in
                                        NativeGEMM.sgemm(
                                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                            alpha: 1.5, a: pa.baseAddress!, lda: lda, b: pb.baseAddress!,
                                            ldb: ldb, beta: beta, bias: useBias ? pbias.baseAddress : nil,
                                            c: pc.baseAddress!, ldc: ldc, orientation: orientation)
                                    }
                                }
                            }
                        }
                        var block: [Float] = []
                        var expected: [Float] = []
                        var margin: [Float] = []
                        var marginBefore: [Float] = []
                        for row in 0..<m {
                            for column in 0..<ldc {
                                let index = row * ldc + column
                                if column < n {
                                    block.append(c[index])
                                    expected.append(
                                        1.5 * product[row * n + column] + beta * before[index]
                                            + (useBias ? bias[column] : 0))
                                } else {
                                    margin.append(c[index])
                                    marginBefore.append(before[index])
                                }
                            }
                        }
                        assertClose(block, expected, rtol: 1e-4, atol: 1e-4)
                        #expect(
                            margin == marginBefore,
                            "columns outside C were written (\(transposeA), \(transposeB), \(orientation), beta \(beta))")
                    }
                }
            }
        }
    }

    /// A weight-gradient-sized product (k = 64, C above 1 MB) is stored with
    /// non-temporal stores where C's rows are 64-byte aligned: the same
    /// values as the oracle, for aligned rows, unaligned rows (ldc not a
    /// multiple of 16) and a misaligned start, with the margins untouched.
    @Test(arguments: [(640, 0), (642, 0), (640, 3)])
    func largeWriteOnceProductsMatchTheOracle(ldc: Int, offset: Int) {
        guard NativeGEMM.isAvailable else { return }
        let (m, k, n) = (520, 64, 600)
        let a = randomTensor([k, m], seed: 7).scalars  // stored transposed, as a weight gradient's dYᵀ
        let b = randomTensor([k, n], seed: 8).scalars
        let product = ReferenceKernels.matmul(transpose(a, rows: k, columns: m), b, m: m, k: k, n: n)
        let storage = TensorStorage(count: m * ldc + offset, repeating: -7)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                NativeGEMM.sgemm(
                    transposeA: true, transposeB: false, m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!,
                    lda: m, b: pb.baseAddress!, ldb: n, beta: 0, c: storage.pointer + offset, ldc: ldc,
                    orientation: .direct)
            }
        }
        var block: [Float] = []
        var margin: [Float] = []
        for row in 0..<m {
            for column in 0..<ldc {
                let value = storage.pointer[offset + row * ldc + column]
                if column < n { block.append(value) } else { margin.append(value) }
            }
        }
        assertClose(block, product, rtol: 1e-4, atol: 1e-4)
        #expect(margin.allSatisfy { $0 == -7 } && (0..<offset).allSatisfy { storage.pointer[$0] == -7 })
    }

    /// A product with a bias gives the same C split across threads, in both
    /// kernels' paths (OpenBLAS starts C as the bias), as the oracle: split
    /// by rows and by columns.
    @Test(arguments: [(64, 300, 500), (600, 70, 40)])
    func biasOnEveryRowInEveryPath(m: Int, k: Int, n: Int) {
        let a = randomTensor([m, k], seed: 4).scalars
        let w = randomTensor([n, k], seed: 5).scalars
        let bias = randomTensor([n], seed: 6).scalars
        let product = ReferenceKernels.matmul(a, transpose(w, rows: n, columns: k), m: m, k: k, n: n)
        let expected = (0..<(m * n)).map { product[$0] + bias[$0 % n] }
        for native in NativeGEMM.isAvailable ? [false, true] : [false] {
            for threads in [1, 2] {
                var c = [Float](repeating: .nan, count: m * n)
                a.withUnsafeBufferPointer { pa in
                    w.withUnsafeBufferPointer { pw in
                        bias.withUnsafeBufferPointer { pbias in
                            c.withUnsafeMutableBufferPointer { pc in
                                BLAS.call(
                                    false, true, m, n, k, 1, pa.baseAddress!, k, pw.baseAddress!, k, 0,
                                    pbias.baseAddress!, pc.baseAddress!, n, workers: threads, native: native)
                            }
                        }
                    }
                }
                assertClose(c, expected, rtol: 1e-4, atol: 1e-4)
            }
        }
    }

    /// A linear layer's forward product at batch 64 runs transposed (the
    /// weight is never copied); its gradients run direct.
    @Test func orientationOfLinearLayerProducts() {
        #expect(NativeGEMM.orientation(transposeA: false, transposeB: true, m: 64, n: 1024, k: 784) == .transposed)
        #expect(NativeGEMM.orientation(transposeA: false, transposeB: false, m: 64, n: 784, k: 1024) == .direct)
        #expect(NativeGEMM.orientation(transposeA: true, transposeB: false, m: 1024, n: 784, k: 64) == .direct)
    }

    /// A split product's parts all run in the orientation chosen for the
    /// whole product, so 1 and 2 threads give the same bits (here a linear
    /// layer's forward product, with its bias added as C is stored).
    /// (The native kernel's promise: OpenBLAS, which `SWIFTGAN_GEMM=openblas`
    /// makes the root's, may pick other kernels for the smaller parts.)
    @Test func resultsDoNotDependOnTheThreadCount() {
        guard NativeGEMM.isAvailable else { return }
        let x = randomTensor([64, 300], seed: 1)
        let weight = randomTensor([500, 300], seed: 2)
        let bias = randomTensor([500], seed: 3)
        let single = withExecutionContext(threads: 1, gemm: .native) { linear(x, weight: weight, bias: bias).scalars }
        let split = withExecutionContext(threads: 2, gemm: .native) { linear(x, weight: weight, bias: bias).scalars }
        #expect(single == split)
        assertClose(
            single,
            zip(matmul(x, weight, transposeB: true).scalars, (0..<(64 * 500)).map { bias.scalars[$0 % 500] })
                .map { $0 + $1 }, rtol: 1e-5, atol: 1e-5)
    }

    private func transpose(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for row in 0..<rows { for column in 0..<columns { out[column * rows + row] = values[row * columns + column] } }
        return out
    }

    /// `values` ([rows, columns]) stored with `extra` unused (NaN) columns per row, and its row stride.
    private func padded(_ values: [Float], rows: Int, columns: Int, extra: Int) -> (Int, [Float]) {
        let stride = columns + extra
        var out = [Float](repeating: .nan, count: Swift.max(1, rows * stride))
        for row in 0..<rows { for column in 0..<columns { out[row * stride + column] = values[row * columns + column] } }
        return (stride, out)
    }
}
