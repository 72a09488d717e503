import Dispatch

/// The shape arithmetic of a 2-D convolution `[N, C, H, W] -> [N, O, outH, outW]`
/// with weight `[O, C, kernelH, kernelW]`.
@usableFromInline
struct ConvolutionGeometry: Equatable, Sendable {
    var batch: Int, inChannels: Int, height: Int, width: Int
    var outChannels: Int, kernelHeight: Int, kernelWidth: Int
    var strideH: Int, strideW: Int, padH: Int, padW: Int, dilationH: Int, dilationW: Int

    /// Set for transposed convolutions whose output padding reaches past a
    /// stride (allowed when smaller than the dilation): the forward
    /// convolution's output is then the transposed layer's input size.
    var fixedOutHeight: Int? = nil
    var fixedOutWidth: Int? = nil

    /// `floor((H + 2p - d(k-1) - 1) / s) + 1`; 0 when the kernel does not fit.
    var outHeight: Int {
        if let fixedOutHeight { return fixedOutHeight }
        let span = height + 2 * padH - dilationH * (kernelHeight - 1) - 1
        return span < 0 ? 0 : span / strideH + 1
    }

    var outWidth: Int {
        if let fixedOutWidth { return fixedOutWidth }
        let span = width + 2 * padW - dilationW * (kernelWidth - 1) - 1
        return span < 0 ? 0 : span / strideW + 1
    }
    var inputShape: [Int] { [batch, inChannels, height, width] }
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    var weightShape: [Int] { [outChannels, inChannels, kernelHeight, kernelWidth] }
    /// Rows of the im2col matrix: `C * kH * kW`.
    var patchSize: Int { inChannels * kernelHeight * kernelWidth }
    /// Columns of the im2col matrix: `N * outH * outW`.
    var columnCount: Int { batch * outHeight * outWidth }
    /// Output pixels per sample.
    var spatial: Int { outHeight * outWidth }

    /// The kernel covers the whole unpadded input once (1x1 output): the
    /// convolution is a plain matrix product and needs no im2col.
    var isFullKernel: Bool {
        padH == 0 && padW == 0 && kernelHeight == height && kernelWidth == width
            && dilationH == 1 && dilationW == 1
    }

    /// The same convolution over `samples` samples (a block of the batch).
    func withBatch(_ samples: Int) -> ConvolutionGeometry {
        var block = self
        block.batch = samples
        return block
    }
}

/// Consecutive samples that go through im2col, the GEMM and col2im
/// together, so their columns stay in cache instead of making a round trip
/// through memory (a batch's columns are tens of megabytes).
struct SampleBlocks {
    /// GEMMs narrower than this many columns lose efficiency, so small
    /// output planes are grouped until a block is about this wide.
    static let targetColumns = 192
    /// At most this many column floats per block (2 MiB).
    static let maximumColumnFloats = 1 << 19

    let samplesPerBlock: Int, count: Int, batch: Int

    init(_ g: ConvolutionGeometry) {
        let wanted = (Self.targetColumns + g.spatial - 1) / Swift.max(1, g.spatial)
        let capped = Self.maximumColumnFloats / Swift.max(1, g.patchSize * g.spatial)
        self.init(samplesPerBlock: Swift.max(1, Swift.min(g.batch, wanted, capped)), batch: g.batch)
    }

    /// `batch` samples in blocks of `samplesPerBlock` (the last may be shorter).
    init(samplesPerBlock: Int, batch: Int) {
        self.samplesPerBlock = samplesPerBlock
        count = (batch + samplesPerBlock - 1) / samplesPerBlock
        self.batch = batch
    }

    func samples(_ block: Int) -> Range<Int> {
        (block * samplesPerBlock)..<Swift.min(batch, (block + 1) * samplesPerBlock)
    }

    /// Workers that take whole blocks: all of them when the blocks divide
    /// evenly enough; otherwise one, and each step (GEMM, im2col, col2im)
    /// is split across the workers instead.
    var workers: Int {
        let available = Parallel.workerCount
        guard available > 1 && (count % available == 0 || count >= 4 * available) else { return 1 }
        return Swift.min(available, count)
    }

