import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the Winograd path splits a stride-2, 4x4, padding-1 convolution
/// (DCGAN's up- and down-sampling layer) into blocks of samples; nil for
/// every other convolution, which goes through im2col.
///
/// Each block of `lanes` samples (a multiple of 8, padded with zero lanes)
/// becomes 25 GEMMs, one per transform point, of `[O, 4C] x [4C, T]` with
/// `T = tiles x lanes`. For a 7x7 output (2x2 tiles) that is 4 phases x
/// 4 tiles x 25 = 400 multiply-adds per input/output channel pair, against
/// 16 taps x 49 pixels = 784 for im2col: 0.51 of the work.
struct WinogradPlan {
    let channels: Int, outChannels: Int
    let height: Int, width: Int, outHeight: Int, outWidth: Int
    let tilesH: Int, tilesW: Int
    /// Samples per block, a multiple of 8.
    let lanes: Int
    let batch: Int

    /// Tiles per sample.
    var tileCount: Int { tilesH * tilesW }
    /// Columns of every GEMM: `tiles x lanes`.
    var columns: Int { tileCount * lanes }
    /// Rows of a transformed input: 4 phases x C.
    var depth: Int { 4 * channels }
    var blockCount: Int { (batch + lanes - 1) / lanes }
    /// Floats from one transform point's matrix to the next. The matrices
    /// are padded by two cache lines: their sizes are often powers of two,
    /// and 25 streams that far apart would compete for the same cache sets.
    var inputPointStride: Int { depth * columns + 32 }
    var outputPointStride: Int { outChannels * columns + 32 }
    var kernelPointStride: Int { outChannels * depth + 32 }

    /// Fewer channels than this make GEMMs too thin to gain.
    static let minimumChannels = 8
    /// GEMM columns a block aims at.
    static let targetColumns = 128

    /// The plan for `g`, or nil when `g` is not such a convolution or (unless
    /// `force`) when Winograd would not gain; the lanes follow the current
    /// context's thread count. Whether the context allows Winograd at all is
    /// `ConvolutionPlan`'s decision.
    init?(_ g: ConvolutionGeometry, force: Bool = false, minimumTiles: Int = ExecutionContext.current.winogradMinimumTiles) {
        guard
            g.kernelHeight == 4 && g.kernelWidth == 4 && g.strideH == 2 && g.strideW == 2
                && g.padH == 1 && g.padW == 1 && g.dilationH == 1 && g.dilationW == 1
                && g.height % 2 == 0 && g.width % 2 == 0 && g.height >= 2 && g.width >= 2
                && g.outHeight == g.height / 2 && g.outWidth == g.width / 2 && g.batch > 0
        else { return nil }
        channels = g.inChannels
        outChannels = g.outChannels
        height = g.height
        width = g.width
        outHeight = g.outHeight
        outWidth = g.outWidth
        tilesH = (outHeight + 3) / 4
        tilesW = (outWidth + 3) / 4
        batch = g.batch
        // Per phase and channel pair: 25 products per 4x4 tile against 4
        // per output pixel directly. Taken when that is at most 3/4 of the
        // direct work, i.e. when the tiles are mostly full.
        let winogradWork = 25 * tilesH * tilesW
        let directWork = 4 * outHeight * outWidth
        guard
            force
                || (channels >= Self.minimumChannels && outChannels >= Self.minimumChannels
                    && 4 * winogradWork <= 3 * directWork && tilesH * tilesW * batch >= minimumTiles)
        else { return nil }
        let roundUp = { (value: Int) in (value + 7) / 8 * 8 }
        let wanted = roundUp((Self.targetColumns + tilesH * tilesW - 1) / (tilesH * tilesW))
        var lanes = Swift.min(roundUp(batch), wanted)
        let workers = Parallel.workerCount
        if workers > 1 && batch > 8 {
            // Blocks in whole rounds of one per worker, each at most `wanted` lanes.
            let rounds = Swift.max(1, (batch + workers * wanted - 1) / (workers * wanted))
            lanes = roundUp((batch + workers * rounds - 1) / (workers * rounds))
        }
        self.lanes = lanes
    }

    /// The blocks of the batch.
    var blocks: SampleBlocks { SampleBlocks(samplesPerBlock: lanes, batch: batch) }

    /// Workers that take whole blocks (each running its GEMMs
    /// single-threaded): one per block when there are no more blocks than
    /// threads, otherwise the im2col path's rule (an even share, or at
    /// least four blocks each); 1 means one block at a time, split inside.
    /// Read it once per call: the thread count can change between reads.
    var workers: Int {
        let available = Parallel.workerCount
        if available > 1 && blockCount <= available { return blockCount }
        return blocks.workers
    }

    /// Calls `body(samples, worker, splitInside)` for every block, with
    /// `workers` taken from one reading of `self.workers`.
    func forEachBlock(workers: Int, _ body: (Range<Int>, Int, Bool) -> Void) {
        blocks.forEach(workers: workers, body)
    }

