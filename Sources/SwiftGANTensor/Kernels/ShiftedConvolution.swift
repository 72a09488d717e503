/// Stride-1 convolutions with large kernels (SRGAN's 9x9, CycleGAN's 7x7)
/// as one matrix product per kernel tap, without im2col.
///
/// Each sample's input is padded once to `[C, Hp, Wp]`. On the "wide" grid
/// of `outH` rows of `Wp` pixels, tap `(ky, kx)` reads the padded input
/// shifted by `ky·Wp + kx`: a `[C, outH·Wp]` matrix with row stride `Hp·Wp`,
/// read in place. So the output is `Σ_tap W_tap [O, C] · X_tap [C, outH·Wp]`
/// (the last `kW - 1` pixels of each wide row are junk and cropped), the
/// input gradient `Σ_tap W_tapᵀ · dY_wide` added at the same shifts (dY is
/// zero in the junk columns, so they add nothing), and the weight gradient
/// `dY_wide · X_tapᵀ` per tap. An im2col of one such sample is tens of
/// megabytes (kH·kW·C rows of H·W); these products read a padded copy of
/// the input that stays in cache.
enum ShiftedConvolution {
    /// Whether the plan suits `g`: stride and dilation 1, the standard output
    /// size, a kernel of 25 taps or more, at least 16 input channels (each
    /// tap's product sums over them), and an im2col of one sample over 2 MiB.
    static func suits(_ g: ConvolutionGeometry) -> Bool {
        g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1 && g.fixedOutHeight == nil
            && g.fixedOutWidth == nil && g.kernelHeight * g.kernelWidth >= 25 && g.inChannels >= 16
            && g.patchSize * g.spatial > SampleBlocks.maximumColumnFloats
    }

    /// The padded-grid sizes of `g`.
    struct Grid {
        let paddedHeight: Int, paddedWidth: Int, plane: Int
        /// Columns of the wide output: `outH · Wp`.
        let wide: Int
        /// Floats of a padded sample: `C · plane` plus room for the last tap's over-read.
        let paddedCount: Int

        init(_ g: ConvolutionGeometry) {
            paddedHeight = g.height + 2 * g.padH
            paddedWidth = g.width + 2 * g.padW
            plane = paddedHeight * paddedWidth
            wide = g.outHeight * paddedWidth
            paddedCount = g.inChannels * plane + g.kernelWidth
        }

        func offset(_ tap: Int, _ g: ConvolutionGeometry) -> Int { (tap / g.kernelWidth) * paddedWidth + tap % g.kernelWidth }
    }

    /// The weight `[O, C, kH, kW]` as one `[O, C]` matrix per tap: `[kH·kW, O, C]`.
    static func tapMatrices(_ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry) -> TensorStorage {
        let taps = g.kernelHeight * g.kernelWidth
        let result = TensorStorage(uninitializedCount: taps * g.outChannels * g.inChannels)
        for o in 0..<g.outChannels {
            for c in 0..<g.inChannels {
                let source = weight + (o * g.inChannels + c) * taps
                for tap in 0..<taps { result.pointer[(tap * g.outChannels + o) * g.inChannels + c] = source[tap] }
            }
        }
        return result
    }

    /// Sample `sample` of `input` `[N, C, H, W]` zero-padded into `padded`.
    static func pad(_ input: UnsafePointer<Float>, sample: Int, _ g: ConvolutionGeometry, _ grid: Grid, into padded: UnsafeMutablePointer<Float>) {
        padded.update(repeating: 0, count: grid.paddedCount)
        let source = input + sample * g.inChannels * g.height * g.width
        for c in 0..<g.inChannels {
            for y in 0..<g.height {
                let row = padded + c * grid.plane + (y + g.padH) * grid.paddedWidth + g.padW
                ColumnKernels.copyRun(from: source + (c * g.height + y) * g.width, to: row, count: g.width)
            }
        }
    }

    static func forward(_ input: UnsafePointer<Float>, _ weight: TensorStorage, _ g: ConvolutionGeometry) -> TensorStorage {
        let grid = Grid(g)
        let taps = tapMatrices(weight.pointer, g)
        let out = TensorStorage(uninitializedCount: g.batch * g.outChannels * g.spatial)
        let padded = TensorStorage(uninitializedCount: grid.paddedCount)
        let wide = TensorStorage(uninitializedCount: g.outChannels * grid.wide)
        let tapSize = g.outChannels * g.inChannels
        for sample in 0..<g.batch {
            pad(input, sample: sample, g, grid, into: padded.pointer)
            for tap in 0..<(g.kernelHeight * g.kernelWidth) {
                BLAS.sgemm(
                    transposeA: false, transposeB: false, m: g.outChannels, n: grid.wide, k: g.inChannels,
                    a: taps.pointer + tap * tapSize, lda: g.inChannels, b: padded.pointer + grid.offset(tap, g), ldb: grid.plane,
                    beta: tap == 0 ? 0 : 1, c: wide.pointer, ldc: grid.wide)
            }
            let destination = out.pointer + sample * g.outChannels * g.spatial
            for o in 0..<g.outChannels {
                for y in 0..<g.outHeight {
                    ColumnKernels.copyRun(
                        from: wide.pointer + o * grid.wide + y * grid.paddedWidth,
                        to: destination + (o * g.outHeight + y) * g.outWidth, count: g.outWidth)
                }
            }
        }
        withExtendedLifetime((taps, padded, wide)) {}
        return out
    }