    /// Calls `body(samples, worker, splitInside)` for every block: with
    /// several workers each takes a contiguous run of blocks and works
    /// single-threaded (`splitInside` false).
    func forEach(workers: Int, _ body: (Range<Int>, Int, Bool) -> Void) {
        if workers <= 1 {
            for block in 0..<count { body(samples(block), 0, true) }
            return
        }
        Parallel.run(chunks: workers) { worker in
            for block in (count * worker / workers)..<(count * (worker + 1) / workers) {
                body(samples(block), worker, false)
            }
        }
    }
}

/// The three convolution kernels: forward, input gradient (also the
/// transposed convolution) and weight gradient, each running the
/// `ConvolutionPlan` of its geometry. The im2col plan works through the
/// batch in `SampleBlocks`: im2col of a block into `[C*kH*kW, L*b]` columns
/// (samples innermost), one GEMM, and for the input gradient col2im of the
/// block.
enum ConvolutionKernels {
    /// `[N, C, H, W] * [O, C, kH, kW] -> [N, O, outH, outW]`.
    static func forward(_ input: UnsafePointer<Float>, _ weight: TensorStorage, _ g: ConvolutionGeometry) -> TensorStorage {
        let outputCount = g.batch * g.outChannels * g.spatial
        switch ConvolutionPlan(g) {
        case .empty:
            return TensorStorage(count: outputCount, repeating: 0)
        case .winograd(let plan):
            return WinogradKernels.forward(input, weight, plan).output
        case .shifted:
            return ShiftedConvolution.forward(input, weight, g)
        case .matrixProduct:
            // out [N, O] = X [N, patch] · W [O, patch]ᵀ
            let out = TensorStorage(uninitializedCount: outputCount)
            BLAS.sgemm(
                transposeA: false, transposeB: true, m: g.batch, n: g.outChannels, k: g.patchSize,
                a: input, lda: g.patchSize, b: weight.pointer, ldb: g.patchSize, c: out.pointer, ldc: g.outChannels)
            return out
        case .im2col(let blocks):
            let out = TensorStorage(uninitializedCount: outputCount)
            blocks.forEach(workers: blocks.workers) { samples, _, splitInside in
                let cols = blockColumns(input, samples, g, blocks, splitInside)
                forwardProduct(cols, weight.pointer, samples, g, blocks, into: out.pointer, splitInside)
            }
            return out
        }
    }

    /// The forward convolution of `input` and, from the same im2col (or
    /// Winograd-transformed) input, its weight gradient for
    /// `outputGradient`: one transform of the input instead of two (a
    /// transposed convolution's backward pass needs both products of the
    /// same tensor).
    static func forwardAndWeightGradient(
        _ input: UnsafePointer<Float>, _ weight: TensorStorage,
        _ outputGradient: UnsafePointer<Float>, _ g: ConvolutionGeometry
    )
        -> (output: TensorStorage, weightGradient: TensorStorage)
    {
        switch ConvolutionPlan(g) {
        case .empty, .matrixProduct, .shifted:
            return (forward(input, weight, g), weightGradient(input, outputGradient, g))
        case .winograd(let plan):
            let both = WinogradKernels.forward(input, weight, plan, weightGradientFor: outputGradient)
            return (both.output, both.weightGradient!)
        case .im2col(let blocks):
            let out = TensorStorage(uninitializedCount: g.batch * g.outChannels * g.spatial)
            let gradient = accumulateWeightGradient(g, blocks) { samples, splitInside, destination, beta in
                let cols = blockColumns(input, samples, g, blocks, splitInside)
                forwardProduct(cols, weight.pointer, samples, g, blocks, into: out.pointer, splitInside)
                weightProduct(cols, outputGradient, samples, g, blocks, into: destination, beta: beta, splitInside)
            }
            return (out, gradient)
        }
    }

    /// im2col of one block of samples into a fresh `[patch, L*b]` buffer.
    private static func blockColumns(
        _ input: UnsafePointer<Float>, _ samples: Range<Int>, _ g: ConvolutionGeometry,
        _ blocks: SampleBlocks, _ splitInside: Bool
    ) -> TensorStorage {
        let cols = TensorStorage(uninitializedCount: g.patchSize * blocks.samplesPerBlock * g.spatial)
        ColumnKernels.im2col(
            input + samples.lowerBound * g.inChannels * g.height * g.width, g.withBatch(samples.count),
            into: cols.pointer, parallel: splitInside)
        return cols
    }

