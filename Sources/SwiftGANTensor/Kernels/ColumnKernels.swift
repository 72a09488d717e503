/// The horizontal tap geometry of a convolution, regrouped by stride phase.
///
/// Padded input column `x + padW = m * strideW + p` lives at
/// `scratch[p * length + m]`. Kernel column `kj` then touches the
/// contiguous run `scratch[start(kj) ..< start(kj) + outW]`, so im2col copies
/// and col2im adds whole runs instead of strided single elements (the short,
/// strided rows of stride-2 layers were most of their cost).
struct StridePhases {
    let stride: Int, padding: Int, width: Int
    /// Entries per phase.
    let length: Int
    /// Per phase: the `m` range that maps to real input columns `0..<width`.
    let firstInside: [Int], endInside: [Int]
    /// Per kernel column: the offset of its run in the scratch buffer.
    let starts: [Int]

    init(_ g: ConvolutionGeometry) {
        stride = g.strideW
        padding = g.padW
        width = g.width
        let tapReach = g.outWidth + (g.kernelWidth - 1) * g.dilationW / g.strideW
        let length = Swift.max(tapReach, (g.width - 1 + g.padW) / g.strideW + 1)
        self.length = length
        var first: [Int] = []
        var end: [Int] = []
        for phase in 0..<g.strideW {
            // Smallest m with m*s + p - pad >= 0, and smallest with it >= width.
            let low = Swift.max(0, Self.ceilingDivide(g.padW - phase, g.strideW))
            let high = Swift.max(low, Swift.min(length, Self.ceilingDivide(g.width + g.padW - phase, g.strideW)))
            first.append(low)
            end.append(high)
        }
        firstInside = first
        endInside = end
        starts = (0..<g.kernelWidth).map { kj in
            let offset = kj * g.dilationW
            return (offset % g.strideW) * length + offset / g.strideW
        }
    }

    /// Scratch entries: `stride * length`.
    var count: Int { stride * length }

    static func ceilingDivide(_ numerator: Int, _ denominator: Int) -> Int {
        numerator >= 0 ? (numerator + denominator - 1) / denominator : -((-numerator) / denominator)
    }

    /// Writes one input row's real columns into their phase slots; the
    /// padding slots keep the zeros the caller put there once.
    @inline(__always)
    func split(_ row: UnsafePointer<Float>, into scratch: UnsafeMutablePointer<Float>) {
        for phase in 0..<stride {
            let destination = scratch + phase * length
            var x = firstInside[phase] * stride + phase - padding
            for m in firstInside[phase]..<endInside[phase] {
                destination[m] = row[x]
                x += stride
            }
        }
    }

    /// Writes the phase slots back as one output row of `width` columns
    /// (every column exactly once).
    @inline(__always)
    func merge(_ scratch: UnsafePointer<Float>, into row: UnsafeMutablePointer<Float>) {
        for phase in 0..<stride {
            let source = scratch + phase * length
            var x = firstInside[phase] * stride + phase - padding
            for m in firstInside[phase]..<endInside[phase] {
                row[x] = source[m]
                x += stride
            }
        }
    }
}

/// For each input row `y`, the pairs (kernel row `ki`, output row `oy`)
/// with `y = oy * strideH - padH + ki * dilationH`: the output rows whose
/// patches read `y`.
struct RowTaps {
    /// Pairs of row `y` are `kernelRows[start[y] ..< start[y + 1]]`.
    let start: [Int], kernelRows: [Int], outputRows: [Int]

    init(_ g: ConvolutionGeometry) {
        var start = [0]
        var kernelRows: [Int] = []
        var outputRows: [Int] = []
        for y in 0..<g.height {
            for ki in 0..<g.kernelHeight {
                let reach = y + g.padH - ki * g.dilationH
                guard reach >= 0, reach % g.strideH == 0, reach / g.strideH < g.outHeight else { continue }
                kernelRows.append(ki)
                outputRows.append(reach / g.strideH)
            }
            start.append(kernelRows.count)
        }
        self.start = start
        self.kernelRows = kernelRows
        self.outputRows = outputRows
    }
}

