/// The two-dimensional Winograd transforms of one block of samples.
///
/// A stride-2, 4x4, padding-1 convolution `[N, C, 2h, 2w] -> [N, O, h, w]`
/// is the sum over the four stride phases of the input (even/odd rows and
/// columns, each `h x w`) of a 2x2 correlation with one quarter of the
/// kernel: phase row `pr` meets kernel rows `2t + 1 - pr` at input offsets
/// `t - pr` (`t` in 0...1), and the same for columns. Each phase's
/// correlation runs as F(4x4, 2x2) over 4x4 output tiles. For output tile
/// (a, b), the four phases' 5x5 input tiles are the de-interleaved
/// 10x10 input patch at rows `8a - 1 ..< 8a + 9` and columns
/// `8b - 1 ..< 8b + 9`: phase `pr` takes patch rows `2α + 1 - pr`.
///
/// Buffers (all row-major, `T = tiles * lanes` columns with the samples innermost):
/// - interleaved images `[channels, rows, columns, lanes]`;
/// - transformed inputs `V [25, 4C, T]`, row `phase * C + c`;
/// - transformed outputs `M`, `Z [25, O, T]`;
/// - transformed kernels `U [25, O, 4C]`;
/// each of the 25 matrices `…PointStride` floats after the previous one.
extension WinogradPlan {
    /// Calls `body(ta, tb, tile, group)` for every output tile (row `ta`,
    /// column `tb`, index `tile`) and every group of eight lanes.
    @inline(__always)
    func forEachTileGroup(_ body: (_ ta: Int, _ tb: Int, _ tile: Int, _ group: Int) -> Void) {
        for ta in 0..<tilesH {
            for tb in 0..<tilesW {
                for group in stride(from: 0, to: lanes, by: 8) { body(ta, tb, ta * tilesW + tb, group) }
            }
        }
    }

