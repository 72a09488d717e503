/// The shape arithmetic of a 2-D convolution `[N, C, H, W] -> [N, O, outH, outW]`
/// with weight `[O, C, kernelH, kernelW]`.
@usableFromInline
struct ConvolutionGeometry: Equatable, Sendable {
    var batch: Int, inChannels: Int, height: Int, width: Int
    var outChannels: Int, kernelHeight: Int, kernelWidth: Int
    var strideH: Int, strideW: Int, padH: Int, padW: Int, dilationH: Int, dilationW: Int

    var outHeight: Int { (height + 2 * padH - dilationH * (kernelHeight - 1) - 1) / strideH + 1 }
    var outWidth: Int { (width + 2 * padW - dilationW * (kernelWidth - 1) - 1) / strideW + 1 }
    var inputShape: [Int] { [batch, inChannels, height, width] }
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    var weightShape: [Int] { [outChannels, inChannels, kernelHeight, kernelWidth] }
    /// Rows of the im2col matrix: `C * kH * kW`.
    var patchSize: Int { inChannels * kernelHeight * kernelWidth }
    /// Columns of the im2col matrix: `N * outH * outW`.
    var columnCount: Int { batch * outHeight * outWidth }
}

/// im2col / col2im and the three GEMM-based convolution kernels: forward,
/// input gradient (also transposed convolution) and weight gradient.
enum ConvolutionKernels {
    /// Unfolds input patches into `[C*kH*kW, N*outH*outW]`.
    static func im2col(_ input: UnsafePointer<Float>, _ g: ConvolutionGeometry) -> TensorStorage {
        let outH = g.outHeight, outW = g.outWidth, columns = g.columnCount
        let cols = TensorStorage(uninitializedCount: g.patchSize * columns)
        let destinationBase = cols.pointer
        let kernelArea = g.kernelHeight * g.kernelWidth
        Parallel.forEachChunk(count: g.patchSize, costPerElement: columns) { rows in
            for row in rows {
                let channel = row / kernelArea
                let ki = (row / g.kernelWidth) % g.kernelHeight, kj = row % g.kernelWidth
                var destination = destinationBase + row * columns
                for n in 0..<g.batch {
                    let plane = input + (n * g.inChannels + channel) * g.height * g.width
                    for oy in 0..<outH {
                        let iy = oy * g.strideH - g.padH + ki * g.dilationH
                        if iy < 0 || iy >= g.height {
                            destination.update(repeating: 0, count: outW)
                        } else {
                            let line = plane + iy * g.width
                            let xOffset = kj * g.dilationW - g.padW
                            for ox in 0..<outW {
                                let ix = ox * g.strideW + xOffset
                                destination[ox] = (ix >= 0 && ix < g.width) ? line[ix] : 0
                            }
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
    static func col2im(_ cols: UnsafePointer<Float>, _ g: ConvolutionGeometry) -> TensorStorage {
        let out = TensorStorage(count: g.batch * g.inChannels * g.height * g.width, repeating: 0)
        let outH = g.outHeight, outW = g.outWidth, columns = g.columnCount
        let base = out.pointer
        Parallel.forEachChunk(count: g.inChannels, costPerElement: g.kernelHeight * g.kernelWidth * columns) { channels in
            for channel in channels {
                for ki in 0..<g.kernelHeight {
                    for kj in 0..<g.kernelWidth {
                        let row = (channel * g.kernelHeight + ki) * g.kernelWidth + kj
                        var source = cols + row * columns
                        let xOffset = kj * g.dilationW - g.padW
                        for n in 0..<g.batch {
                            let plane = base + (n * g.inChannels + channel) * g.height * g.width
                            for oy in 0..<outH {
                                let iy = oy * g.strideH - g.padH + ki * g.dilationH
                                if iy >= 0 && iy < g.height {
                                    let line = plane + iy * g.width
                                    for ox in 0..<outW {
                                        let ix = ox * g.strideW + xOffset
                                        if ix >= 0 && ix < g.width { line[ix] += source[ox] }
                                    }
                                }
                                source += outW
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// `[N, O, L]` -> `[O, N*L]` (or back with `toBatchMajor`).
    static func swapBatchAndChannels(_ source: UnsafePointer<Float>, batch: Int, channels: Int, spatial: Int,
                                     toBatchMajor: Bool) -> TensorStorage {
        if toBatchMajor {
            // source [O, N, L] -> [N, O, L]
            return LayoutKernels.stridedCopy(source, outShape: [batch, channels, spatial],
                                             readStrides: [spatial, batch * spatial, 1])
        }
        // source [N, O, L] -> [O, N, L]
        return LayoutKernels.stridedCopy(source, outShape: [channels, batch, spatial],
                                         readStrides: [spatial, channels * spatial, 1])
    }

    /// `[N, C, H, W] * [O, C, kH, kW] -> [N, O, outH, outW]`.
    static func forward(_ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry) -> TensorStorage {
        let cols = im2col(input, g)
        let spatial = g.outHeight * g.outWidth
        let product = TensorStorage(uninitializedCount: g.outChannels * g.columnCount)
        withExtendedLifetime(cols) {
            BLAS.sgemm(transposeA: false, transposeB: false, m: g.outChannels, n: g.columnCount, k: g.patchSize,
                       a: weight, lda: g.patchSize, b: cols.pointer, ldb: g.columnCount,
                       c: product.pointer, ldc: g.columnCount)
        }
        if g.batch == 1 { return product }
        return withExtendedLifetime(product) { swapBatchAndChannels(product.pointer, batch: g.batch, channels: g.outChannels, spatial: spatial, toBatchMajor: true) }
    }

    /// Gradient of the convolution with respect to its input, given the
    /// output gradient `[N, O, outH, outW]`: returns `[N, C, H, W]`.
    static func inputGradient(_ outputGradient: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                              _ g: ConvolutionGeometry) -> TensorStorage {
        let spatial = g.outHeight * g.outWidth
        let channelMajor = g.batch == 1 ? nil
            : swapBatchAndChannels(outputGradient, batch: g.batch, channels: g.outChannels, spatial: spatial, toBatchMajor: false)
        let cols = TensorStorage(uninitializedCount: g.patchSize * g.columnCount)
        withExtendedLifetime(channelMajor) {
            BLAS.sgemm(transposeA: true, transposeB: false, m: g.patchSize, n: g.columnCount, k: g.outChannels,
                       a: weight, lda: g.patchSize, b: channelMajor.map { UnsafePointer($0.pointer) } ?? outputGradient,
                       ldb: g.columnCount, c: cols.pointer, ldc: g.columnCount)
        }
        return withExtendedLifetime(cols) { col2im(cols.pointer, g) }
    }

    /// Gradient of the convolution with respect to its weight, given the
    /// input and the output gradient: returns `[O, C, kH, kW]`.
    static func weightGradient(_ input: UnsafePointer<Float>, _ outputGradient: UnsafePointer<Float>,
                               _ g: ConvolutionGeometry) -> TensorStorage {
        let spatial = g.outHeight * g.outWidth
        let cols = im2col(input, g)
        let channelMajor = g.batch == 1 ? nil
            : swapBatchAndChannels(outputGradient, batch: g.batch, channels: g.outChannels, spatial: spatial, toBatchMajor: false)
        let out = TensorStorage(uninitializedCount: g.outChannels * g.patchSize)
        withExtendedLifetime((cols, channelMajor)) {
            BLAS.sgemm(transposeA: false, transposeB: true, m: g.outChannels, n: g.patchSize, k: g.columnCount,
                       a: channelMajor.map { UnsafePointer($0.pointer) } ?? outputGradient, lda: g.columnCount,
                       b: cols.pointer, ldb: g.columnCount, c: out.pointer, ldc: g.patchSize)
        }
        return out
    }
}
