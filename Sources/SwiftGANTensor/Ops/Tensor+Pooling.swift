// MARK: - Pooling and upsampling (NCHW), built on differentiable gathers

extension Tensor {
    private func imageDimensions(_ op: String) -> (batch: Int, channels: Int, height: Int, width: Int) {
        require(rank == 4, "\(op): expected [N, C, H, W], got \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }

    /// Flat indices of every window tap: `[N*C*outH*outW, kH*kW]`, -1 on padding.
    private func windowTaps(kernel: SpatialSize, stride: SpatialSize, padding: SpatialSize, op: String)
        -> (indices: [Int], outH: Int, outW: Int)
    {
        let (n, c, h, w) = imageDimensions(op)
        require(
            kernel.height > 0 && kernel.width > 0 && stride.height > 0 && stride.width > 0,
            "\(op): kernel \(kernel) and stride \(stride) must be positive")
        require(
            padding.height >= 0 && padding.width >= 0
                && 2 * padding.height <= kernel.height && 2 * padding.width <= kernel.width,
            "\(op): padding \(padding) must be at most half of kernel \(kernel)")
        let spanH = h + 2 * padding.height - kernel.height
        let spanW = w + 2 * padding.width - kernel.width
        require(spanH >= 0 && spanW >= 0, "\(op): input \(shape) with padding \(padding) is smaller than kernel \(kernel)")
        let outH = spanH / stride.height + 1
        let outW = spanW / stride.width + 1
        var indices: [Int] = []
        indices.reserveCapacity(n * c * outH * outW * kernel.height * kernel.width)
        for plane in 0..<(n * c) {
            for oy in 0..<outH {
                for ox in 0..<outW {
                    for ky in 0..<kernel.height {
                        let iy = oy * stride.height - padding.height + ky
                        for kx in 0..<kernel.width {
                            let ix = ox * stride.width - padding.width + kx
                            let inside = iy >= 0 && iy < h && ix >= 0 && ix < w
                            indices.append(inside ? (plane * h + iy) * w + ix : -1)
                        }
                    }
                }
            }
        }
        return (indices, outH, outW)
    }

    /// Max pooling over `kernel` windows (`stride` defaults to `kernel`;
    /// padding never wins the max). Input `[N, C, H, W]`, output
    /// `[N, C, (H + 2p - kH)/s + 1, (W + 2p - kW)/s + 1]`.
    public func maxPool2d(kernel: SpatialSize, stride: SpatialSize? = nil, padding: SpatialSize = 0) -> Tensor {
        let stride = stride ?? kernel
        let (n, c, _, _) = imageDimensions("maxPool2d")
        let taps = windowTaps(kernel: kernel, stride: stride, padding: padding, op: "maxPool2d")
        let tapCount = kernel.height * kernel.width
        let source = storage.pointer
        var best = [Int](repeating: -1, count: taps.indices.count / tapCount)
        for window in 0..<best.count {
            var bestValue = -Float.infinity
            for tap in 0..<tapCount {
                let index = taps.indices[window * tapCount + tap]
                if index >= 0 && (best[window] < 0 || source[index] > bestValue || source[index].isNaN) {
                    bestValue = source[index]
                    best[window] = index
                }
            }
        }
        return gathered(flatIndices: best, shape: [n, c, taps.outH, taps.outW])
    }

    /// Average pooling over `kernel` windows. With `countIncludePad` (PyTorch's
    /// default) padded zeros count in the divisor. Input `[N, C, H, W]`,
    /// output `[N, C, (H + 2p - kH)/s + 1, (W + 2p - kW)/s + 1]`.
    public func avgPool2d(
        kernel: SpatialSize, stride: SpatialSize? = nil, padding: SpatialSize = 0,
        countIncludePad: Bool = true
    ) -> Tensor {
        let stride = stride ?? kernel
        let (n, c, _, _) = imageDimensions("avgPool2d")
        let taps = windowTaps(kernel: kernel, stride: stride, padding: padding, op: "avgPool2d")
        let tapCount = kernel.height * kernel.width
        let windows = taps.indices.count / tapCount
        let sums = gathered(flatIndices: taps.indices, shape: [windows, tapCount]).sum(axes: [1])
        let divisor: Tensor
        if countIncludePad {
            divisor = Tensor(Float(tapCount))
        } else {
            var counts = [Float](repeating: 0, count: windows)
            for window in 0..<windows {
                counts[window] = Float(taps.indices[(window * tapCount)..<((window + 1) * tapCount)].filter { $0 >= 0 }.count)
            }
            divisor = Tensor(counts)
        }
        return (sums / divisor).reshaped([n, c, taps.outH, taps.outW])
    }

    /// Nearest-neighbour upsampling by an integer `scale` (PyTorch `mode="nearest"`):
    /// `[N, C, H, W]` → `[N, C, H·scale, W·scale]`.
    public func upsampleNearest(scale: Int = 2) -> Tensor {
        let (n, c, h, w) = imageDimensions("upsampleNearest")
        require(scale >= 1, "upsampleNearest: scale \(scale) must be at least 1")
        let outH = h * scale
        let outW = w * scale
        var indices: [Int] = []
        indices.reserveCapacity(n * c * outH * outW)
        for plane in 0..<(n * c) {
            for oy in 0..<outH {
                for ox in 0..<outW { indices.append((plane * h + oy / scale) * w + ox / scale) }
            }
        }
        return gathered(flatIndices: indices, shape: [n, c, outH, outW])
    }

    /// Bilinear upsampling by an integer `scale` with PyTorch's
    /// `align_corners=False` sampling (half-pixel centres, clamped edges):
    /// `[N, C, H, W]` → `[N, C, H·scale, W·scale]`.
    public func upsampleBilinear(scale: Int = 2) -> Tensor {
        let (n, c, h, w) = imageDimensions("upsampleBilinear")
        require(scale >= 1, "upsampleBilinear: scale \(scale) must be at least 1")
        let outH = h * scale
        let outW = w * scale
        func taps(_ output: Int, _ size: Int) -> (Int, Int, Float) {
            let source = Swift.max((Float(output) + 0.5) / Float(scale) - 0.5, 0)
            let low = Swift.min(Int(source), size - 1)
            let high = Swift.min(low + 1, size - 1)
            return (low, high, source - Float(low))
        }
        let rows = (0..<outH).map { taps($0, h) }
        let columns = (0..<outW).map { taps($0, w) }
        let total = n * c * outH * outW
        var corners = [[Int]](repeating: [], count: 4)
        var weights = [[Float]](repeating: [], count: 4)
        for corner in 0..<4 {
            corners[corner].reserveCapacity(total)
            weights[corner].reserveCapacity(total)
        }
        for plane in 0..<(n * c) {
            for (y0, y1, fy) in rows {
                for (x0, x1, fx) in columns {
                    let base = plane * h
                    corners[0].append((base + y0) * w + x0)
                    weights[0].append((1 - fy) * (1 - fx))
                    corners[1].append((base + y0) * w + x1)
                    weights[1].append((1 - fy) * fx)
                    corners[2].append((base + y1) * w + x0)
                    weights[2].append(fy * (1 - fx))
                    corners[3].append((base + y1) * w + x1)
                    weights[3].append(fy * fx)
                }
            }
        }
        let outShape = [n, c, outH, outW]
        var result = gathered(flatIndices: corners[0], shape: outShape) * Tensor(weights[0], shape: outShape)
        for corner in 1..<4 {
            result = result + gathered(flatIndices: corners[corner], shape: outShape) * Tensor(weights[corner], shape: outShape)
        }
        return result
    }
    /// Bicubic upsampling by an integer `scale` as PyTorch's
    /// `F.interpolate(mode="bicubic", align_corners=False)`: the cubic
    /// convolution kernel with a = -0.75 over 4x4 taps, half-pixel centres,
    /// edge indices clamped. `[N, C, H, W]` → `[N, C, H·scale, W·scale]`.
    public func upsampleBicubic(scale: Int = 2) -> Tensor {
        let (n, c, h, w) = imageDimensions("upsampleBicubic")
        require(scale >= 1, "upsampleBicubic: scale \(scale) must be at least 1")
        func taps(_ output: Int, _ size: Int) -> [(index: Int, weight: Float)] {
            let source = (Float(output) + 0.5) / Float(scale) - 0.5
            let base = Int(source.rounded(.down))
            let t = source - Float(base)
            let a: Float = -0.75
            func near(_ x: Float) -> Float { ((a + 2) * x - (a + 3)) * x * x + 1 }
            func far(_ x: Float) -> Float { ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
            let weights = [far(t + 1), near(t), near(1 - t), far(2 - t)]
            return (0..<4).map { (Swift.min(Swift.max(base - 1 + $0, 0), size - 1), weights[$0]) }
        }
        let (outH, outW) = (h * scale, w * scale)
        let rows = (0..<outH).map { taps($0, h) }
        let columns = (0..<outW).map { taps($0, w) }
        let outShape = [n, c, outH, outW]
        var result: Tensor?
        for i in 0..<4 {
            for j in 0..<4 {
                var indices: [Int] = []
                var weights: [Float] = []
                indices.reserveCapacity(n * c * outH * outW)
                weights.reserveCapacity(n * c * outH * outW)
                for plane in 0..<(n * c) {
                    for row in rows {
                        for column in columns {
                            indices.append((plane * h + row[i].index) * w + column[j].index)
                            weights.append(row[i].weight * column[j].weight)
                        }
                    }
                }
                let term = gathered(flatIndices: indices, shape: outShape) * Tensor(weights, shape: outShape)
                result = result.map { $0 + term } ?? term
            }
        }
        return result!
    }
}