    /// `V = Bᵀ d B` for every phase, tile and lane group of `channels`,
    /// from interleaved input `x [C, H, W, lanes]`.
    func transformInput(_ x: UnsafePointer<Float>, channels: Range<Int>, into v: UnsafeMutablePointer<Float>) {
        let lanes = self.lanes
        let height = self.height
        let width = self.width
        let pointStride = inputPointStride
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 150) { scratch in
            let patch = scratch.baseAddress!
            let rows = patch + 100
            for c in channels {
                forEachTileGroup { ta, tb, tile, group in
                    for r in 0..<10 {
                        let row = 8 * ta - 1 + r
                        guard row >= 0 && row < height else {
                            for q in 0..<10 { patch[r * 10 + q] = .zero }
                            continue
                        }
                        let line = x + (c * height + row) * width * lanes + group
                        for q in 0..<10 {
                            let column = 8 * tb - 1 + q
                            patch[r * 10 + q] =
                                column >= 0 && column < width
                                ? Winograd.load(line + column * lanes) : .zero
                        }
                    }
                    let base = v + c * columns + tile * lanes + group
                    for pr in 0..<2 {
                        // Bᵀ down the columns of this phase's rows.
                        for q in 0..<10 {
                            let p = patch + (1 - pr) * 10 + q
                            let t = Winograd.inputPoints(p[0], p[20], p[40], p[60], p[80])
                            rows[q] = t.0
                            rows[10 + q] = t.1
                            rows[20 + q] = t.2
                            rows[30 + q] = t.3
                            rows[40 + q] = t.4
                        }
                        for pc in 0..<2 {
                            let phase = base + (pr * 2 + pc) * self.channels * columns
                            for xr in 0..<5 {
                                let e = rows + xr * 10 + 1 - pc
                                let t = Winograd.inputPoints(e[0], e[2], e[4], e[6], e[8])
                                let out = phase + xr * 5 * pointStride
                                Winograd.store(t.0, out)
                                Winograd.store(t.1, out + pointStride)
                                Winograd.store(t.2, out + 2 * pointStride)
                                Winograd.store(t.3, out + 3 * pointStride)
                                Winograd.store(t.4, out + 4 * pointStride)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `Y = Aᵀ M A` for output channels `outputs`, written to the NCHW
    /// output of the block's `samples` (lanes past the last sample are dropped).
    func transformOutput(
        _ m: UnsafePointer<Float>, outputs: Range<Int>, samples: Range<Int>,
        into out: UnsafeMutablePointer<Float>
    ) {
        let lanes = self.lanes
        let outPlane = outHeight * outWidth
        let pointStride = outputPointStride
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 36) { scratch in
            let partial = scratch.baseAddress!
            let tileValues = partial + 20
            for o in outputs {
                forEachTileGroup { ta, tb, tile, group in
                    let valid = Swift.min(8, samples.count - group)
                    if valid <= 0 { return }
                    let base = m + o * columns + tile * lanes + group
                    for xc in 0..<5 {
                        let p = base + xc * pointStride
                        let s = Winograd.outputPoints(
                            Winograd.load(p), Winograd.load(p + 5 * pointStride),
                            Winograd.load(p + 10 * pointStride), Winograd.load(p + 15 * pointStride),
                            Winograd.load(p + 20 * pointStride))
                        partial[xc] = s.0
                        partial[5 + xc] = s.1
                        partial[10 + xc] = s.2
                        partial[15 + xc] = s.3
                    }
                    for i in 0..<4 {
                        let p = partial + i * 5
                        let y = Winograd.outputPoints(p[0], p[1], p[2], p[3], p[4])
                        tileValues[i * 4] = y.0
                        tileValues[i * 4 + 1] = y.1
                        tileValues[i * 4 + 2] = y.2
                        tileValues[i * 4 + 3] = y.3
                    }
                    let rowCount = Swift.min(4, outHeight - 4 * ta)
                    let columnCount = Swift.min(4, outWidth - 4 * tb)
                    // Row i of the tile for four samples at a time: a 4x4
                    // transpose turns lanes into each sample's four columns.
                    let first =
                        out + ((samples.lowerBound + group) * outChannels + o) * outPlane
                        + 4 * ta * outWidth + 4 * tb
                    let sampleStride = outChannels * outPlane
                    for i in 0..<rowCount {
                        let v = tileValues + i * 4
                        for half in 0..<2 where half * 4 < valid {
                            let t =
                                half == 0
                                ? SampleLanes.transpose(v[0].lowHalf, v[1].lowHalf, v[2].lowHalf, v[3].lowHalf)
                                : SampleLanes.transpose(v[0].highHalf, v[1].highHalf, v[2].highHalf, v[3].highHalf)
                            let count = Swift.min(4, valid - half * 4)
                            let line = first + half * 4 * sampleStride + i * outWidth
                            Self.storeRow(t.0, line, columnCount)
                            if count > 1 { Self.storeRow(t.1, line + sampleStride, columnCount) }
                            if count > 2 { Self.storeRow(t.2, line + 2 * sampleStride, columnCount) }
                            if count > 3 { Self.storeRow(t.3, line + 3 * sampleStride, columnCount) }
                        }
                    }
                }
            }
        }
    }

    /// The first `count` (at most 4) values of `row` to `line`.
    @inline(__always)
    private static func storeRow(_ row: SIMD4<Float>, _ line: UnsafeMutablePointer<Float>, _ count: Int) {
        if count == 4 {
            SampleLanes.storeFour(row, line)
        } else {
            for j in 0..<count { line[j] = row[j] }
        }
    }

    /// `Z = A Ȳ Aᵀ` for output channels `outputs`, from the interleaved
    /// output gradient `[O, h, w, lanes]` (positions past the edge are zero).
    func transformOutputGradient(
        _ gradient: UnsafePointer<Float>, outputs: Range<Int>,
        into z: UnsafeMutablePointer<Float>
    ) {
        let lanes = self.lanes
        let pointStride = outputPointStride
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 41) { scratch in
            let tileValues = scratch.baseAddress!
            let rows = tileValues + 16
            for o in outputs {
                forEachTileGroup { ta, tb, tile, group in
                    for i in 0..<4 {
                        let row = 4 * ta + i
                        for j in 0..<4 {
                            let column = 4 * tb + j
                            tileValues[i * 4 + j] =
                                row < outHeight && column < outWidth
                                ? Winograd.load(gradient + ((o * outHeight + row) * outWidth + column) * lanes + group)
                                : .zero
                        }
                    }
                    for i in 0..<4 {
                        let p = tileValues + i * 4
                        let a = Winograd.outputAdjoint(p[0], p[1], p[2], p[3])
                        rows[i * 5] = a.0
                        rows[i * 5 + 1] = a.1
                        rows[i * 5 + 2] = a.2
                        rows[i * 5 + 3] = a.3
                        rows[i * 5 + 4] = a.4
                    }
                    let base = z + o * columns + tile * lanes + group
                    for xc in 0..<5 {
                        let a = Winograd.outputAdjoint(rows[xc], rows[5 + xc], rows[10 + xc], rows[15 + xc])
                        let out = base + xc * pointStride
                        Winograd.store(a.0, out)
                        Winograd.store(a.1, out + 5 * pointStride)
                        Winograd.store(a.2, out + 10 * pointStride)
                        Winograd.store(a.3, out + 15 * pointStride)
                        Winograd.store(a.4, out + 20 * pointStride)
                    }
                }
            }
        }
    }

    /// `d̄ = B V̄ Bᵀ` for every phase of `channels`, written into the NCHW
    /// input gradient of the block's `samples`. Neighbouring tiles' patches
    /// overlap by two rows and two columns; visiting tiles in row-major
    /// order, a patch adds onto the positions an earlier tile wrote and
    /// stores the rest, so the output needs no zeroing.
    func transformInputGradient(
        _ v: UnsafePointer<Float>, channels: Range<Int>, samples: Range<Int>,
        into out: UnsafeMutablePointer<Float>
    ) {
        let lanes = self.lanes
        let height = self.height
        let width = self.width
        let pointStride = inputPointStride
        let plane = height * width
        let groups = lanes / 8
        let patchCount = tileCount * groups
        // One channel's patches, [tile, group, 100]: each phase's points are
        // read as 25 sequential streams (all tiles) before the next phase.
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: patchCount * 100 + 125) { scratch in
            let patches = scratch.baseAddress!
            let rows = patches + patchCount * 100
            // A patch with the samples outermost: [8, 100].
            let bySample = UnsafeMutableRawPointer(rows + 25).assumingMemoryBound(to: Float.self)
            for c in channels {
                for pr in 0..<2 {
                    for pc in 0..<2 {
                        let phase = v + ((pr * 2 + pc) * self.channels + c) * columns
                        for index in 0..<patchCount {
                            let points = phase + index * 8
                            // B down the points' columns, then along rows.
                            for xc in 0..<5 {
                                let p = points + xc * pointStride
                                let d = Winograd.inputAdjoint(
                                    Winograd.load(p), Winograd.load(p + 5 * pointStride),
                                    Winograd.load(p + 10 * pointStride), Winograd.load(p + 15 * pointStride),
                                    Winograd.load(p + 20 * pointStride))
                                rows[xc] = d.0
                                rows[5 + xc] = d.1
                                rows[10 + xc] = d.2
                                rows[15 + xc] = d.3
                                rows[20 + xc] = d.4
                            }
                            let patch = patches + index * 100
                            for alpha in 0..<5 {
                                let e = rows + alpha * 5
                                let d = Winograd.inputAdjoint(e[0], e[1], e[2], e[3], e[4])
                                let line = patch + (2 * alpha + 1 - pr) * 10 + 1 - pc
                                line[0] = d.0
                                line[2] = d.1
                                line[4] = d.2
                                line[6] = d.3
                                line[8] = d.4
                            }
                        }
                    }
                }
                forEachTileGroup { ta, tb, tile, group in
                    let valid = Swift.min(8, samples.count - group)
                    if valid <= 0 { return }
                    let patch = patches + (tile * groups + group / 8) * 100
                    let firstRow = Swift.max(0, 1 - 8 * ta)
                    let lastRow = Swift.min(10, height + 1 - 8 * ta)
                    let firstColumn = Swift.max(0, 1 - 8 * tb)
                    let lastColumn = Swift.min(10, width + 1 - 8 * tb)
                    // Rows and columns before these were written by the tile above / to the left.
                    let newRow = ta == 0 ? 0 : 2
                    let newColumn = tb == 0 ? 0 : 2
                    for quad in 0..<25 {
                        let p = patch + 4 * quad
                        let low = SampleLanes.transpose(p[0].lowHalf, p[1].lowHalf, p[2].lowHalf, p[3].lowHalf)
                        let high = SampleLanes.transpose(p[0].highHalf, p[1].highHalf, p[2].highHalf, p[3].highHalf)
                        let target = bySample + 4 * quad
                        SampleLanes.storeFour(low.0, target)
                        SampleLanes.storeFour(low.1, target + 100)
                        SampleLanes.storeFour(low.2, target + 200)
                        SampleLanes.storeFour(low.3, target + 300)
                        SampleLanes.storeFour(high.0, target + 400)
                        SampleLanes.storeFour(high.1, target + 500)
                        SampleLanes.storeFour(high.2, target + 600)
                        SampleLanes.storeFour(high.3, target + 700)
                    }
                    for lane in 0..<valid {
                        let image =
                            out + ((samples.lowerBound + group + lane) * self.channels + c) * plane
                            + (8 * ta - 1) * width + 8 * tb - 1
                        for r in firstRow..<lastRow {
                            let line = image + r * width
                            let values = bySample + lane * 100 + r * 10
                            let addEnd = r < newRow ? lastColumn : Swift.max(firstColumn, Swift.min(newColumn, lastColumn))
                            ColumnKernels.addRun(
                                from: values + firstColumn, to: line + firstColumn,
                                count: addEnd - firstColumn)
                            ColumnKernels.copyRun(
                                from: values + addEnd, to: line + addEnd,
                                count: lastColumn - addEnd)
                        }
                    }
                }
            }
        }
    }
}

extension WinogradPlan {
    /// `U = G g Gᵀ` for every phase of the kernels of `outputs`:
    /// `weight [O, C, 4, 4]` to `U [25, O, 4C]`, eight input channels at a time.
    func transformKernels(_ weight: UnsafePointer<Float>, outputs: Range<Int>, into u: UnsafeMutablePointer<Float>) {
        let pointStride = kernelPointStride
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 31) { scratch in
            let taps = scratch.baseAddress!
            let rows = taps + 16
            let points = rows + 10
            for o in outputs {
                for first in stride(from: 0, to: channels, by: 8) {
                    let valid = Swift.min(8, channels - first)
                    let kernel = weight + (o * channels + first) * 16
                    if valid == 8 {
                        // Four taps of four channels at a time, transposed so
                        // that each vector holds one tap of eight channels.
                        for quad in 0..<4 {
                            let p = kernel + 4 * quad
                            let low = SampleLanes.transpose(
                                SampleLanes.loadFour(p), SampleLanes.loadFour(p + 16),
                                SampleLanes.loadFour(p + 32), SampleLanes.loadFour(p + 48))
                            let high = SampleLanes.transpose(
                                SampleLanes.loadFour(p + 64), SampleLanes.loadFour(p + 80),
                                SampleLanes.loadFour(p + 96), SampleLanes.loadFour(p + 112))
                            taps[4 * quad] = Lanes(lowHalf: low.0, highHalf: high.0)
                            taps[4 * quad + 1] = Lanes(lowHalf: low.1, highHalf: high.1)
                            taps[4 * quad + 2] = Lanes(lowHalf: low.2, highHalf: high.2)
                            taps[4 * quad + 3] = Lanes(lowHalf: low.3, highHalf: high.3)
                        }
                    } else {
                        for tap in 0..<16 {
                            var lanes = Lanes.zero
                            for lane in 0..<valid { lanes[lane] = kernel[lane * 16 + tap] }
                            taps[tap] = lanes
                        }
                    }
                    for pr in 0..<2 {
                        for pc in 0..<2 {
                            // Kernel rows 2t + 1 - pr, columns 2u + 1 - pc.
                            for u in 0..<2 {
                                let column = 2 * u + 1 - pc
                                let t = Winograd.kernelPoints(taps[(1 - pr) * 4 + column], taps[(3 - pr) * 4 + column])
                                rows[u] = t.0
                                rows[2 + u] = t.1
                                rows[4 + u] = t.2
                                rows[6 + u] = t.3
                                rows[8 + u] = t.4
                            }
                            let base = u + o * depth + (pr * 2 + pc) * channels + first
                            for xr in 0..<5 {
                                let t = Winograd.kernelPoints(rows[xr * 2], rows[xr * 2 + 1])
                                points[0] = t.0
                                points[1] = t.1
                                points[2] = t.2
                                points[3] = t.3
                                points[4] = t.4
                                for xc in 0..<5 {
                                    let target = base + (xr * 5 + xc) * pointStride
                                    if valid == 8 {
                                        Winograd.store(points[xc], target)
                                    } else {
                                        for lane in 0..<valid { target[lane] = points[xc][lane] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// `ḡ = Gᵀ Ū G` for every phase: `Ū [25, O, 4C]` (the sum of `partials`
    /// buffers `partialStride` floats apart) to the weight gradient
    /// `[O, C, 4, 4]` of `outputs`.
    func transformKernelGradient(
        _ gradient: UnsafePointer<Float>, partials: Int, partialStride: Int,
        outputs: Range<Int>, into weight: UnsafeMutablePointer<Float>
    ) {
        let pointStride = kernelPointStride
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 51) { scratch in
            let points = scratch.baseAddress!
            let rows = points + 25
            let taps = rows + 10
            for o in outputs {
                for first in stride(from: 0, to: channels, by: 8) {
                    let valid = Swift.min(8, channels - first)
                    for pr in 0..<2 {
                        for pc in 0..<2 {
                            let base = gradient + o * depth + (pr * 2 + pc) * channels + first
                            for point in 0..<25 {
                                var sum = Lanes.zero
                                for partial in 0..<partials {
                                    let source = base + point * pointStride + partial * partialStride
                                    if valid == 8 {
                                        sum += Winograd.load(source)
                                    } else {
                                        for lane in 0..<valid { sum[lane] += source[lane] }
                                    }
                                }
                                points[point] = sum
                            }
                            for xr in 0..<5 {
                                let p = points + xr * 5
                                let g = Winograd.kernelAdjoint(p[0], p[1], p[2], p[3], p[4])
                                rows[xr * 2] = g.0
                                rows[xr * 2 + 1] = g.1
                            }
                            for u in 0..<2 {
                                let g = Winograd.kernelAdjoint(rows[u], rows[2 + u], rows[4 + u], rows[6 + u], rows[8 + u])
                                let column = 2 * u + 1 - pc
                                taps[(1 - pr) * 4 + column] = g.0
                                taps[(3 - pr) * 4 + column] = g.1
                            }
                        }
                    }
                    // Taps by channel back to channels by tap, four by four.
                    let kernel = weight + (o * channels + first) * 16
                    for quad in 0..<4 {
                        let t = taps + 4 * quad
                        let low = SampleLanes.transpose(t[0].lowHalf, t[1].lowHalf, t[2].lowHalf, t[3].lowHalf)
                        let high = SampleLanes.transpose(t[0].highHalf, t[1].highHalf, t[2].highHalf, t[3].highHalf)
                        let target = kernel + 4 * quad
                        SampleLanes.storeFour(low.0, target)
                        if valid > 1 { SampleLanes.storeFour(low.1, target + 16) }
                        if valid > 2 { SampleLanes.storeFour(low.2, target + 32) }
                        if valid > 3 { SampleLanes.storeFour(low.3, target + 48) }
                        if valid > 4 { SampleLanes.storeFour(high.0, target + 64) }
                        if valid > 5 { SampleLanes.storeFour(high.1, target + 80) }
                        if valid > 6 { SampleLanes.storeFour(high.2, target + 96) }
                        if valid > 7 { SampleLanes.storeFour(high.3, target + 112) }
                    }
                }
            }
        }
    }
}
