import Foundation

/// The size of a configured pair of networks, known before anything is
/// allocated, so a configuration too large for the machine (a `width` of
/// 10⁹ in a crafted `config.json`, `--latent-dim 1e9`) is refused with a
/// message instead of aborting in the allocator.
extension ModelConfig {
    /// The largest `width`, `latentDimension` and `classCount` accepted.
    public static let maximumSize = 1 << 20
    /// The largest image side accepted.
    public static let maximumImageSide = 4096

    /// The number of weights of G and D together: every weight matrix and
    /// convolution kernel and LayerNorm's affine parameters (not biases or
    /// BatchNorm's, which are smaller by a factor of the layer's width), as
    /// `Double` so that no size overflows. Within 5% of the built models'
    /// `parameterCount` (a test holds it to that).
    /// - Precondition: `validationProblem()` is nil.
    public var weightCount: Double {
        let (channels, size) = (Double(imageShape[0]), imageShape[1])
        let pixels = Double(imageShape.reduce(1, *))
        let (latent, width, classes) = (Double(latentDimension), Double(width), Double(classCount))
        let packs = Double(pack)  // D's first layer takes `pack` samples
        let mlpGenerator = latent * 256 + 256 * 512 + 512 * 1024 + 1024 * pixels
        switch kind {
        case .mlp:
            let widths = mlpDiscriminatorWidths.map(Double.init)
            return mlpGenerator + zip([packs * pixels] + widths, widths + [1]).reduce(0) { $0 + $1.0 * $1.1 }
        case .kerasMLPConv:
            let quarter = Double((imageShape[1] + 3) / 4)
            return mlpGenerator + (packs * channels * 64 + 64 * 128) * 25 + 128 * quarter * quarter
        case .tfDCGAN:
            return latent * 7 * 7 * 256 + (256 * 128 + 128 * 64 + 64 * channels) * 25 + (packs * channels * 64 + 64 * 128) * 25 + 128 * 49
        case .mlpConv:
            return mlpGenerator + dcganDiscriminatorWeights(channels: packs * channels, size: size)
        case .dcgan:
            return dcganGeneratorWeights(inputs: latent) + dcganDiscriminatorWeights(channels: packs * channels, size: size)
        case .cdcgan:
            let generator = classes * classes + dcganGeneratorWeights(inputs: latent + classes)
            guard projection else { return generator + dcganDiscriminatorWeights(channels: channels + classes, size: size) }
            return generator + dcganDiscriminatorWeights(channels: channels, size: size) + classes * dcganDiscriminatorFeatures(size: size)
        case .acgan:
            let finalSpatial = Double(size == 28 ? 49 : 16)
            return classes * classes + dcganGeneratorWeights(inputs: latent + classes) + dcganDiscriminatorWeights(channels: channels, size: size)
                + classes * dcganDiscriminatorFeatures(size: size) * finalSpatial
        case .cgan:
            let generator = classes * classes + (latent + classes) * 128 + 128 * 256 + 256 * 512 + 512 * 1024 + 1024 * pixels
            let discriminator =
                projection ? classes * 512 + pixels * 512 + 2 * 512 * 512 + 512 : classes * classes + (pixels + classes) * 512 + 2 * 512 * 512 + 512
            return generator + discriminator
        case .mlp2d:
            return latent * width + 3 * width * width + 2 * width + 2 * packs * width + 2 * width * width + width
        }
    }

    /// DCGAN's generator from `inputs` channels at 1x1.
    private func dcganGeneratorWeights(inputs: Double) -> Double {
        let (channels, width) = (Double(imageShape[0]), Double(width))
        switch imageShape[1] {
        case 28: return inputs * 4 * width * 49 + 4 * width * 2 * width * 16 + 2 * width * channels * 16
        case 32: return (inputs * 4 * width + 4 * width * 2 * width + 2 * width * width + width * channels) * 16
        default: return (inputs * 8 * width + 8 * width * 4 * width + 4 * width * 2 * width + 2 * width * width + width * channels) * 16
        }
    }

    /// Channels of DCGAN's discriminator's last feature map.
    private func dcganDiscriminatorFeatures(size: Int) -> Double {
        var (features, spatial) = (Double(width), size / 2)
        while spatial > (size == 28 ? 7 : 4) {
            features *= 2
            spatial /= 2
        }
        return features
    }

    private func dcganDiscriminatorWeights(channels: Double, size: Int) -> Double {
        var features = Double(width)
        var weights = channels * features * 16
        var spatial = size / 2
        let finalSpatial = size == 28 ? 7 : 4
        while spatial > finalSpatial {
            weights += features * features * 2 * 16
            features *= 2
            spatial /= 2
            if !spectralNorm && discriminatorNormalization == .layerNorm { weights += 2 * features * Double(spatial * spatial) }
        }
        return weights + features * Double(finalSpatial * finalSpatial)
    }

    /// A problem when the weights need more memory than `available` bytes
    /// (default: the machine's) at `bytesPerWeight` (20 to train: weights,
    /// gradients, Adam's moments, EMA; 4 to load them), or nil.
    public func memoryProblem(bytesPerWeight: Double = 20, available: Double = Double(ProcessInfo.processInfo.physicalMemory)) -> String? {
        weightMemoryProblem(
            weightCount: weightCount, bytesPerWeight: bytesPerWeight, available: available, advice: "reduce the width or the latent dimension")
    }
}