/// im2col and its adjoint col2im over `[C*kH*kW, L*N]` columns with the
/// samples innermost: element (row, pixel, sample) at
/// `row * L*N + pixel * N + sample` (for one sample, the plain
/// `[C*kH*kW, L]`). Each kernel column of one output row is then one run of
/// `outW * N` floats for all samples at once, copied or added in whole
/// vectors: a 7x7 plane alone gives runs of 7, one vector and three
/// scalars with loop overhead each. Both work channel by channel, on
/// several threads if `parallel`.
enum ColumnKernels {
    /// Unfolds the patches of `input` `[N, C, H, W]` into `destination`
    /// (`C*kH*kW * L*N` floats). Each input row is split into its stride
    /// phases once for all samples.
    static func im2col(
        _ input: UnsafePointer<Float>, _ g: ConvolutionGeometry,
        into destination: UnsafeMutablePointer<Float>, parallel: Bool
    ) {
        let samples = g.batch
        let rowStride = g.columnCount
        let outH = g.outHeight
        let outW = g.outWidth
        let kernelArea = g.kernelHeight * g.kernelWidth
        let planeSize = g.height * g.width
        let sampleSize = g.inChannels * planeSize
        let phases = StridePhases(g)
        let taps = RowTaps(g)
        let body: (Range<Int>) -> Void = { channels in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: phases.count * samples) { buffer in
                let scratch = buffer.baseAddress!
                scratch.initialize(repeating: 0, count: phases.count * samples)
                for channel in channels {
                    let firstRow = destination + channel * kernelArea * rowStride
                    // Patch rows that fall in the vertical padding are zero.
                    for ki in 0..<g.kernelHeight {
                        for oy in 0..<outH {
                            let iy = oy * g.strideH - g.padH + ki * g.dilationH
                            guard iy < 0 || iy >= g.height else { continue }
                            for kj in 0..<g.kernelWidth {
                                (firstRow + (ki * g.kernelWidth + kj) * rowStride + oy * outW * samples)
                                    .update(repeating: 0, count: outW * samples)
                            }
                        }
                    }
                    let plane = input + channel * planeSize
                    for y in 0..<g.height {
                        let tapRange = taps.start[y]..<taps.start[y + 1]
                        if tapRange.isEmpty { continue }
                        let line = plane + y * g.width
                        if samples == 1 {
                            phases.split(line, into: scratch)
                        } else {
                            for phase in 0..<phases.stride {
                                var x = phases.firstInside[phase] * phases.stride + phase - phases.padding
                                for m in phases.firstInside[phase]..<phases.endInside[phase] {
                                    let slot = scratch + (phase * phases.length + m) * samples
                                    for sample in 0..<samples { slot[sample] = line[sample * sampleSize + x] }
                                    x += phases.stride
                                }
                            }
                        }
                        for tap in tapRange {
                            let rowBase =
                                firstRow + taps.kernelRows[tap] * g.kernelWidth * rowStride
                                + taps.outputRows[tap] * outW * samples
                            for kj in 0..<g.kernelWidth {
                                copyRun(
                                    from: scratch + phases.starts[kj] * samples, to: rowBase + kj * rowStride,
                                    count: outW * samples)
                            }
                        }
                    }
                }
            }
        }
        forEachChannelRange(g, parallel: parallel, body)
    }

    /// Folds columns back into `destination` `[N, C, H, W]`, adding
    /// overlapping contributions: the adjoint of `im2col`. Each output row is
    /// summed in a small scratch buffer and written once (every element of
    /// `destination` is written).
    static func col2im(
        _ cols: UnsafePointer<Float>, _ g: ConvolutionGeometry,
        into destination: UnsafeMutablePointer<Float>, parallel: Bool
    ) {
        let samples = g.batch
        let rowStride = g.columnCount
        let outW = g.outWidth
        let kernelArea = g.kernelHeight * g.kernelWidth
        let planeSize = g.height * g.width
        let sampleSize = g.inChannels * planeSize
        let phases = StridePhases(g)
        let taps = RowTaps(g)
        let body: (Range<Int>) -> Void = { channels in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: phases.count * samples) { buffer in
                let scratch = buffer.baseAddress!
                for channel in channels {
                    let firstRow = cols + channel * kernelArea * rowStride
                    for y in 0..<g.height {
                        scratch.update(repeating: 0, count: phases.count * samples)
                        for tap in taps.start[y]..<taps.start[y + 1] {
                            let rowBase =
                                firstRow + taps.kernelRows[tap] * g.kernelWidth * rowStride
                                + taps.outputRows[tap] * outW * samples
                            for kj in 0..<g.kernelWidth {
                                addRun(
                                    from: rowBase + kj * rowStride, to: scratch + phases.starts[kj] * samples,
                                    count: outW * samples)
                            }
                        }
                        let line = destination + channel * planeSize + y * g.width
                        if samples == 1 {
                            phases.merge(scratch, into: line)
                            continue
                        }
                        for phase in 0..<phases.stride {
                            var x = phases.firstInside[phase] * phases.stride + phase - phases.padding
                            for m in phases.firstInside[phase]..<phases.endInside[phase] {
                                let source = scratch + (phase * phases.length + m) * samples
                                for sample in 0..<samples { line[sample * sampleSize + x] = source[sample] }
                                x += phases.stride
                            }
                        }
                    }
                }
            }
        }
        forEachChannelRange(g, parallel: parallel, body)
    }

    /// Calls `body` over ranges of channels, split across the workers when
    /// `parallel`.
    private static func forEachChannelRange(_ g: ConvolutionGeometry, parallel: Bool, _ body: (Range<Int>) -> Void) {
        guard parallel else { return body(0..<g.inChannels) }
        let cost = g.batch * g.kernelHeight * g.kernelWidth * g.spatial
        Parallel.forEachChunk(count: g.inChannels, costPerElement: cost, body)
    }

    /// Copies a short run without a call into `memmove` (which the plain
    /// loop becomes, and which costs more than the copy for 7 floats).
    @inline(__always)
    static func copyRun(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        guard count >= 4 else {
            if count > 0 { destination[0] = source[0] }
            if count > 1 { destination[1] = source[1] }
            if count > 2 { destination[2] = source[2] }
            return
        }
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(destination)
        var offset = 0
        while offset + 4 <= count {
            to.storeBytes(
                of: from.loadUnaligned(fromByteOffset: offset * 4, as: SIMD4<Float>.self),
                toByteOffset: offset * 4, as: SIMD4<Float>.self)
            offset += 4
        }
        if offset < count {
            // The last four, overlapping the ones already copied.
            let last = (count - 4) * 4
            to.storeBytes(
                of: from.loadUnaligned(fromByteOffset: last, as: SIMD4<Float>.self),
                toByteOffset: last, as: SIMD4<Float>.self)
        }
    }

    /// `destination[0..<count] += source[0..<count]`, four at a time.
    @inline(__always)
    static func addRun(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(destination)
        var offset = 0
        while offset + 4 <= count {
            let sum =
                from.loadUnaligned(fromByteOffset: offset * 4, as: SIMD4<Float>.self)
                + to.loadUnaligned(fromByteOffset: offset * 4, as: SIMD4<Float>.self)
            to.storeBytes(of: sum, toByteOffset: offset * 4, as: SIMD4<Float>.self)
            offset += 4
        }
        while offset < count {
            destination[offset] += source[offset]
            offset += 1
        }
    }
}