    /// Sample `sample` of `outputGradient` `[N, O, outH, outW]` on the wide grid, zero in the junk columns.
    static func widen(
        _ outputGradient: UnsafePointer<Float>, sample: Int, _ g: ConvolutionGeometry, _ grid: Grid,
        into wide: UnsafeMutablePointer<Float>
    ) {
        wide.update(repeating: 0, count: g.outChannels * grid.wide)
        let source = outputGradient + sample * g.outChannels * g.spatial
        for o in 0..<g.outChannels {
            for y in 0..<g.outHeight {
                ColumnKernels.copyRun(
                    from: source + (o * g.outHeight + y) * g.outWidth, to: wide + o * grid.wide + y * grid.paddedWidth, count: g.outWidth)
            }
        }
    }

    static func inputGradient(_ outputGradient: UnsafePointer<Float>, _ weight: TensorStorage, _ g: ConvolutionGeometry) -> TensorStorage {
        let grid = Grid(g)
        let taps = tapMatrices(weight.pointer, g)
        let out = TensorStorage(uninitializedCount: g.batch * g.inChannels * g.height * g.width)
        let padded = TensorStorage(uninitializedCount: grid.paddedCount)
        let wide = TensorStorage(uninitializedCount: g.outChannels * grid.wide)
        let tapSize = g.outChannels * g.inChannels
        for sample in 0..<g.batch {
            widen(outputGradient, sample: sample, g, grid, into: wide.pointer)
            padded.pointer.update(repeating: 0, count: grid.paddedCount)
            for tap in 0..<(g.kernelHeight * g.kernelWidth) {
                BLAS.sgemm(
                    transposeA: true, transposeB: false, m: g.inChannels, n: grid.wide, k: g.outChannels,
                    a: taps.pointer + tap * tapSize, lda: g.inChannels, b: wide.pointer, ldb: grid.wide,
                    beta: 1, c: padded.pointer + grid.offset(tap, g), ldc: grid.plane)
            }
            let destination = out.pointer + sample * g.inChannels * g.height * g.width
            for c in 0..<g.inChannels {
                for y in 0..<g.height {
                    ColumnKernels.copyRun(
                        from: padded.pointer + c * grid.plane + (y + g.padH) * grid.paddedWidth + g.padW,
                        to: destination + (c * g.height + y) * g.width, count: g.width)
                }
            }
        }
        withExtendedLifetime((taps, padded, wide)) {}
        return out
    }

    static func weightGradient(_ input: UnsafePointer<Float>, _ outputGradient: UnsafePointer<Float>, _ g: ConvolutionGeometry) -> TensorStorage {
        let grid = Grid(g)
        let tapCount = g.kernelHeight * g.kernelWidth
        let tapSize = g.outChannels * g.inChannels
        let perTap = TensorStorage(uninitializedCount: tapCount * tapSize)
        let padded = TensorStorage(uninitializedCount: grid.paddedCount)
        let wide = TensorStorage(uninitializedCount: g.outChannels * grid.wide)
        for sample in 0..<g.batch {
            pad(input, sample: sample, g, grid, into: padded.pointer)
            widen(outputGradient, sample: sample, g, grid, into: wide.pointer)
            for tap in 0..<tapCount {
                BLAS.sgemm(
                    transposeA: false, transposeB: true, m: g.outChannels, n: g.inChannels, k: grid.wide,
                    a: wide.pointer, lda: grid.wide, b: padded.pointer + grid.offset(tap, g), ldb: grid.plane,
                    beta: sample == 0 ? 0 : 1, c: perTap.pointer + tap * tapSize, ldc: g.inChannels)
            }
        }
        let out = TensorStorage(uninitializedCount: tapCount * tapSize)
        for o in 0..<g.outChannels {
            for c in 0..<g.inChannels {
                let destination = out.pointer + (o * g.inChannels + c) * tapCount
                for tap in 0..<tapCount { destination[tap] = perTap.pointer[(tap * g.outChannels + o) * g.inChannels + c] }
            }
        }
        withExtendedLifetime((perTap, padded, wide)) {}
        return out
    }
}