    /// out[samples] = W [O, patch] · cols [patch, L*b], written out as `[b, O, L]`.
    private static func forwardProduct(
        _ cols: TensorStorage, _ weight: UnsafePointer<Float>, _ samples: Range<Int>,
        _ g: ConvolutionGeometry, _ blocks: SampleBlocks,
        into out: UnsafeMutablePointer<Float>, _ splitInside: Bool
    ) {
        let width = samples.count * g.spatial
        let outputPlane = g.outChannels * g.spatial
        let destination = out + samples.lowerBound * outputPlane
        withExtendedLifetime(cols) {
            if samples.count == 1 {
                BLAS.sgemm(
                    transposeA: false, transposeB: false, m: g.outChannels, n: width, k: g.patchSize,
                    a: weight, lda: g.patchSize, b: cols.pointer, ldb: width,
                    c: destination, ldc: width, parallel: splitInside)
                return
            }
            // Interleaved columns give [O, L, b]; write it out as [b, O, L].
            let product = TensorStorage(uninitializedCount: g.outChannels * blocks.samplesPerBlock * g.spatial)
            BLAS.sgemm(
                transposeA: false, transposeB: false, m: g.outChannels, n: width, k: g.patchSize,
                a: weight, lda: g.patchSize, b: cols.pointer, ldb: width,
                c: product.pointer, ldc: width, parallel: splitInside)
            let count = samples.count
            for channel in 0..<g.outChannels {
                let row = product.pointer + channel * width
                for sample in 0..<count {
                    let line = destination + sample * outputPlane + channel * g.spatial
                    for pixel in 0..<g.spatial { line[pixel] = row[pixel * count + sample] }
                }
            }
            withExtendedLifetime(product) {}
        }
    }

    /// Gradient of the convolution with respect to its input, given the
    /// output gradient `[N, O, outH, outW]`: returns `[N, C, H, W]`.
    static func inputGradient(
        _ outputGradient: UnsafePointer<Float>, _ weight: TensorStorage,
        _ g: ConvolutionGeometry
    ) -> TensorStorage {
        let inputPlane = g.inChannels * g.height * g.width
        switch ConvolutionPlan(g) {
        case .empty:
            return TensorStorage(count: g.batch * inputPlane, repeating: 0)
        case .winograd(let plan):
            return WinogradKernels.inputGradient(outputGradient, weight, plan)
        case .shifted:
            return ShiftedConvolution.inputGradient(outputGradient, weight, g)
        case .matrixProduct:
            // dX [N, patch] = G [N, O] · W [O, patch]
            let out = TensorStorage(uninitializedCount: g.batch * inputPlane)
            BLAS.sgemm(
                transposeA: false, transposeB: false, m: g.batch, n: g.patchSize, k: g.outChannels,
                a: outputGradient, lda: g.outChannels, b: weight.pointer, ldb: g.patchSize,
                c: out.pointer, ldc: g.patchSize)
            return out
        case .im2col(let blocks):
            let out = TensorStorage(uninitializedCount: g.batch * inputPlane)
            blocks.forEach(workers: blocks.workers) { samples, _, splitInside in
                let block = g.withBatch(samples.count)
                let width = block.columnCount
                let gradient = sampleInterleaved(outputGradient, samples, g, capacity: blocks.samplesPerBlock)
                let cols = TensorStorage(uninitializedCount: g.patchSize * blocks.samplesPerBlock * g.spatial)
                withExtendedLifetime(gradient) {
                    BLAS.sgemm(
                        transposeA: true, transposeB: false, m: g.patchSize, n: width, k: g.outChannels,
                        a: weight.pointer, lda: g.patchSize, b: gradient.pointer, ldb: width,
                        c: cols.pointer, ldc: width, parallel: splitInside)
                }
                let destination = out.pointer + samples.lowerBound * inputPlane
                ColumnKernels.col2im(cols.pointer, block, into: destination, parallel: splitInside)
                withExtendedLifetime(cols) {}
            }
            return out
        }
    }

