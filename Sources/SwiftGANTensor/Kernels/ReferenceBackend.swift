import Foundation

/// The reference implementation of every entry in `Primitives`: plain
/// single-threaded loops in the order the definition reads, sums in
/// float64. No caches, no parallel regions, no BLAS.
@usableFromInline
enum ReferenceBackend {
    // MARK: Elementwise

    /// The flat index into an input of `shape` broadcast to `outShape` for
    /// output index `index`.
    @usableFromInline
    static func broadcastIndex(_ index: Int, outShape: [Int], inputShape: [Int]) -> Int {
        var remaining = index
        var offset = 0
        var step = 1
        let padding = outShape.count - inputShape.count
        for axis in stride(from: outShape.count - 1, through: 0, by: -1) {
            let coordinate = remaining % outShape[axis]
            remaining /= outShape[axis]
            let inputAxis = axis - padding
            if inputAxis >= 0 {
                let size = inputShape[inputAxis]
                if size != 1 { offset += coordinate * step }
                step *= size
            }
        }
        return offset
    }

    @inlinable
    static func map<Operation: UnaryOperation>(_ x: Tensor, _ operation: Operation) -> TensorStorage {
        let out = TensorStorage(uninitializedCount: x.count)
        for index in 0..<x.count { out.pointer[index] = operation(x.storage.pointer[index]) }
        return out
    }

    @inlinable
    static func zip<Operation: BinaryOperation>(_ a: Tensor, _ b: Tensor, shape: [Int], _ operation: Operation) -> TensorStorage {
        let count = shape.reduce(1, *)
        let out = TensorStorage(uninitializedCount: count)
        for index in 0..<count {
            let left = a.storage.pointer[broadcastIndex(index, outShape: shape, inputShape: a.shape)]
            let right = b.storage.pointer[broadcastIndex(index, outShape: shape, inputShape: b.shape)]
            out.pointer[index] = operation(left, right)
        }
        return out
    }

    @inlinable
    static func zip3(_ a: Tensor, _ b: Tensor, _ c: Tensor, shape: [Int], _ body: (Float, Float, Float) -> Float) -> TensorStorage {
        let count = shape.reduce(1, *)
        let out = TensorStorage(uninitializedCount: count)
        for index in 0..<count {
            out.pointer[index] = body(
                a.storage.pointer[broadcastIndex(index, outShape: shape, inputShape: a.shape)],
                b.storage.pointer[broadcastIndex(index, outShape: shape, inputShape: b.shape)],
                c.storage.pointer[broadcastIndex(index, outShape: shape, inputShape: c.shape)])
        }
        return out
    }

    static func tanh(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        for index in 0..<count { destination[index] = Float(Foundation.tanh(Double(source[index]))) }
    }

    // MARK: Reductions and layout

    static func sum(_ source: UnsafePointer<Float>, outer: Int, length: Int, inner: Int) -> TensorStorage {
        let out = TensorStorage(uninitializedCount: outer * inner)
        for row in 0..<outer {
            for column in 0..<inner {
                var total = 0.0
                for step in 0..<length { total += Double(source[(row * length + step) * inner + column]) }
                out.pointer[row * inner + column] = Float(total)
            }
        }
        return out
    }

    static func max(_ source: UnsafePointer<Float>, outer: Int, length: Int, inner: Int) -> (values: TensorStorage, indices: [Int]) {
        let values = TensorStorage(uninitializedCount: outer * inner)
        var indices = [Int](repeating: 0, count: outer * inner)
        for row in 0..<outer {
            for column in 0..<inner {
                var bestIndex = row * length * inner + column
                for step in 0..<length {
                    let index = (row * length + step) * inner + column
                    if source[bestIndex].isNaN { break }
                    if source[index] > source[bestIndex] || source[index].isNaN { bestIndex = index }
                }
                values.pointer[row * inner + column] = source[bestIndex]
                indices[row * inner + column] = bestIndex
            }
        }
        return (values, indices)
    }

