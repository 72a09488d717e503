import SwiftGANTensor

/// Measures the engine's matmul and convolution throughput next to the raw
/// `cblas_sgemm` rate at the same GEMM shapes, in one process.
struct EngineBenchmark {
    struct Row {
        var name: String
        /// Median engine rate over the repeats.
        var engineGFLOPS: Double
        /// Median sgemm rate over the repeats.
        var sgemmGFLOPS: Double
        /// Median of the per-repeat ratios (engine and sgemm timed back to
        /// back in each repeat, so machine noise affects both alike).
        var ratio: Double
    }

    var warmup: Int
    var iterations: Int
    var repeats: Int

    /// Times `engine` and a raw sgemm of `[m, k] x [k, n]` alternately and
    /// returns the medians; `flops` is the engine case's work per call.
    func compare(name: String, flops: Double, m: Int, k: Int, n: Int, _ engine: () -> Void) -> Row {
        var random = RandomGenerator(seed: 1)
        let a = Tensor.normal([m, k], random: &random)
        let b = Tensor.normal([k, n], random: &random)
        var c = Tensor.zeros([m, n])
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    let sgemm = {
                        BLAS.openBLASSgemm(
                            transposeA: false, transposeB: false, m: m, n: n, k: k,
                            a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
                    }
                    for _ in 0..<warmup {
                        engine()
                        sgemm()
                    }
                    var engineRates: [Double] = []
                    var sgemmRates: [Double] = []
                    var ratios: [Double] = []
                    for _ in 0..<repeats {
                        let engineSeconds = Timing.seconds { for _ in 0..<iterations { engine() } } / Double(iterations)
                        let sgemmSeconds = Timing.seconds { for _ in 0..<iterations { sgemm() } } / Double(iterations)
                        let engineRate = flops / engineSeconds / 1e9
                        let sgemmRate = 2.0 * Double(m * k * n) / sgemmSeconds / 1e9
                        engineRates.append(engineRate)
                        sgemmRates.append(sgemmRate)
                        ratios.append(engineRate / sgemmRate)
                    }
                    return Row(
                        name: name, engineGFLOPS: Timing.median(engineRates),
                        sgemmGFLOPS: Timing.median(sgemmRates), ratio: Timing.median(ratios))
                }
            }
        }
    }

    /// Engine `matmul` (no autodiff) at `[m, k] x [k, n]`.
    func matmulRow(m: Int, k: Int, n: Int) -> Row {
        var random = RandomGenerator(seed: 2)
        let a = Tensor.normal([m, k], random: &random)
        let b = Tensor.normal([k, n], random: &random)
        return compare(name: "matmul \(m)x\(k)x\(n)", flops: 2.0 * Double(m * k * n), m: m, k: k, n: n) {
            _ = matmul(a, b)
        }
    }

    /// A convolution layer's forward plus both backward passes (input and
    /// weight gradients), against sgemm at its forward GEMM shape.
    func convolutionRow(
        name: String, input: [Int], weight: [Int], transposed: Bool,
        stride: Int, padding: Int
    ) -> Row {
        var random = RandomGenerator(seed: 3)
        let x = Tensor.normal(input, random: &random).requiringGradient()
        let w = Tensor.normal(weight, std: 0.02, random: &random).requiringGradient()
        func layer() -> Tensor {
            transposed
                ? convTranspose2d(x, weight: w, stride: SpatialSize(stride), padding: SpatialSize(padding))
                : conv2d(x, weight: w, stride: SpatialSize(stride), padding: SpatialSize(padding))
        }
        let output = withoutGradients { layer() }
        let seed = Tensor.ones(output.shape)
        // The GEMM of the convolution: [O, C*k*k] x [C*k*k, N*L] where the
        // "convolution" is the forward one (for a transposed layer, its adjoint).
        let (big, small) = transposed ? (output, x) : (x, output)
        let outChannels = small.shape[1]
        let patch = big.shape[1] * weight[2] * weight[3]
        let columns = small.shape[0] * small.shape[2] * small.shape[3]
        let flops = 3 * 2.0 * Double(outChannels * patch * columns)
        return compare(name: name, flops: flops, m: outChannels, k: patch, n: columns) {
            let y = layer()
            _ = gradients(of: y, withRespectTo: [x, w], seed: seed)
        }
    }

    /// The GAN-sized cases of the foundation issue.
    func run() -> [Row] {
        var rows = [
            matmulRow(m: 64, k: 100, n: 256),
            matmulRow(m: 64, k: 1024, n: 784),
            matmulRow(m: 64, k: 784, n: 1024),
            // The MLP's weight gradients: [out, 64] x [64, in], a batch-64 inner dimension.
            matmulRow(m: 1024, k: 64, n: 784),
            matmulRow(m: 784, k: 64, n: 1024)
        ]
        // DCGAN on 28x28, batch 64.
        rows.append(
            convolutionRow(
                name: "conv2d 1->64 k4s2p1 28->14", input: [64, 1, 28, 28], weight: [64, 1, 4, 4],
                transposed: false, stride: 2, padding: 1))
        rows.append(
            convolutionRow(
                name: "conv2d 64->128 k4s2p1 14->7", input: [64, 64, 14, 14], weight: [128, 64, 4, 4],
                transposed: false, stride: 2, padding: 1))
        rows.append(
            convolutionRow(
                name: "convT 100->256 k7s1p0 1->7", input: [64, 100, 1, 1], weight: [100, 256, 7, 7],
                transposed: true, stride: 1, padding: 0))
        rows.append(
            convolutionRow(
                name: "convT 256->128 k4s2p1 7->14", input: [64, 256, 7, 7], weight: [256, 128, 4, 4],
                transposed: true, stride: 2, padding: 1))
        rows.append(
            convolutionRow(
                name: "convT 128->1 k4s2p1 14->28", input: [64, 128, 14, 14], weight: [128, 1, 4, 4],
                transposed: true, stride: 2, padding: 1))
        return rows
    }
}