    /// Gradient of the convolution with respect to its weight, given the
    /// input and the output gradient: returns `[O, C, kH, kW]`.
    static func weightGradient(
        _ input: UnsafePointer<Float>, _ outputGradient: UnsafePointer<Float>,
        _ g: ConvolutionGeometry
    ) -> TensorStorage {
        let weightCount = g.outChannels * g.patchSize
        switch ConvolutionPlan(g) {
        case .empty:
            return TensorStorage(count: weightCount, repeating: 0)
        case .winograd(let plan):
            return WinogradKernels.weightGradient(input, outputGradient, plan)
        case .shifted:
            return ShiftedConvolution.weightGradient(input, outputGradient, g)
        case .matrixProduct:
            // dW [O, patch] = G [N, O]ᵀ · X [N, patch]
            let out = TensorStorage(uninitializedCount: weightCount)
            BLAS.sgemm(
                transposeA: true, transposeB: false, m: g.outChannels, n: g.patchSize, k: g.batch,
                a: outputGradient, lda: g.outChannels, b: input, ldb: g.patchSize, c: out.pointer, ldc: g.patchSize)
            return out
        case .im2col(let blocks):
            return accumulateWeightGradient(g, blocks) { samples, splitInside, destination, beta in
                let cols = blockColumns(input, samples, g, blocks, splitInside)
                weightProduct(cols, outputGradient, samples, g, blocks, into: destination, beta: beta, splitInside)
            }
        }
    }

    /// Runs `body(samples, splitInside, destination, beta)` for every block;
    /// each worker sums its blocks into its own `[O, patch]` partial
    /// (`beta` 0 for its first block, then 1), and the partials are added.
    private static func accumulateWeightGradient(
        _ g: ConvolutionGeometry, _ blocks: SampleBlocks,
        _ body: (Range<Int>, Bool, UnsafeMutablePointer<Float>, Float) -> Void
    ) -> TensorStorage {
        let weightCount = g.outChannels * g.patchSize
        let workers = blocks.workers
        let out = TensorStorage(uninitializedCount: weightCount)
        // Worker 0 writes into `out`, the others into their own partials.
        let partials = TensorStorage(uninitializedCount: (workers - 1) * weightCount)
        var started = [Bool](repeating: false, count: workers)
        started.withUnsafeMutableBufferPointer { started in
            blocks.forEach(workers: workers) { samples, worker, splitInside in
                let destination = worker == 0 ? out.pointer : partials.pointer + (worker - 1) * weightCount
                body(samples, splitInside, destination, started[worker] ? 1 : 0)
                started[worker] = true
            }
        }
        withExtendedLifetime(partials) {
            for worker in 1..<Swift.max(workers, 1) {
                BLAS.saxpy(count: weightCount, alpha: 1, x: partials.pointer + (worker - 1) * weightCount, y: out.pointer)
            }
        }
        return out
    }

    /// dW (+)= G [O, L*b] · cols [patch, L*b]ᵀ for one block.
    private static func weightProduct(
        _ cols: TensorStorage, _ outputGradient: UnsafePointer<Float>, _ samples: Range<Int>,
        _ g: ConvolutionGeometry, _ blocks: SampleBlocks,
        into destination: UnsafeMutablePointer<Float>, beta: Float, _ splitInside: Bool
    ) {
        let width = samples.count * g.spatial
        let gradient = sampleInterleaved(outputGradient, samples, g, capacity: blocks.samplesPerBlock)
        withExtendedLifetime((cols, gradient)) {
            BLAS.sgemm(
                transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: width,
                a: gradient.pointer, lda: width, b: cols.pointer, ldb: width,
                beta: beta, c: destination, ldc: g.patchSize, parallel: splitInside)
        }
    }

    /// The output gradient of `samples` as `[O, L*b]` with the samples
    /// innermost, element (channel, pixel, sample): the column order of
    /// `ColumnKernels`.
    private static func sampleInterleaved(
        _ outputGradient: UnsafePointer<Float>, _ samples: Range<Int>,
        _ g: ConvolutionGeometry, capacity: Int
    ) -> TensorStorage {
        let plane = g.outChannels * g.spatial
        let count = samples.count
        let matrix = TensorStorage(uninitializedCount: capacity * plane)
        for channel in 0..<g.outChannels {
            let row = matrix.pointer + channel * g.spatial * count
            for (index, sample) in samples.enumerated() {
                let source = outputGradient + sample * plane + channel * g.spatial
                if count == 1 {
                    ColumnKernels.copyRun(from: source, to: row, count: g.spatial)
                } else {
                    for pixel in 0..<g.spatial { row[pixel * count + index] = source[pixel] }
                }
            }
        }
        return matrix
    }
}