    static func stridedCopy(_ source: UnsafePointer<Float>, outShape: [Int], readStrides: [Int]) -> TensorStorage {
        let count = outShape.reduce(1, *)
        let out = TensorStorage(uninitializedCount: count)
        for index in 0..<count {
            var remaining = index
            var offset = 0
            for axis in stride(from: outShape.count - 1, through: 0, by: -1) {
                offset += remaining % outShape[axis] * readStrides[axis]
                remaining /= outShape[axis]
            }
            out.pointer[index] = source[offset]
        }
        return out
    }

    static func gather(_ source: UnsafePointer<Float>, indices: [Int]) -> TensorStorage {
        let out = TensorStorage(uninitializedCount: indices.count)
        for (position, index) in indices.enumerated() { out.pointer[position] = index >= 0 ? source[index] : 0 }
        return out
    }

    static func scatterAdd(_ source: UnsafePointer<Float>, indices: [Int], count: Int) -> TensorStorage {
        var sums = [Double](repeating: 0, count: count)
        for (position, index) in indices.enumerated() where index >= 0 { sums[index] += Double(source[position]) }
        let out = TensorStorage(uninitializedCount: count)
        for index in 0..<count { out.pointer[index] = Float(sums[index]) }
        return out
    }

    static func copyBlocks(
        from source: UnsafePointer<Float>, sourceLength: Int, sourceStart: Int,
        to destination: UnsafeMutablePointer<Float>, destinationLength: Int, destinationStart: Int,
        outer: Int, sliceLength: Int, inner: Int
    ) {
        for row in 0..<outer {
            for step in 0..<sliceLength {
                for column in 0..<inner {
                    destination[(row * destinationLength + destinationStart + step) * inner + column] =
                        source[(row * sourceLength + sourceStart + step) * inner + column]
                }
            }
        }
    }

    // MARK: Matrix products and convolutions

    static func matmul(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        ExecutionContext.current.multiplyAddCounter?.total.add(m * n * k, ordering: .relaxed)
        for row in 0..<m {
            for column in 0..<n {
                var total = 0.0
                for step in 0..<k {
                    let left = transposeA ? a[step * lda + row] : a[row * lda + step]
                    let right = transposeB ? b[column * ldb + step] : b[step * ldb + column]
                    total += Double(left) * Double(right)
                }
                // The bias is added to the rounded product, as a separate addition would.
                c[row * ldc + column] = Float(total) + (bias?[column] ?? 0)
            }
        }
    }