    /// Runs `body(range)` over `0..<count`, split across the workers when
    /// `parallel` (a block that has the machine to itself).
    func split(_ count: Int, parallel: Bool, _ body: (Range<Int>) -> Void) {
        if parallel { Parallel.forEachChunk(count: count, costPerElement: Parallel.minimumElements, body) } else { body(0..<count) }
    }
}

/// Stride-2, 4x4, padding-1 convolutions by Winograd F(4x4, 2x2) on the
/// stride phases: the same three products as `ConvolutionKernels`
/// (forward, input gradient, weight gradient) with about half the
/// multiply-adds. The transforms are in `WinogradTiles` and `Winograd`.
enum WinogradKernels {
    /// `[N, C, H, W] * [O, C, 4, 4] -> [N, O, H/2, W/2]`, and, when
    /// `outputGradient` is given, the weight gradient for it from the same
    /// transformed input.
    static func forward(
        _ input: UnsafePointer<Float>, _ weight: TensorStorage, _ plan: WinogradPlan,
        weightGradientFor outputGradient: UnsafePointer<Float>? = nil
    )
        -> (output: TensorStorage, weightGradient: TensorStorage?)
    {
        let out = TensorStorage(uninitializedCount: plan.batch * plan.outChannels * plan.outHeight * plan.outWidth)
        let kernels = transformedKernels(weight, plan)
        var gradient: TensorStorage?
        withExtendedLifetime(kernels) {
            let body = { (samples: Range<Int>, splitInside: Bool, destination: UnsafeMutablePointer<Float>?, beta: Float) in
                let v = transformedInput(input, samples, plan, splitInside)
                let m = TensorStorage(uninitializedCount: 25 * plan.outputPointStride)
                for point in 0..<25 {
                    BLAS.sgemm(
                        transposeA: false, transposeB: false, m: plan.outChannels, n: plan.columns, k: plan.depth,
                        a: kernels.pointer + point * plan.kernelPointStride, lda: plan.depth,
                        b: v.pointer + point * plan.inputPointStride, ldb: plan.columns,
                        c: m.pointer + point * plan.outputPointStride, ldc: plan.columns,
                        parallel: splitInside)
                }
                withExtendedLifetime(m) {
                    plan.split(plan.outChannels, parallel: splitInside) { outputs in
                        plan.transformOutput(m.pointer, outputs: outputs, samples: samples, into: out.pointer)
                    }
                }
                if let outputGradient, let destination {
                    accumulate(outputGradient, v, samples, plan, splitInside, into: destination, beta: beta)
                }
                withExtendedLifetime(v) {}
            }
            if outputGradient != nil {
                gradient = accumulatedWeightGradient(plan) { samples, splitInside, destination, beta in
                    body(samples, splitInside, destination, beta)
                }
            } else {
                plan.forEachBlock(workers: plan.workers) { samples, _, splitInside in body(samples, splitInside, nil, 0) }
            }
        }
        return (out, gradient)
    }

    /// The input gradient `[N, C, H, W]` for `outputGradient [N, O, H/2, W/2]`
    /// (also the stride-2 transposed convolution's forward pass).
    static func inputGradient(
        _ outputGradient: UnsafePointer<Float>, _ weight: TensorStorage,
        _ plan: WinogradPlan
    ) -> TensorStorage {
        let inputPlane = plan.height * plan.width
        let out = TensorStorage(uninitializedCount: plan.batch * plan.channels * inputPlane)
        let kernels = transformedKernels(weight, plan)
        withExtendedLifetime(kernels) {
            plan.forEachBlock(workers: plan.workers) { samples, _, splitInside in
                let z = transformedOutputGradient(outputGradient, samples, plan, splitInside)
                let v = TensorStorage(uninitializedCount: 25 * plan.inputPointStride)
                for point in 0..<25 {
                    BLAS.sgemm(
                        transposeA: true, transposeB: false, m: plan.depth, n: plan.columns, k: plan.outChannels,
                        a: kernels.pointer + point * plan.kernelPointStride, lda: plan.depth,
                        b: z.pointer + point * plan.outputPointStride, ldb: plan.columns,
                        c: v.pointer + point * plan.inputPointStride, ldc: plan.columns,
                        parallel: splitInside)
                }
                withExtendedLifetime((z, v)) {
                    plan.split(plan.channels, parallel: splitInside) { channels in
                        plan.transformInputGradient(v.pointer, channels: channels, samples: samples, into: out.pointer)
                    }
                }
            }
        }
        return out
    }

    /// The weight gradient `[O, C, 4, 4]` for `input` and `outputGradient`.
    static func weightGradient(
        _ input: UnsafePointer<Float>, _ outputGradient: UnsafePointer<Float>,
        _ plan: WinogradPlan
    ) -> TensorStorage {
        accumulatedWeightGradient(plan) { samples, splitInside, destination, beta in
            let v = transformedInput(input, samples, plan, splitInside)
            accumulate(outputGradient, v, samples, plan, splitInside, into: destination, beta: beta)
            withExtendedLifetime(v) {}
        }
    }

