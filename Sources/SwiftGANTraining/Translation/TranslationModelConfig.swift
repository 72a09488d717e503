import SwiftGANNN
import SwiftGANTensor

/// The networks of an image-to-image translation run. Saved in its
/// `config.json` so `gan translate` rebuilds the exact generator.
public struct TranslationModelConfig: Codable, Equatable, Sendable {
    /// Which generator.
    public enum Generator: String, Codable, CaseIterable, Sendable {
        /// pix2pix's U-Net (Isola et al. 2017): an encoder–decoder with skip connections.
        case unet
        /// SRGAN's residual generator (Ledig et al. 2017) with pixel-shuffle upsampling.
        case srresnet
    }

    /// The normalisation layers of both networks.
    public enum Normalization: String, Codable, CaseIterable, Sendable {
        case batch
        case instance
    }

    public var generator: Generator
    /// `[C, H, W]` of the inputs (the low-resolution size for super-resolution).
    public var inputShape: [Int]
    /// `[C, H, W]` of the outputs and targets.
    public var outputShape: [Int]
    /// G's base width (pix2pix's ngf).
    public var width: Int
    /// D's base width (pix2pix's ndf).
    public var discriminatorWidth: Int
    public var normalization: Normalization
    /// Whether D sees the input beside the output (pix2pix's conditional
    /// PatchGAN) or the output alone.
    public var conditionalDiscriminator: Bool
    /// SRResNet: residual blocks.
    public var residualBlocks: Int
    /// The PatchGAN's strided layers (pix2pix's `n_layers_D`); nil chooses them from the image size.
    public var discriminatorLayers: Int?

    public init(
        generator: Generator = .unet, inputShape: [Int], outputShape: [Int], width: Int = 64, discriminatorWidth: Int = 64,
        normalization: Normalization = .batch, conditionalDiscriminator: Bool = true, residualBlocks: Int = 8
    ) {
        self.generator = generator
        self.inputShape = inputShape
        self.outputShape = outputShape
        self.width = width
        self.discriminatorWidth = discriminatorWidth
        self.normalization = normalization
        self.conditionalDiscriminator = conditionalDiscriminator
        self.residualBlocks = residualBlocks
    }

    /// How many times the output is larger than the input (1 for pix2pix).
    public var upscale: Int { outputShape[1] / inputShape[1] }

    /// The U-Net's working size: the output size rounded up to a power of
    /// two (28 → 32; the input is reflection-padded to it and the output cropped).
    public var paddedSize: Int {
        var size = 1
        while size < outputShape[1] { size *= 2 }
        return size
    }

    /// The U-Net's downsamplings: down to 1x1 (log2 of the padded size), at most 8 (pix2pix's 256-pixel U-Net).
    public var depth: Int {
        var depth = 0
        while (1 << (depth + 1)) <= paddedSize && depth < 8 { depth += 1 }
        return depth
    }

    /// The PatchGAN's strided layers (pix2pix's `n_layers_D`): `discriminatorLayers`,
    /// or by default 1 up to 32 px (16x16 patches), 2 up to 64 px (34x34), 3 above (70x70, pix2pix's at 256 px).
    public var patchLayers: Int { discriminatorLayers ?? (outputShape[1] <= 32 ? 1 : (outputShape[1] <= 64 ? 2 : 3)) }

    /// The side of the square of pixels each patch score sees.
    public var receptiveField: Int {
        // The last two 4x4 convolutions have stride 1; each strided one before doubles the field.
        var field = 1 + 3 + 3
        for _ in 0...patchLayers - 1 { field = field * 2 + 2 }
        return field
    }

    /// The largest base width accepted (pix2pix's is 64).
    public static let maximumWidth = 256

