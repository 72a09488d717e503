import SwiftGANNN
import SwiftGANTensor

/// DCGAN's generator (Radford et al. 2016) for 28x28, 32x32 or 64x64 images:
/// transposed convolutions with BatchNorm and ReLU, Tanh output, no biases.
/// The 64x64 layout is PyTorch's `examples/dcgan`; keys `main.0.weight`, ….
public final class DCGANGenerator: GeneratorModel {
    let main: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        main = Sequential(dcganGeneratorLayers(config, inputs: config.latentDimension, random: &random))
        super.init(config: config)
    }

    public override func generate(_ latents: Tensor, labels: [Int]?) -> Tensor {
        checkLatents(latents)
        return main(latents.reshaped([latents.shape[0], config.latentDimension, 1, 1]))
    }

    public override var latentWeights: Tensor? { inputWeights(of: main.layers[0], inputs: 0..<config.latentDimension) }
}

/// DCGAN's discriminator: strided convolutions with LeakyReLU(0.2) and
/// BatchNorm (none on the first layer), no biases; the last convolution
/// covers the remaining map and gives one score. With a gradient penalty
/// the config swaps BatchNorm for LayerNorm or nothing; with spectral norm
/// every convolution is normalised (and BatchNorm is dropped).
public final class DCGANDiscriminator: DiscriminatorModel {
    let main: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        let body = DCGANDiscriminatorBody(config, inputs: config.discriminatorInputShape[0], random: &random)
        main = Sequential(body.layers + [body.finalConvolution(outputs: 1, random: &random)])
        super.init(config: config)
    }

    /// False with BatchNorm or spectral normalisation in training mode.
    public override var treatsSamplesIndependently: Bool { main.treatsSamplesIndependently }

    public override func score(_ samples: Tensor, labels: [Int]?) -> Tensor {
        finish(main(samples).reshaped([samples.shape[0], 1]))
    }
}

/// DCGAN's generator layers for `config`'s image size from an input of
/// `inputs` channels at 1x1 (the latent, or the latent and a label
/// embedding): transposed convolutions with BatchNorm and ReLU, no biases,
/// then Tanh. The 28-pixel layout is 1 → 7 → 14 → 28, the 32-pixel one
/// 1 → 4 → 8 → 16 → 32, the 64-pixel one PyTorch's `examples/dcgan`.
func dcganGeneratorLayers(_ config: ModelConfig, inputs: Int, random: inout RandomGenerator) -> [Module] {
    let (channels, size, width) = (config.imageShape[0], config.imageShape[1], config.width)
    func up(_ inputs: Int, _ outputs: Int, kernel: Int, stride: Int, padding: Int, _ random: inout RandomGenerator) -> [Module] {
        [
            ConvTranspose2d(
                inputs, outputs, kernelSize: SpatialSize(kernel), stride: SpatialSize(stride),
                padding: SpatialSize(padding), bias: false, random: &random),
            BatchNorm2d(outputs), ReLU()
        ]
    }
    var layers: [Module]
    let last: Int
    switch size {
    case 28:  // 1 → 7 → 14 → 28
        layers = up(inputs, width * 4, kernel: 7, stride: 1, padding: 0, &random)
        layers += up(width * 4, width * 2, kernel: 4, stride: 2, padding: 1, &random)
        last = width * 2
    case 32:  // 1 → 4 → 8 → 16 → 32
        layers = up(inputs, width * 4, kernel: 4, stride: 1, padding: 0, &random)
        layers += up(width * 4, width * 2, kernel: 4, stride: 2, padding: 1, &random)
        layers += up(width * 2, width, kernel: 4, stride: 2, padding: 1, &random)
        last = width
    default:  // 64: 1 → 4 → 8 → 16 → 32 → 64
        layers = up(inputs, width * 8, kernel: 4, stride: 1, padding: 0, &random)
        layers += up(width * 8, width * 4, kernel: 4, stride: 2, padding: 1, &random)
        layers += up(width * 4, width * 2, kernel: 4, stride: 2, padding: 1, &random)
        layers += up(width * 2, width, kernel: 4, stride: 2, padding: 1, &random)
        last = width
    }
    return layers + [ConvTranspose2d(last, channels, kernelSize: 4, stride: 2, padding: 1, bias: false, random: &random), Tanh()]
}

/// DCGAN's discriminator up to its last LeakyReLU, for inputs of `inputs`
/// channels (the image's, or the image's and label maps): strided 4x4
/// convolutions doubling the width from `config.width` until the map is
/// 7x7 (28 px) or 4x4, with the config's normalisation (none on the first
/// layer) and spectral norm. `finalConvolution` is the layer that covers
/// the remaining map: a score (1 output), or class logits.
struct DCGANDiscriminatorBody {
    let layers: [Module]
    /// Channels of the last feature map.
    let features: Int
    /// Its side (7 at 28 px, else 4).
    let spatial: Int
    private let config: ModelConfig

    init(_ config: ModelConfig, inputs: Int, random: inout RandomGenerator) {
        self.config = config
        let (size, width) = (config.imageShape[1], config.width)
        func norm(_ features: Int, _ spatial: Int) -> [Module] {
            if config.spectralNorm { return [] }
            switch config.discriminatorNormalization {
            case .batchNorm: return [BatchNorm2d(features)]
            case .layerNorm: return [LayerNorm([features, spatial, spatial])]
            case .none: return []
            }
        }
        var layers: [Module] = [Self.convolution(config, inputs, width, kernel: 4, stride: 2, padding: 1, &random), LeakyReLU(0.2)]
        var features = width
        var spatial = size / 2
        let finalSpatial = size == 28 ? 7 : 4
        while spatial > finalSpatial {
            layers.append(Self.convolution(config, features, features * 2, kernel: 4, stride: 2, padding: 1, &random))
            features *= 2
            spatial /= 2
            layers += norm(features, spatial) + [LeakyReLU(0.2)]
        }
        self.layers = layers
        self.features = features
        self.spatial = finalSpatial
    }

    /// The convolution over the whole last map: `[N, features, s, s]` → `[N, outputs, 1, 1]`.
    func finalConvolution(outputs: Int, random: inout RandomGenerator) -> Conv2d {
        Self.convolution(config, features, outputs, kernel: spatial, stride: 1, padding: 0, &random)
    }

    private static func convolution(
        _ config: ModelConfig, _ inputs: Int, _ outputs: Int, kernel: Int, stride: Int, padding: Int, _ random: inout RandomGenerator
    ) -> Conv2d {
        maybeSpectral(
            Conv2d(
                inputs, outputs, kernelSize: SpatialSize(kernel), stride: SpatialSize(stride),
                padding: SpatialSize(padding), bias: false, random: &random), config, &random)
    }
}
