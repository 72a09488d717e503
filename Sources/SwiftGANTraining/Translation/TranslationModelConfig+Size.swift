import Foundation

/// The sizes of the image-to-image networks, known before anything is
/// allocated (as `ModelConfig.weightCount` is for the GANs), so a
/// configuration too large for the machine is refused with a message
/// instead of aborting in the allocator.
extension TranslationModelConfig {
    /// The convolution weights of G and D together (not biases or norms'
    /// affine parameters, smaller by a factor of a layer's width), as `Double`
    /// so that no size overflows; within 5% of the built networks'
    /// `parameterCount` (a test holds it to that).
    /// - Precondition: `validationProblem()` is nil.
    public var weightCount: Double { generatorWeightCount + discriminatorWeightCount }

    /// A problem when the weights need more memory than `available` bytes at `bytesPerWeight` (20 to train, 4 to load), or nil.
    public func memoryProblem(bytesPerWeight: Double = 20, available: Double = Double(ProcessInfo.processInfo.physicalMemory)) -> String? {
        weightMemoryProblem(
            weightCount: weightCount, bytesPerWeight: bytesPerWeight, available: available,
            advice: "reduce the width, the discriminator's width or the image size")
    }

    var generatorWeightCount: Double {
        let (inputs, outputs, width) = (Double(inputShape[0]), Double(outputShape[0]), Double(self.width))
        switch generator {
        case .unet:
            let widths = (0..<depth).map { width * Double(1 << Swift.min($0, 3)) }
            var weights = 0.0
            for level in 0..<depth {
                weights += (level == 0 ? inputs : widths[level - 1]) * widths[level] * 16
                let upInputs = level == depth - 1 ? widths[level] : 2 * widths[level]
                weights += upInputs * (level == 0 ? outputs : widths[level - 1]) * 16
            }
            return weights
        case .srresnet:
            var stages = 0.0
            var scale = upscale
            while scale > 1 {
                stages += 1
                scale /= 2
            }
            return inputs * width * 81 + Double(2 * residualBlocks + 1) * width * width * 9 + stages * width * 4 * width * 9 + width * outputs * 81
        }
    }

    var discriminatorWeightCount: Double {
        let width = Double(discriminatorWidth)
        let channels = Double(outputShape[0] + (conditionalDiscriminator ? inputShape[0] : 0))
        var weights = channels * width * 16
        var features = width
        for layer in 1...patchLayers {
            let next = width * Double(Swift.min(1 << layer, 8))
            weights += features * next * 16
            features = next
        }
        return weights + features * 16
    }
}

extension CycleGANModelConfig {
    /// The convolution weights of both generators and both discriminators, as `TranslationModelConfig.weightCount`.
    /// - Precondition: `validationProblem()` is nil.
    public var weightCount: Double {
        func generator(_ inputs: Int, _ outputs: Int) -> Double {
            let width = Double(self.width)
            let sampling = (width * 2 * width + 2 * width * 4 * width) * 9 * 2
            return Double(inputs) * width * 49 + sampling + Double(2 * blocks) * 16 * width * width * 9 + width * Double(outputs) * 49
        }
        return generator(shapeA[0], shapeB[0]) + generator(shapeB[0], shapeA[0])
            + discriminatorConfig(shapeA).discriminatorWeightCount + discriminatorConfig(shapeB).discriminatorWeightCount
    }

    /// A problem when the weights need more memory than `available` bytes at `bytesPerWeight` (20 to train, 4 to load), or nil.
    public func memoryProblem(bytesPerWeight: Double = 20, available: Double = Double(ProcessInfo.processInfo.physicalMemory)) -> String? {
        weightMemoryProblem(
            weightCount: weightCount, bytesPerWeight: bytesPerWeight, available: available,
            advice: "reduce the widths or the residual blocks")
    }
}

/// A problem when `weightCount` weights need more memory than `available`
/// bytes at `bytesPerWeight` (20 to train: weights, gradients, Adam's
/// moments; 4 to load them), or nil; `advice` says what to make smaller.
func weightMemoryProblem(weightCount: Double, bytesPerWeight: Double, available: Double, advice: String) -> String? {
    let needed = weightCount * bytesPerWeight
    guard needed > available else { return nil }
    let gigabytes = { (bytes: Double) in String(format: "%.1f GB", bytes / 1e9) }
    let use = bytesPerWeight > 4 ? "to train (weights, gradients, Adam state, EMA)" : "to load"
    return "the networks have about \(Int(weightCount).formatted()) weights, which need \(gigabytes(needed)) "
        + "\(use) but this machine has \(gigabytes(available)); \(advice)"
}