    /// Why this configuration cannot be built, or nil.
    public func validationProblem() -> String? {
        guard inputShape.count == 3, outputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }), outputShape.allSatisfy({ $0 > 0 }) else {
            return "input shape \(inputShape) and output shape \(outputShape) must be [C, H, W]"
        }
        guard [1, 3].contains(inputShape[0]), [1, 3].contains(outputShape[0]) else {
            return "images must have 1 or 3 channels, got input \(inputShape) and output \(outputShape)"
        }
        guard inputShape[1] == inputShape[2], outputShape[1] == outputShape[2] else {
            return "images must be square, got input \(inputShape) and output \(outputShape)"
        }
        guard outputShape[1] % inputShape[1] == 0, [1, 2, 4, 8].contains(upscale) else {
            return "the output size \(outputShape[1]) must be 1, 2, 4 or 8 times the input size \(inputShape[1])"
        }
        guard outputShape[1] >= 16 else { return "images must be at least 16 pixels, got \(outputShape[1])" }
        guard (1...Self.maximumWidth).contains(width), (1...Self.maximumWidth).contains(discriminatorWidth) else {
            return "widths must be in 1...\(Self.maximumWidth), got \(width) and \(discriminatorWidth)"
        }
        guard inputShape[1] <= ModelConfig.maximumImageSide && outputShape[1] <= ModelConfig.maximumImageSide else {
            return "images must be at most \(ModelConfig.maximumImageSide) pixels"
        }
        if generator == .srresnet && upscale == 1 {
            return "srresnet needs an input smaller than the output (super-resolution: sr2, sr4); for pairs of one size use --generator unet"
        }
        if generator == .srresnet && !(1...32).contains(residualBlocks) { return "srresnet needs 1 to 32 residual blocks, got \(residualBlocks)" }
        if let problem = Self.discriminatorLayersProblem(discriminatorLayers, size: outputShape[1]) { return problem }
        return nil
    }

    /// Builds G and D, initialised as pix2pix does (convolutions N(0, 0.02)
    /// with zero biases, BatchNorm weights N(1, 0.02)).
    public func build(random: inout RandomGenerator) -> (generator: TranslationGenerator, discriminator: PatchDiscriminator) {
        let generator: TranslationGenerator
        switch self.generator {
        case .unet: generator = UNetGenerator(self, random: &random)
        case .srresnet: generator = SRResNetGenerator(self, random: &random)
        }
        let discriminator = PatchDiscriminator(self, random: &random)
        Initializer.dcgan(generator, zeroingBiases: true, random: &random)
        Initializer.dcgan(discriminator, zeroingBiases: true, random: &random)
        return (generator, discriminator)
    }

    /// Why `layers` strided PatchGAN layers do not fit `size`-pixel images, or nil:
    /// each halves the image and the two last 4x4 convolutions need 4 pixels left.
    static func discriminatorLayersProblem(_ layers: Int?, size: Int) -> String? {
        guard let layers else { return nil }
        guard layers >= 1, size >> layers >= 4 else {
            var most = 1
            while size >> (most + 1) >= 4 { most += 1 }
            return "\(layers) discriminator layers do not fit \(size)-pixel images (1 to \(most))"
        }
        return nil
    }

    func normalization(_ features: Int) -> Module {
        switch normalization {
        case .batch: return BatchNorm2d(features)
        case .instance: return InstanceNorm2d(features)
        }
    }

    /// pix2pix's rule: convolutions followed by BatchNorm need no bias.
    var convolutionBias: Bool { normalization == .instance }
}

/// A translation generator: inputs `[N, Ci, Hi, Wi]` to outputs `[N, Co, H, W]` in [-1, 1].
open class TranslationGenerator: Module {
    public let config: TranslationModelConfig

    init(config: TranslationModelConfig) { self.config = config }

    /// Outputs `[N] + config.outputShape` for inputs `[N] + config.inputShape`.
    open func translate(_ inputs: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not implement translate")
    }

    public override func forward(_ input: Tensor) -> Tensor { translate(input) }

    func checkInputs(_ inputs: Tensor) {
        require(
            inputs.rank == 4 && Array(inputs.shape.dropFirst()) == config.inputShape,
            "\(type(of: self)): expected inputs [N, \(config.inputShape.map(String.init).joined(separator: ", "))], got \(inputs.shape)")
    }
}