    /// Calls `body(inputIndex, outputIndex, weightIndex)` for every tap of
    /// the convolution `g`: the one loop nest the three products share.
    private static func forEachTap(_ g: ConvolutionGeometry, _ body: (Int, Int, Int) -> Void) {
        let (outHeight, outWidth) = (g.outHeight, g.outWidth)
        for n in 0..<g.batch {
            for o in 0..<g.outChannels {
                for oy in 0..<outHeight {
                    for ox in 0..<outWidth {
                        let outputIndex = ((n * g.outChannels + o) * outHeight + oy) * outWidth + ox
                        for c in 0..<g.inChannels {
                            for ky in 0..<g.kernelHeight {
                                let iy = oy * g.strideH - g.padH + ky * g.dilationH
                                guard iy >= 0 && iy < g.height else { continue }
                                for kx in 0..<g.kernelWidth {
                                    let ix = ox * g.strideW - g.padW + kx * g.dilationW
                                    guard ix >= 0 && ix < g.width else { continue }
                                    body(
                                        ((n * g.inChannels + c) * g.height + iy) * g.width + ix, outputIndex,
                                        ((o * g.inChannels + c) * g.kernelHeight + ky) * g.kernelWidth + kx)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static func storage(_ sums: [Double]) -> TensorStorage {
        let out = TensorStorage(uninitializedCount: sums.count)
        for index in sums.indices { out.pointer[index] = Float(sums[index]) }
        return out
    }

    static func convolution(_ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry) -> TensorStorage {
        var sums = [Double](repeating: 0, count: g.batch * g.outChannels * g.spatial)
        forEachTap(g) { i, o, w in sums[o] += Double(input[i]) * Double(weight[w]) }
        return storage(sums)
    }

    static func convolutionInputGradient(_ outputGradient: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ g: ConvolutionGeometry)
        -> TensorStorage
    {
        var sums = [Double](repeating: 0, count: g.batch * g.inChannels * g.height * g.width)
        forEachTap(g) { i, o, w in sums[i] += Double(outputGradient[o]) * Double(weight[w]) }
        return storage(sums)
    }

    static func convolutionWeightGradient(_ input: UnsafePointer<Float>, _ outputGradient: UnsafePointer<Float>, _ g: ConvolutionGeometry)
        -> TensorStorage
    {
        var sums = [Double](repeating: 0, count: g.outChannels * g.patchSize)
        forEachTap(g) { i, o, w in sums[w] += Double(input[i]) * Double(outputGradient[o]) }
        return storage(sums)
    }

    // MARK: Batch normalisation

    static func batchStatistics(_ x: UnsafePointer<Float>, _ view: NormalizationKernels.View) -> (mean: [Float], variance: [Float]) {
        var mean = [Float](repeating: 0, count: view.channels)
        var variance = mean
        for channel in 0..<view.channels {
            var total = 0.0
            view.forEachSegment(of: channel) { offset in for i in 0..<view.inner { total += Double(x[offset + i]) } }
            let average = total / Double(view.perChannel)
            var squares = 0.0
            view.forEachSegment(of: channel) { offset in
                for i in 0..<view.inner { squares += (Double(x[offset + i]) - average) * (Double(x[offset + i]) - average) }
            }
            mean[channel] = Float(average)
            variance[channel] = Float(squares / Double(view.perChannel))
        }
        return (mean, variance)
    }

    static func channelAffine(
        _ x: UnsafePointer<Float>, _ view: NormalizationKernels.View, mean: [Float], scale: [Float], shift: [Float],
        into y: UnsafeMutablePointer<Float>
    ) {
        for channel in 0..<view.channels {
            view.forEachSegment(of: channel) { offset in
                for i in 0..<view.inner {
                    y[offset + i] = Float((Double(x[offset + i]) - Double(mean[channel])) * Double(scale[channel]) + Double(shift[channel]))
                }
            }
        }
    }

    /// With x̂ = (x − mean)·invStd and g = dy·weight: dx = invStd·(g − mean(g) − x̂·mean(g·x̂)).
    static func batchNormalizationBackward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ view: NormalizationKernels.View,
        mean: [Float], invStd: [Float], weight: [Float]?, into dx: UnsafeMutablePointer<Float>?
    ) -> (biasGradient: [Float], weightGradient: [Float]) {
        var biasGradient = [Float](repeating: 0, count: view.channels)
        var weightGradient = biasGradient
        for channel in 0..<view.channels {
            let centre = Double(mean[channel])
            let scale = Double(invStd[channel])
            let gain = Double(weight?[channel] ?? 1)
            var sumDy = 0.0
            var sumDyXhat = 0.0
            view.forEachSegment(of: channel) { offset in
                for i in 0..<view.inner {
                    let xhat = (Double(x[offset + i]) - centre) * scale
                    sumDy += Double(dy[offset + i])
                    sumDyXhat += Double(dy[offset + i]) * xhat
                }
            }
            biasGradient[channel] = Float(sumDy)
            weightGradient[channel] = Float(sumDyXhat)
            guard let dx else { continue }
            let count = Double(view.perChannel)
            view.forEachSegment(of: channel) { offset in
                for i in 0..<view.inner {
                    let xhat = (Double(x[offset + i]) - centre) * scale
                    dx[offset + i] = Float(scale * gain * (Double(dy[offset + i]) - sumDy / count - xhat * sumDyXhat / count))
                }
            }
        }
        return (biasGradient, weightGradient)
    }
}
