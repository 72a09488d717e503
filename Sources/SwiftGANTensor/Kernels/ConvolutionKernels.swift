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

    /// One GEMM per sample (no batch/channel permutes) pays when each
    /// sample's output plane is large enough to keep the GEMM efficient.
    var usesPerSampleGEMM: Bool { spatial >= 64 || batch == 1 }
}

/// Where im2col puts element (row, sample, pixel): `row * rowStride +
/// sample * sampleStride + pixel`.
struct ColumnLayout {
    var rowStride: Int
    var sampleStride: Int

    /// `[C*kH*kW, N*L]`: one wide matrix for a single GEMM over the batch.
    static func batched(_ g: ConvolutionGeometry) -> ColumnLayout {
        ColumnLayout(rowStride: g.columnCount, sampleStride: g.spatial)
    }

    /// `[N][C*kH*kW, L]`: one matrix per sample.
    static func perSample(_ g: ConvolutionGeometry) -> ColumnLayout {
        ColumnLayout(rowStride: g.spatial, sampleStride: g.patchSize * g.spatial)
    }

    static func best(_ g: ConvolutionGeometry) -> ColumnLayout {
        g.usesPerSampleGEMM ? perSample(g) : batched(g)
    }
}

/// im2col / col2im and the three GEMM-based convolution kernels: forward,
/// input gradient (also transposed convolution) and weight gradient.
enum ConvolutionKernels {
    /// How many workers share the per-sample GEMMs: all of them when each
    /// GEMM is below `BLAS.singleThreadedBelow` (so it runs whole on its
    /// worker); otherwise one, and `BLAS.sgemm` splits each product itself.
    static func sampleChunkCount(_ g: ConvolutionGeometry) -> Int {
        // Forward, input-gradient and weight-gradient GEMMs all do O·patch·L multiply-adds.
        let product = g.outChannels * g.patchSize * g.spatial
        guard product < BLAS.singleThreadedBelow else { return 1 }
        return Swift.max(1, Swift.min(Parallel.workerCount, g.batch))
    }

