// MARK: - Batch normalisation

/// The result of `Tensor.batchNormalized`: the normalised tensor and the
/// batch statistics it used (for running averages; not differentiable).
public struct BatchNormalization {
    /// Same shape as the input.
    public let output: Tensor
    /// Per-channel batch mean, `[C]`.
    public let mean: Tensor
    /// Per-channel biased batch variance, `[C]`.
    public let variance: Tensor
}

extension Tensor {
    /// Batch normalisation with the batch's own statistics (PyTorch
    /// `F.batch_norm(..., training=True)`): per channel `c` (axis 1),
    /// `(x - mean_c) / sqrt(var_c + epsilon) * weight_c + bias_c`, where the
    /// mean and biased variance run over every other axis.
    ///
    /// One fused op: the statistics and the output take two passes over the
    /// data. Its backward rule is written in differentiable tensor ops
    /// (`batchNormalizationGradients`), with a registered first-order
    /// shortcut of two more passes (`FusedGradient.batchNormalization`).
    ///
    /// - Parameters:
    ///   - weight: `[C]`, or nil for 1.
    ///   - bias: `[C]`, or nil for 0.
    /// - Precondition: rank ≥ 2; more than one value per channel.
    public func batchNormalized(weight: Tensor?, bias: Tensor?, epsilon: Float) -> BatchNormalization {
        require(rank >= 2, "batchNormalized: expected [N, C, ...], got \(shape)")
        let channels = shape[1]
        let view = NormalizationKernels.View(outer: shape[0], channels: channels, inner: shape[2...].reduce(1, *))
        require(view.perChannel > 1, "batchNormalized: expected more than 1 value per channel, got input \(shape)")
        for (name, parameter) in [("weight", weight), ("bias", bias)] {
            if let parameter {
                require(parameter.shape == [channels], "batchNormalized: \(name) \(parameter.shape) does not match \(channels) channels")
            }
        }
        let input = self
        let (mean, variance) = withUnsafeBufferPointer { Primitives.batchStatistics($0.baseAddress!, view) }
        let invStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let weightValues = weight?.scalars
        let biasValues = bias?.scalars
        let scale = (0..<channels).map { invStd[$0] * (weightValues?[$0] ?? 1) }
        let shift = biasValues ?? [Float](repeating: 0, count: channels)
        let storage = TensorStorage(uninitializedCount: count)
        withUnsafeBufferPointer {
            Primitives.channelAffine($0.baseAddress!, view, mean: mean, scale: scale, shift: shift, into: storage.pointer)
        }
        let inputs = [input] + [weight, bias].compactMap { $0 }
        let weightIndex = weight == nil ? nil : 1
        let biasIndex = bias == nil ? nil : (weight == nil ? 1 : 2)
        let output = Tensor.result("batchNormalized", shape: shape, storage: storage, inputs: inputs) { context in
            var gradients: [Tensor?] = Array(repeating: nil, count: inputs.count)
            if !FusedGradient.batchNormalization.isChosen {
                let (dx, dWeight, dBias) = Tensor.batchNormalizationGradients(
                    input, weight: weight, gradient: context.gradient, epsilon: epsilon)
                gradients[0] = context.needs(0) ? dx : nil
                if let weightIndex, context.needs(weightIndex) { gradients[weightIndex] = dWeight }
                if let biasIndex, context.needs(biasIndex) { gradients[biasIndex] = dBias }
                return gradients
            }
            let dx = context.needs(0) ? TensorStorage(uninitializedCount: input.count) : nil
            let sums = input.withUnsafeBufferPointer { x in
                context.gradient.withUnsafeBufferPointer { dy in
                    Primitives.batchNormalizationBackward(
                        x.baseAddress!, dy.baseAddress!, view, mean: mean, invStd: invStd,
                        weight: weightValues, into: dx?.pointer)
                }
            }
            if let dx { gradients[0] = Tensor(shape: input.shape, storage: dx) }
            if let weightIndex, context.needs(weightIndex) { gradients[weightIndex] = Tensor(sums.weightGradient) }
            if let biasIndex, context.needs(biasIndex) { gradients[biasIndex] = Tensor(sums.biasGradient) }
            return gradients
        }
        return BatchNormalization(output: output, mean: Tensor(mean), variance: Tensor(variance))
    }

    /// The gradients of batch normalisation written in differentiable tensor
    /// ops (for recorded backward passes): `(dx, dweight, dbias)`.
    static func batchNormalizationGradients(
        _ x: Tensor, weight: Tensor?, gradient dy: Tensor,
        epsilon: Float
    ) -> (Tensor, Tensor, Tensor) {
        let axes = [0] + Array(2..<x.rank)
        var statisticsShape = [Int](repeating: 1, count: x.rank)
        statisticsShape[1] = x.shape[1]
        let centred = x - x.mean(axes: axes, keepDims: true)
        let invStd = 1 / ((centred * centred).mean(axes: axes, keepDims: true) + epsilon).sqrt()
        let normalized = centred * invStd
        let dBias = dy.sum(axes: axes)
        let dWeight = (dy * normalized).sum(axes: axes)
        let scaled = weight.map { dy * $0.reshaped(statisticsShape) } ?? dy
        let dx =
            invStd
            * (scaled - scaled.mean(axes: axes, keepDims: true)
                - normalized * (scaled * normalized).mean(axes: axes, keepDims: true))
        return (dx, dWeight, dBias)
    }
}