    // MARK: - Pieces

    /// dU (+)= Z · Vᵀ for one block, per transform point.
    private static func accumulate(
        _ outputGradient: UnsafePointer<Float>, _ v: TensorStorage, _ samples: Range<Int>,
        _ plan: WinogradPlan, _ splitInside: Bool,
        into destination: UnsafeMutablePointer<Float>, beta: Float
    ) {
        let z = transformedOutputGradient(outputGradient, samples, plan, splitInside)
        withExtendedLifetime(z) {
            for point in 0..<25 {
                BLAS.sgemm(
                    transposeA: false, transposeB: true, m: plan.outChannels, n: plan.depth, k: plan.columns,
                    a: z.pointer + point * plan.outputPointStride, lda: plan.columns,
                    b: v.pointer + point * plan.inputPointStride, ldb: plan.columns,
                    beta: beta, c: destination + point * plan.kernelPointStride, ldc: plan.depth,
                    parallel: splitInside)
            }
        }
    }

    /// Sums `body`'s per-block products into one `[25, O, 4C]` buffer per
    /// worker, then adds the workers' buffers while transforming back to
    /// `[O, C, 4, 4]`.
    private static func accumulatedWeightGradient(
        _ plan: WinogradPlan, _ body: (Range<Int>, Bool, UnsafeMutablePointer<Float>, Float) -> Void
    ) -> TensorStorage {
        let workers = plan.workers
        let count = 25 * plan.kernelPointStride
        let partials = TensorStorage(uninitializedCount: workers * count)
        var started = [Bool](repeating: false, count: workers)
        started.withUnsafeMutableBufferPointer { started in
            plan.forEachBlock(workers: workers) { samples, worker, splitInside in
                body(samples, splitInside, partials.pointer + worker * count, started[worker] ? 1 : 0)
                started[worker] = true
            }
        }
        let out = TensorStorage(uninitializedCount: plan.outChannels * plan.channels * 16)
        withExtendedLifetime(partials) {
            // The workers' partials are added as the transform reads them.
            Parallel.forEachChunk(count: plan.outChannels, costPerElement: plan.channels * 200) { outputs in
                plan.transformKernelGradient(
                    partials.pointer, partials: workers, partialStride: count,
                    outputs: outputs, into: out.pointer)
            }
        }
        return out
    }

    private static func transformedKernels(_ weight: TensorStorage, _ plan: WinogradPlan) -> TensorStorage {
        ExecutionContext.current.winogradKernels.kernels(for: weight, plan) {
            let kernels = TensorStorage(uninitializedCount: 25 * plan.kernelPointStride)
            Parallel.forEachChunk(count: plan.outChannels, costPerElement: plan.channels * 200) { outputs in
                plan.transformKernels(weight.pointer, outputs: outputs, into: kernels.pointer)
            }
            return kernels
        }
    }

    /// `V` for the block's input `[N, C, H, W]`.
    private static func transformedInput(
        _ input: UnsafePointer<Float>, _ samples: Range<Int>,
        _ plan: WinogradPlan, _ splitInside: Bool
    ) -> TensorStorage {
        transformed(
            input, channels: plan.channels, plane: plan.height * plan.width, points: plan.inputPointStride,
            samples, plan, splitInside
        ) { interleaved, channels, v in
            plan.transformInput(interleaved, channels: channels, into: v)
        }
    }

    /// `Z` for the block's output gradient `[N, O, H/2, W/2]`.
    private static func transformedOutputGradient(
        _ outputGradient: UnsafePointer<Float>, _ samples: Range<Int>,
        _ plan: WinogradPlan, _ splitInside: Bool
    ) -> TensorStorage {
        transformed(
            outputGradient, channels: plan.outChannels, plane: plan.outHeight * plan.outWidth,
            points: plan.outputPointStride, samples, plan, splitInside
        ) { interleaved, outputs, z in
            plan.transformOutputGradient(interleaved, outputs: outputs, into: z)
        }
    }

    /// Copies the block's samples of `source` into lanes and applies
    /// `transform(interleaved, channels, into)` to a fresh `[25, ...]` buffer,
    /// splitting the channels across the workers when the block has them.
    private static func transformed(
        _ source: UnsafePointer<Float>, channels: Int, plane: Int, points: Int, _ samples: Range<Int>,
        _ plan: WinogradPlan, _ splitInside: Bool,
        _ transform: (UnsafePointer<Float>, Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) -> TensorStorage {
        let interleaved = TensorStorage(uninitializedCount: channels * plane * plan.lanes)
        let result = TensorStorage(uninitializedCount: 25 * points)
        withExtendedLifetime(interleaved) {
            plan.split(channels, parallel: splitInside) { range in
                SampleLanes.interleave(
                    source, channels: range, channelCount: channels, plane: plane,
                    samples: samples, lanes: plan.lanes, into: interleaved.pointer)
                transform(interleaved.pointer, range, result.pointer)
            }
        }
        return result
    }
}
