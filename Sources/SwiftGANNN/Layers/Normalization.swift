import SwiftGANTensor

/// Batch normalisation (Ioffe & Szegedy 2015), PyTorch `nn.BatchNorm1d` /
/// `nn.BatchNorm2d`.
///
/// Input `[N, C]` or `[N, C, L]` (1-D) or `[N, C, H, W]` (2-D). In training
/// mode it normalises with the batch mean and biased variance and updates
/// `running_mean` / `running_var` (unbiased) with `momentum`, and counts
/// `num_batches_tracked` (saved as int64); in evaluation mode it uses the
/// running statistics. Weight starts at 1 and bias at 0.
public class BatchNorm: Module {
    public let weight: Parameter?
    public let bias: Parameter?
    /// PyTorch's names for the running statistics.
    public override class var stateKeys: [String: String] {
        ["runningMean": "running_mean", "runningVar": "running_var", "numBatchesTracked": "num_batches_tracked"]
    }

    public let runningMean: Buffer?
    public let runningVar: Buffer?
    public let numBatchesTracked: Buffer?
    public let numFeatures: Int
    public let epsilon: Float
    public let momentum: Float
    let expectedRanks: Set<Int>
    /// Synchronized batch normalisation in data-parallel training: the
    /// batch mean and variance over every replica's batch (`sum` adds a
    /// buffer across the `replicas`, all with batches of one size), as
    /// PyTorch's `SyncBatchNorm`. Nil: this process's batch alone.
    public var synchronization: (replicas: Int, sum: CrossReplicaSum)?

    init(numFeatures: Int, epsilon: Float, momentum: Float, affine: Bool, trackRunningStats: Bool, ranks: Set<Int>) {
        require(numFeatures > 0, "BatchNorm: numFeatures \(numFeatures) must be positive")
        require(momentum >= 0 && momentum <= 1, "BatchNorm: momentum \(momentum) must be in [0, 1]")
        require(epsilon > 0, "BatchNorm: epsilon \(epsilon) must be positive")
        self.numFeatures = numFeatures
        self.epsilon = epsilon
        self.momentum = momentum
        expectedRanks = ranks
        weight = affine ? Parameter(Tensor.ones([numFeatures])) : nil
        bias = affine ? Parameter(Tensor.zeros([numFeatures])) : nil
        runningMean = trackRunningStats ? Buffer(Tensor.zeros([numFeatures])) : nil
        runningVar = trackRunningStats ? Buffer(Tensor.ones([numFeatures])) : nil
        numBatchesTracked = trackRunningStats ? Buffer(Tensor(0), storedType: .int64) : nil
    }

    /// Batch statistics mix the samples (in training mode, and always without
    /// running statistics); running statistics do not.
    public override var treatsSamplesIndependently: Bool { !isTraining && runningMean != nil }

    public override func forward(_ input: Tensor) -> Tensor {
        require(
            expectedRanks.contains(input.rank) && input.shape[1] == numFeatures,
            "\(type(of: self)): expected \(numFeatures) features in an input of rank \(expectedRanks.sorted()), got \(input.shape)")
        let axes = [0] + Array(2..<input.rank)
        var statisticsShape = [Int](repeating: 1, count: input.rank)
        statisticsShape[1] = numFeatures
        if isTraining || runningMean == nil {
            let reducedCount = axes.reduce(1) { $0 * input.shape[$1] }
            if isTraining, let synchronization, reducedCount * synchronization.replicas > 1 {
                return synchronizedForward(input, axes: axes, statisticsShape, count: reducedCount, synchronization)
            }
            require(
                reducedCount > 1 || !isTraining,
                "\(type(of: self)): expected more than 1 value per channel when training, got input \(input.shape)")
            if reducedCount <= 1 {
                // Evaluation without running statistics on one value per channel: x - mean is 0.
                let normalized = (input - input.mean(axes: axes, keepDims: true)) * (1 / Float(epsilon).squareRoot())
                return affine(normalized, statisticsShape)
            }
            // One fused op for the statistics, the normalisation and the affine map.
            let batch = input.batchNormalized(weight: weight?.value, bias: bias?.value, epsilon: epsilon)
            if isTraining, let runningMean, let runningVar, let numBatchesTracked {
                withoutGradients {
                    let unbiased = batch.variance * (Float(reducedCount) / Float(reducedCount - 1))
                    runningMean.value = runningMean.value * (1 - momentum) + batch.mean * momentum
                    runningVar.value = runningVar.value * (1 - momentum) + unbiased * momentum
                    numBatchesTracked.value = numBatchesTracked.value + 1
                }
            }
            return batch.output
        }
        let mean = runningMean!.value.reshaped(statisticsShape)
        let variance = runningVar!.value.reshaped(statisticsShape)
        return affine((input - mean) / (variance + epsilon).sqrt(), statisticsShape)
    }