    /// Runs `body(samples, chunk)` over `chunks` disjoint sample ranges, one
    /// per core: small GEMMs scale far better across samples than within
    /// one product.
    static func forEachSampleRange(_ g: ConvolutionGeometry, chunks: Int, _ body: (Range<Int>, Int) -> Void) {
        if chunks <= 1 {
            body(0..<g.batch, 0)
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                box.value((g.batch * chunk / chunks)..<(g.batch * (chunk + 1) / chunks), chunk)
            }
        }
    }

    /// Unfolds input patches into columns laid out by `layout`.
    static func im2col(_ input: UnsafePointer<Float>, _ g: ConvolutionGeometry, layout: ColumnLayout) -> TensorStorage {
        let outH = g.outHeight, outW = g.outWidth, columns = g.columnCount
        let cols = TensorStorage(uninitializedCount: g.patchSize * columns)
        let destinationBase = cols.pointer
        let kernelArea = g.kernelHeight * g.kernelWidth
        Parallel.forEachChunk(count: g.patchSize, costPerElement: columns) { rows in
            for row in rows {
                let channel = row / kernelArea
                let ki = (row / g.kernelWidth) % g.kernelHeight, kj = row % g.kernelWidth
                // Output columns whose input column lies inside the image.
                let xOffset = kj * g.dilationW - g.padW
                let firstInside = Swift.min(outW, Swift.max(0, (-xOffset + g.strideW - 1) / g.strideW))
                let lastInside = Swift.max(firstInside, Swift.min(outW, (g.width - xOffset + g.strideW - 1) / g.strideW))
                for n in 0..<g.batch {
                    var destination = destinationBase + row * layout.rowStride + n * layout.sampleStride
                    let plane = input + (n * g.inChannels + channel) * g.height * g.width
                    for oy in 0..<outH {
                        let iy = oy * g.strideH - g.padH + ki * g.dilationH
                        if iy < 0 || iy >= g.height {
                            destination.update(repeating: 0, count: outW)
                        } else {
                            let line = plane + iy * g.width + xOffset
                            for ox in 0..<firstInside { destination[ox] = 0 }
                            if g.strideW == 1 {
                                (destination + firstInside).update(from: line + firstInside, count: lastInside - firstInside)
                            } else {
                                for ox in firstInside..<lastInside { destination[ox] = line[ox * g.strideW] }
                            }
                            for ox in lastInside..<outW { destination[ox] = 0 }
                        }
                        destination += outW
                    }
                }
            }
        }
        return cols
    }

    /// Folds `[C*kH*kW, N*outH*outW]` columns back into `[N, C, H, W]`,
    /// adding overlapping contributions (the adjoint of `im2col`).
    static func col2im(_ cols: UnsafePointer<Float>, _ g: ConvolutionGeometry, layout: ColumnLayout) -> TensorStorage {
        let out = TensorStorage(count: g.batch * g.inChannels * g.height * g.width, repeating: 0)
        let outH = g.outHeight, outW = g.outWidth
        let base = out.pointer
        // Each (sample, channel) plane receives from its own rows only, so
        // planes are folded in parallel without write conflicts.
        let planes = g.batch * g.inChannels
        Parallel.forEachChunk(count: planes, costPerElement: g.kernelHeight * g.kernelWidth * g.spatial) { planeRange in
            for planeIndex in planeRange {
                let n = planeIndex / g.inChannels, channel = planeIndex % g.inChannels
                let plane = base + planeIndex * g.height * g.width
                for ki in 0..<g.kernelHeight {
                    for kj in 0..<g.kernelWidth {
                        let row = (channel * g.kernelHeight + ki) * g.kernelWidth + kj
                        let xOffset = kj * g.dilationW - g.padW
                        let firstInside = Swift.min(outW, Swift.max(0, (-xOffset + g.strideW - 1) / g.strideW))
                        let lastInside = Swift.max(firstInside, Swift.min(outW, (g.width - xOffset + g.strideW - 1) / g.strideW))
                        var source = cols + row * layout.rowStride + n * layout.sampleStride
                        for oy in 0..<outH {
                            let iy = oy * g.strideH - g.padH + ki * g.dilationH
                            if iy >= 0 && iy < g.height {
                                let line = plane + iy * g.width + xOffset
                                for ox in firstInside..<lastInside { line[ox * g.strideW] += source[ox] }
                            }
                            source += outW
                        }
                    }
                }
            }
        }
        return out
    }

    /// `[N, C, H, W] * [O, C, kH, kW] -> [N, O, outH, outW]`.
    static func forward(_ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry) -> TensorStorage {
        let out = TensorStorage(uninitializedCount: g.batch * g.outChannels * g.spatial)
        if g.isFullKernel {
            // out [N, O] = X [N, patch] · W [O, patch]ᵀ
            BLAS.sgemm(transposeA: false, transposeB: true, m: g.batch, n: g.outChannels, k: g.patchSize,
                       a: input, lda: g.patchSize, b: weight, ldb: g.patchSize, c: out.pointer, ldc: g.outChannels)
            return out
        }
        let layout = ColumnLayout.best(g)
        let cols = im2col(input, g, layout: layout)
        withExtendedLifetime(cols) {
            if g.usesPerSampleGEMM {
                forEachSampleRange(g, chunks: sampleChunkCount(g)) { samples, _ in
                    for n in samples {
                        BLAS.sgemm(transposeA: false, transposeB: false, m: g.outChannels, n: g.spatial, k: g.patchSize,
                                   a: weight, lda: g.patchSize, b: cols.pointer + n * layout.sampleStride, ldb: g.spatial,
                                   c: out.pointer + n * g.outChannels * g.spatial, ldc: g.spatial)
                    }
                }
            } else {
                let product = TensorStorage(uninitializedCount: g.outChannels * g.columnCount)
                BLAS.sgemm(transposeA: false, transposeB: false, m: g.outChannels, n: g.columnCount, k: g.patchSize,
                           a: weight, lda: g.patchSize, b: cols.pointer, ldb: g.columnCount,
                           c: product.pointer, ldc: g.columnCount)
                // [O, N, L] -> [N, O, L]
                withExtendedLifetime(product) {
                    LayoutKernels.stridedCopy(product.pointer, into: out.pointer, outShape: [g.batch, g.outChannels, g.spatial],
                                              readStrides: [g.spatial, g.columnCount, 1])
                }
            }
        }
        return out
    }

    /// Gradient of the convolution with respect to its input, given the
    /// output gradient `[N, O, outH, outW]`: returns `[N, C, H, W]`.
    static func inputGradient(_ outputGradient: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                              _ g: ConvolutionGeometry) -> TensorStorage {
        if g.isFullKernel {
            // dX [N, patch] = G [N, O] · W [O, patch]
            let out = TensorStorage(uninitializedCount: g.batch * g.patchSize)
            BLAS.sgemm(transposeA: false, transposeB: false, m: g.batch, n: g.patchSize, k: g.outChannels,
                       a: outputGradient, lda: g.outChannels, b: weight, ldb: g.patchSize, c: out.pointer, ldc: g.patchSize)
            return out
        }
        let layout = ColumnLayout.best(g)
        let cols = TensorStorage(uninitializedCount: g.patchSize * g.columnCount)
        if g.usesPerSampleGEMM {
            forEachSampleRange(g, chunks: sampleChunkCount(g)) { samples, _ in
                for n in samples {
                    BLAS.sgemm(transposeA: true, transposeB: false, m: g.patchSize, n: g.spatial, k: g.outChannels,
                               a: weight, lda: g.patchSize, b: outputGradient + n * g.outChannels * g.spatial, ldb: g.spatial,
                               c: cols.pointer + n * layout.sampleStride, ldc: g.spatial)
                }
            }
        } else {
            // [N, O, L] -> [O, N, L], then one GEMM.
            let channelMajor = LayoutKernels.stridedCopy(outputGradient, outShape: [g.outChannels, g.batch, g.spatial],
                                                         readStrides: [g.spatial, g.outChannels * g.spatial, 1])
            withExtendedLifetime(channelMajor) {
                BLAS.sgemm(transposeA: true, transposeB: false, m: g.patchSize, n: g.columnCount, k: g.outChannels,
                           a: weight, lda: g.patchSize, b: channelMajor.pointer, ldb: g.columnCount,
                           c: cols.pointer, ldc: g.columnCount)
            }
        }
        return withExtendedLifetime(cols) { col2im(cols.pointer, g, layout: layout) }
    }

    /// Gradient of the convolution with respect to its weight, given the
    /// input and the output gradient: returns `[O, C, kH, kW]`.
    static func weightGradient(_ input: UnsafePointer<Float>, _ outputGradient: UnsafePointer<Float>,
                               _ g: ConvolutionGeometry) -> TensorStorage {
        if g.batch == 0 || g.spatial == 0 { return TensorStorage(count: g.outChannels * g.patchSize, repeating: 0) }
        let out = TensorStorage(uninitializedCount: g.outChannels * g.patchSize)
        if g.isFullKernel {
            // dW [O, patch] = G [N, O]ᵀ · X [N, patch]
            BLAS.sgemm(transposeA: true, transposeB: false, m: g.outChannels, n: g.patchSize, k: g.batch,
                       a: outputGradient, lda: g.outChannels, b: input, ldb: g.patchSize, c: out.pointer, ldc: g.patchSize)
            return out
        }
        let layout = ColumnLayout.best(g)
        let cols = im2col(input, g, layout: layout)
        withExtendedLifetime(cols) {
            if g.usesPerSampleGEMM {
                // Each worker accumulates its samples into its own partial sum.
                let weightCount = g.outChannels * g.patchSize
                let chunks = sampleChunkCount(g)
                let partials = TensorStorage(uninitializedCount: Swift.max(chunks - 1, 0) * weightCount)
                withExtendedLifetime(partials) {
                    forEachSampleRange(g, chunks: chunks) { samples, chunk in
                        let destination = chunk == 0 ? out.pointer : partials.pointer + (chunk - 1) * weightCount
                        for n in samples {
                            BLAS.sgemm(transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: g.spatial,
                                       a: outputGradient + n * g.outChannels * g.spatial, lda: g.spatial,
                                       b: cols.pointer + n * layout.sampleStride, ldb: g.spatial,
                                       beta: n == samples.lowerBound ? 0 : 1, c: destination, ldc: g.patchSize)
                        }
                    }
                    for chunk in 1..<Swift.max(chunks, 1) {
                        BLAS.saxpy(count: weightCount, alpha: 1, x: partials.pointer + (chunk - 1) * weightCount, y: out.pointer)
                    }
                }
            } else {
                let channelMajor = LayoutKernels.stridedCopy(outputGradient, outShape: [g.outChannels, g.batch, g.spatial],
                                                             readStrides: [g.spatial, g.outChannels * g.spatial, 1])
                withExtendedLifetime(channelMajor) {
                    BLAS.sgemm(transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: g.columnCount,
                               a: channelMajor.pointer, lda: g.columnCount, b: cols.pointer, ldb: g.columnCount,
                               c: out.pointer, ldc: g.patchSize)
                }
            }
        }
        return out
    }
}
