/// Fused batch-normalisation kernels over a tensor viewed as
/// `[outer, channels, inner]` (`[N, C, H*W]`, or `[N, C, 1]` for `[N, C]`):
/// the statistics, the normalisation with its affine map, and the
/// first-order backward pass, each a pass or two over the data per channel
/// instead of a dozen elementwise tensor ops. Split across the compute
/// threads by channel.
enum NormalizationKernels {
    struct View {
        let outer: Int, channels: Int, inner: Int
        var perChannel: Int { outer * inner }

        /// Calls `body(segment)` for channel `channel`'s `outer` contiguous
        /// runs of `inner` elements, starting at element offsets.
        @inline(__always)
        func forEachSegment(of channel: Int, _ body: (Int) -> Void) {
            for n in 0..<outer { body((n * channels + channel) * inner) }
        }
    }

    /// Per-channel batch mean and biased variance, accumulated in Double
    /// (two passes: the mean, then squared deviations from it).
    static func statistics(_ x: UnsafePointer<Float>, _ view: View) -> (mean: [Float], variance: [Float]) {
        var mean = [Float](repeating: 0, count: view.channels)
        var variance = mean
        mean.withUnsafeMutableBufferPointer { meanOut in
            variance.withUnsafeMutableBufferPointer { varianceOut in
                Parallel.forEachChunk(count: view.channels, costPerElement: 2 * view.perChannel) { channels in
                    for channel in channels {
                        var total = 0.0
                        view.forEachSegment(of: channel) { total += Double(sum(x + $0, view.inner)) }
                        let average = Float(total / Double(view.perChannel))
                        var squares = 0.0
                        view.forEachSegment(of: channel) { squares += Double(squaredDeviations(x + $0, view.inner, from: average)) }
                        meanOut[channel] = average
                        varianceOut[channel] = Float(squares / Double(view.perChannel))
                    }
                }
            }
        }
        return (mean, variance)
    }

    /// `y = (x - mean[c]) * scale[c] + shift[c]`.
    static func affine(
        _ x: UnsafePointer<Float>, _ view: View, mean: [Float], scale: [Float], shift: [Float],
        into y: UnsafeMutablePointer<Float>
    ) {
        Parallel.forEachChunk(count: view.channels, costPerElement: view.perChannel) { channels in
            for channel in channels {
                let centre = mean[channel]
                let a = scale[channel]
                let b = shift[channel]
                view.forEachSegment(of: channel) { offset in
                    let source = x + offset
                    let destination = y + offset
                    for i in 0..<view.inner { destination[i] = (source[i] - centre) * a + b }
                }
            }
        }
    }

    /// The first-order gradients of `y = (x - mean) * invStd * weight + bias`
    /// (batch statistics) given `dy`: returns `dx`, and per channel
    /// `Σ dy` (the bias gradient) and `Σ dy * xhat` (the weight gradient).
    static func backward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ view: View,
        mean: [Float], invStd: [Float], weight: [Float]?,
        into dx: UnsafeMutablePointer<Float>?
    ) -> (biasGradient: [Float], weightGradient: [Float]) {
        var biasGradient = [Float](repeating: 0, count: view.channels)
        var weightGradient = biasGradient
        let count = Float(view.perChannel)
        biasGradient.withUnsafeMutableBufferPointer { biasOut in
            weightGradient.withUnsafeMutableBufferPointer { weightOut in
                Parallel.forEachChunk(count: view.channels, costPerElement: 3 * view.perChannel) { channels in
                    for channel in channels {
                        let average = mean[channel]
                        let inverse = invStd[channel]
                        var sumGradient = 0.0
                        var sumProduct = 0.0
                        view.forEachSegment(of: channel) { offset in
                            sumGradient += Double(sum(dy + offset, view.inner))
                            sumProduct += Double(centredDot(x + offset, dy + offset, view.inner, mean: average))
                        }
                        let gradientSum = Float(sumGradient)
                        let productSum = Float(sumProduct) * inverse
                        biasOut[channel] = gradientSum
                        weightOut[channel] = productSum
                        guard let dx else { continue }
                        // dx = w·invStd · (dy - mean(dy) - xhat · mean(dy·xhat))
                        let gain = (weight?[channel] ?? 1) * inverse
                        let meanGradient = gradientSum / count
                        let meanProduct = productSum / count
                        view.forEachSegment(of: channel) { offset in
                            let source = x + offset
                            let incoming = dy + offset
                            let destination = dx + offset
                            for i in 0..<view.inner {
                                let normalized = (source[i] - average) * inverse
                                destination[i] = gain * (incoming[i] - meanGradient - normalized * meanProduct)
                            }
                        }
                    }
                }
            }
        }
        return (biasGradient, weightGradient)
    }

    // MARK: - Run reductions (eight float lanes, then a scalar tail)

    @inline(__always)
    static func sum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            lanes += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += x[i]
            i += 1
        }
        return total
    }

    @inline(__always)
    static func squaredDeviations(_ x: UnsafePointer<Float>, _ count: Int, from mean: Float) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        let centre = SIMD8<Float>(repeating: mean)
        while i + 8 <= count {
            let deviation = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - centre
            lanes += deviation * deviation
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += (x[i] - mean) * (x[i] - mean)
            i += 1
        }
        return total
    }

    /// Σ (x - mean) · y over a run.
    @inline(__always)
    static func centredDot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int, mean: Float) -> Float {
        var lanes = SIMD8<Float>()
        var i = 0
        let centre = SIMD8<Float>(repeating: mean)
        while i + 8 <= count {
            let deviation = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self) - centre
            lanes += deviation * UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var total = lanes.sum()
        while i < count {
            total += (x[i] - mean) * y[i]
            i += 1
        }
        return total
    }
}