    /// Training mode over every replica's batch: the mean, then the
    /// variance about it, each summed across the replicas (two sums per
    /// layer; the backward pass sums the gradients of both the same way).
    private func synchronizedForward(
        _ input: Tensor, axes: [Int], _ statisticsShape: [Int], count: Int, _ synchronization: (replicas: Int, sum: CrossReplicaSum)
    ) -> Tensor {
        let total = Float(count * synchronization.replicas)
        let mean = input.sum(axes: axes, keepDims: true).summedAcrossReplicas(synchronization.sum) / total
        let centred = input - mean
        let variance = (centred * centred).sum(axes: axes, keepDims: true).summedAcrossReplicas(synchronization.sum) / total
        if let runningMean, let runningVar, let numBatchesTracked {
            withoutGradients {
                let unbiased = variance.reshaped([numFeatures]) * (total / (total - 1))
                runningMean.value = runningMean.value * (1 - momentum) + mean.reshaped([numFeatures]) * momentum
                runningVar.value = runningVar.value * (1 - momentum) + unbiased * momentum
                numBatchesTracked.value = numBatchesTracked.value + 1
            }
        }
        return affine(centred / (variance + epsilon).sqrt(), statisticsShape)
    }

    private func affine(_ normalized: Tensor, _ statisticsShape: [Int]) -> Tensor {
        guard let weight, let bias else { return normalized }
        return normalized * weight.value.reshaped(statisticsShape) + bias.value.reshaped(statisticsShape)
    }
}

/// Batch normalisation over `[N, C]` or `[N, C, L]` (PyTorch `nn.BatchNorm1d`).
public final class BatchNorm1d: BatchNorm {
    public init(
        _ numFeatures: Int, epsilon: Float = 1e-5, momentum: Float = 0.1,
        affine: Bool = true, trackRunningStats: Bool = true
    ) {
        super.init(
            numFeatures: numFeatures, epsilon: epsilon, momentum: momentum, affine: affine,
            trackRunningStats: trackRunningStats, ranks: [2, 3])
    }
}

/// Batch normalisation over `[N, C, H, W]` (PyTorch `nn.BatchNorm2d`).
public final class BatchNorm2d: BatchNorm {
    public init(
        _ numFeatures: Int, epsilon: Float = 1e-5, momentum: Float = 0.1,
        affine: Bool = true, trackRunningStats: Bool = true
    ) {
        super.init(
            numFeatures: numFeatures, epsilon: epsilon, momentum: momentum, affine: affine,
            trackRunningStats: trackRunningStats, ranks: [4])
    }
}

/// Layer normalisation (Ba et al. 2016) over the trailing `normalizedShape`
/// axes, PyTorch `nn.LayerNorm`; weight 1 and bias 0 of that shape.
public final class LayerNorm: Module {
    public let weight: Parameter?
    public let bias: Parameter?
    public let normalizedShape: [Int]
    public let epsilon: Float

    public init(_ normalizedShape: [Int], epsilon: Float = 1e-5, elementwiseAffine: Bool = true) {
        require(
            !normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
            "LayerNorm: normalizedShape \(normalizedShape) must be non-empty and positive")
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape)) : nil
        bias = elementwiseAffine ? Parameter(Tensor.zeros(normalizedShape)) : nil
    }

    /// True for inputs whose batch axis precedes the normalized axes (the usual `[N, ...]`).
    public override var treatsSamplesIndependently: Bool { true }

    public override func forward(_ input: Tensor) -> Tensor {
        require(
            Array(input.shape.suffix(normalizedShape.count)) == normalizedShape,
            "LayerNorm: input \(input.shape) does not end in \(normalizedShape)")
        let axes = Array((input.rank - normalizedShape.count)..<input.rank)
        let centred = input - input.mean(axes: axes, keepDims: true)
        let variance = (centred * centred).mean(axes: axes, keepDims: true)
        let normalized = centred / (variance + epsilon).sqrt()
        guard let weight, let bias else { return normalized }
        return normalized * weight.value + bias.value
    }
}

/// Instance normalisation (Ulyanov et al. 2016) per sample and channel over
/// H and W, PyTorch `nn.InstanceNorm2d` (default: no affine parameters, no
/// running statistics). Input `[N, C, H, W]`.
public final class InstanceNorm2d: Module {
    public let weight: Parameter?
    public let bias: Parameter?
    public let numFeatures: Int
    public let epsilon: Float

    public init(_ numFeatures: Int, epsilon: Float = 1e-5, affine: Bool = false) {
        require(numFeatures > 0, "InstanceNorm2d: numFeatures \(numFeatures) must be positive")
        self.numFeatures = numFeatures
        self.epsilon = epsilon
        weight = affine ? Parameter(Tensor.ones([numFeatures])) : nil
        bias = affine ? Parameter(Tensor.zeros([numFeatures])) : nil
    }

    public override var treatsSamplesIndependently: Bool { true }

    public override func forward(_ input: Tensor) -> Tensor {
        require(
            input.rank == 4 && input.shape[1] == numFeatures,
            "InstanceNorm2d: expected [N, \(numFeatures), H, W], got \(input.shape)")
        // Each (sample, channel) plane normalised by its own statistics is batch
        // normalisation of the planes as channels of one sample: the fused op.
        let (count, height, width) = (input.shape[0], input.shape[2], input.shape[3])
        let planes = input.reshaped([1, count * numFeatures, height, width])
        let normalized = planes.batchNormalized(weight: nil, bias: nil, epsilon: epsilon).output.reshaped(input.shape)
        guard let weight, let bias else { return normalized }
        return normalized * weight.value.reshaped([1, numFeatures, 1, 1]) + bias.value.reshaped([1, numFeatures, 1, 1])
    }
}
