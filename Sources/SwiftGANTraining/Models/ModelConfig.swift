import SwiftGANNN
import SwiftGANTensor

/// The architectures `gan` can build. Saved in each run's `config.json` so
/// `gan sample` rebuilds the exact model from the run directory alone.
public struct ModelConfig: Codable, Equatable, Sendable {
    /// Which generator/discriminator pair.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// The textbook MLP GAN: G z → 256 → 512 → 1024 → pixels, D pixels → 1024 → 512 → 256 → 1.
        case mlp
        /// DCGAN (Radford et al. 2016) for 28x28, 32x32 or 64x64 images.
        case dcgan
        /// A conditional MLP GAN (Mirza & Osindero 2014): the label's embedding joins z in G and the image in D.
        case cgan
        /// A conditional DCGAN: the label's embedding joins z in G; D takes label maps or, with
        /// `projection`, a projection head (Miyato & Koyama 2018). 28x28, 32x32 or 64x64 images.
        case cdcgan
        /// ACGAN (Odena et al. 2017): the conditional DCGAN generator and a DCGAN discriminator with
        /// an auxiliary classifier head; D and G also minimise the class loss.
        case acgan
        /// An MLP generator with a DCGAN discriminator (the Keras example's pairing).
        case mlpConv = "mlp-conv"
        /// Small MLPs for the 2-D mixtures: G 4x400 ReLU + BatchNorm, D 3 hidden layers.
        case mlp2d = "mlp2d"
        /// The Keras article's pair: the MLP generator, and a D of two 5x5 stride-2 convolutions
        /// (64, 128; TensorFlow's "same" padding), LeakyReLU(0.2), Flatten and Dense; Glorot-uniform
        /// weights and zero biases, as Keras initialises them.
        case kerasMLPConv = "keras-mlp-conv"
        /// TensorFlow's DCGAN tutorial for 28x28 images: G Dense 7x7x256, BatchNorm, LeakyReLU(0.3),
        /// 5x5 transposed convolutions to 128, 64 and the image ("same" padding); D 5x5 stride-2
        /// convolutions 64 and 128 with LeakyReLU(0.3) and Dropout(0.3), then Dense to a logit;
        /// Keras's initialisation and BatchNorm settings (momentum 0.99, ε 1e-3).
        case tfDCGAN = "tf-dcgan"
    }

    /// The latent prior.
    public enum LatentDistribution: String, Codable, CaseIterable, Sendable {
        case normal, uniform
    }

    /// What D's last layer produces.
    public enum DiscriminatorOutput: String, Codable, CaseIterable, Sendable {
        /// Probabilities through a final Sigmoid (the textbook MLP GAN).
        case probability
        /// Unbounded scores (logits for BCE objectives, critic values for WGAN/hinge).
        case logit
    }

    /// How D normalises its hidden layers.
    public enum DiscriminatorNormalization: String, Codable, CaseIterable, Sendable {
        case batchNorm = "batch-norm"
        /// For gradient penalties, which per-example norms make BatchNorm unsuitable (Gulrajani et al. 2017).
        case layerNorm = "layer-norm"
        case none
    }

    public var kind: Kind
    /// `[C, H, W]` of the data (`[1, 1, 2]` for 2-D points).
    public var imageShape: [Int]
    public var latentDimension: Int
    public var latentDistribution: LatentDistribution
    /// Base width (DCGAN's ngf/ndf; hidden width for `mlp2d`).
    public var width: Int
    /// Number of classes (conditional models use it; others ignore it).
    public var classCount: Int
    public var discriminatorOutput: DiscriminatorOutput
    public var discriminatorNormalization: DiscriminatorNormalization
    /// Spectral normalisation on every D weight layer (Miyato et al. 2018).
    public var spectralNorm: Bool
    /// ReLU instead of LeakyReLU(0.2) in the MLP generator.
    public var generatorReLU: Bool
    /// Projection discriminator (Miyato & Koyama 2018) instead of label concatenation (`cgan`) or label maps (`cdcgan`).
    public var projection: Bool
    /// The MLP discriminator's hidden widths (`mlp`; nil: 1024, 512, 256).
    public var discriminatorWidths: [Int]?
    /// PacGAN packing (Lin et al. 2018): D scores packs of this many samples
    /// at once, concatenated on channels, so its input is
    /// `discriminatorInputShape`; 1 is the ordinary D.
    public var pack: Int = 1

    /// The largest `pack` accepted.
    public static let maximumPack = 16

    /// What D takes per example: `[pack · C, H, W]` (`imageShape` without packing).
    public var discriminatorInputShape: [Int] {
        guard pack > 1, imageShape.count == 3 else { return imageShape }
        return [imageShape[0] * pack, imageShape[1], imageShape[2]]
    }

    /// The MLP discriminator's hidden widths in effect.
    public var mlpDiscriminatorWidths: [Int] { discriminatorWidths ?? [1024, 512, 256] }

    public init(
        kind: Kind, imageShape: [Int], latentDimension: Int = 100, latentDistribution: LatentDistribution = .normal,
        width: Int = 64, classCount: Int = 10, discriminatorOutput: DiscriminatorOutput = .logit,
        discriminatorNormalization: DiscriminatorNormalization = .batchNorm, spectralNorm: Bool = false,
        generatorReLU: Bool = false, projection: Bool = false
    ) {
        self.kind = kind
        self.imageShape = imageShape
        self.latentDimension = latentDimension
        self.latentDistribution = latentDistribution
        self.width = width
        self.classCount = classCount
        self.discriminatorOutput = discriminatorOutput
        self.discriminatorNormalization = discriminatorNormalization
        self.spectralNorm = spectralNorm
        self.generatorReLU = generatorReLU
        self.projection = projection
    }

    /// Whether G and D take class labels.
    public var isConditional: Bool { [.cgan, .cdcgan, .acgan].contains(kind) }

    /// Whether D has an auxiliary classifier head whose class loss D and G add (ACGAN).
    public var hasAuxiliaryClassifier: Bool { kind == .acgan }

    /// Checks the combination; returns a one-line problem or nil.
    public func validationProblem() -> String? {
        guard imageShape.count == 3, imageShape.allSatisfy({ $0 > 0 }) else { return "image shape \(imageShape) must be [C, H, W]" }
        guard [1, 3].contains(imageShape[0]), imageShape[1] <= Self.maximumImageSide, imageShape[2] <= Self.maximumImageSide else {
            return "image shape \(imageShape) must have 1 or 3 channels and sides up to \(Self.maximumImageSide)"
        }
        guard latentDimension > 0 && latentDimension <= Self.maximumSize else {
            return "latent dimension \(latentDimension) must be in 1...\(Self.maximumSize)"
        }
        guard width > 0 && width <= Self.maximumSize else { return "width \(width) must be in 1...\(Self.maximumSize)" }
        guard classCount > 0 && classCount <= Self.maximumSize else { return "class count \(classCount) must be in 1...\(Self.maximumSize)" }
        if kind != .mlp2d && imageShape == [1, 1, 2] { return "\(kind.rawValue) is for images; use mlp2d for 2-D data" }
        if [.dcgan, .mlpConv, .cdcgan, .acgan].contains(kind) {
            guard imageShape[1] == imageShape[2], [28, 32, 64].contains(imageShape[1]) else {
                return "\(kind.rawValue) needs square 28x28, 32x32 or 64x64 images, the data is \(imageShape[2])x\(imageShape[1])"
            }
        }
        if kind == .mlp2d && imageShape != [1, 1, 2] { return "mlp2d is for 2-D points, the data is \(imageShape)" }
        if kind == .tfDCGAN && imageShape[1...] != [28, 28] {
            return "tf-dcgan is TensorFlow's tutorial model for 28x28 images, the data is \(imageShape[2])x\(imageShape[1])"
        }
        if spectralNorm && (kind == .kerasMLPConv || kind == .tfDCGAN) {
            return "\(kind.rawValue) reproduces an article's discriminator, which has no spectral norm"
        }
        if let discriminatorWidths {
            guard kind == .mlp else { return "discriminator widths are for the mlp model's discriminator, not \(kind.rawValue)" }
            guard (1...16).contains(discriminatorWidths.count), discriminatorWidths.allSatisfy({ $0 > 0 && $0 <= Self.maximumSize }) else {
                return "discriminator widths \(discriminatorWidths) must be 1 to 16 widths in 1...\(Self.maximumSize)"
            }
        }
        guard (1...Self.maximumPack).contains(pack) else { return "pack \(pack) must be in 1...\(Self.maximumPack)" }
        if pack > 1 && isConditional {
            return "packing (pack \(pack)) is for unconditional models; \(kind.rawValue)'s discriminator judges each sample against its own label"
        }
        if isConditional && classCount < 2 { return "a conditional model needs at least 2 classes, the data has \(classCount)" }
        if projection && kind != .cgan && kind != .cdcgan {
            return
                "a projection discriminator is for cgan and cdcgan; \(kind.rawValue) \(kind == .acgan ? "classifies with its auxiliary head instead" : "takes no labels")"
        }
        return nil
    }

    /// Builds the generator and discriminator, initialised from `generator`.
    public func build(random: inout RandomGenerator) -> (generator: GeneratorModel, discriminator: DiscriminatorModel) {
        if let problem = validationProblem() { fatalError("ModelConfig: \(problem)") }
        switch kind {
        case .mlp:
            return (MLPGenerator(self, random: &random), MLPDiscriminator(self, random: &random))
        case .dcgan:
            let pair = (DCGANGenerator(self, random: &random), DCGANDiscriminator(self, random: &random))
            Initializer.dcgan(pair.0, random: &random)
            Initializer.dcgan(pair.1, random: &random)
            return pair
        case .mlpConv:
            let critic = DCGANDiscriminator(self, random: &random)
            Initializer.dcgan(critic, random: &random)
            return (MLPGenerator(self, random: &random), critic)
        case .cgan:
            return (ConditionalGenerator(self, random: &random), ConditionalDiscriminator(self, random: &random))
        case .cdcgan, .acgan:
            let generator = ConditionalDCGANGenerator(self, random: &random)
            let discriminator: DiscriminatorModel =
                kind == .acgan ? AuxiliaryClassifierDiscriminator(self, random: &random) : ConditionalDCGANDiscriminator(self, random: &random)
            Initializer.dcgan(generator, random: &random)
            Initializer.dcgan(discriminator, random: &random)
            return (generator, discriminator)
        case .mlp2d:
            return (Mixture2DGenerator(self, random: &random), Mixture2DDiscriminator(self, random: &random))
        case .kerasMLPConv:
            let pair = (MLPGenerator(self, random: &random), KerasConvDiscriminator(self, random: &random))
            Initializer.keras(pair.0, random: &random)
            Initializer.keras(pair.1, random: &random)
            return pair
        case .tfDCGAN:
            let pair = (TensorFlowDCGANGenerator(self, random: &random), TensorFlowDCGANDiscriminator(self, random: &random))
            Initializer.keras(pair.0, random: &random)
            Initializer.keras(pair.1, random: &random)
            return pair
        }
    }

    /// Draws `count` latent vectors `[count, latentDimension]`.
    public func sampleLatents(_ count: Int, random: inout RandomGenerator) -> Tensor {
        switch latentDistribution {
        case .normal: Tensor.normal([count, latentDimension], random: &random)
        case .uniform: Tensor.uniform([count, latentDimension], low: -1, high: 1, random: &random)
        }
    }
}

/// A generator: latents `[N, latentDimension]` (and labels for conditional
/// models) to samples `[N, C, H, W]`.
open class GeneratorModel: Module {
    public let config: ModelConfig

    init(config: ModelConfig) { self.config = config }

    /// Samples `[N, C, H, W]` in [-1, 1] (Tanh) for latents `[N, latentDimension]`.
    open func generate(_ latents: Tensor, labels: [Int]?) -> Tensor {
        fatalError("\(type(of: self)) does not implement generate")
    }

    /// Unconditional generation through the module call.
    public override func forward(_ input: Tensor) -> Tensor { generate(input, labels: nil) }

    /// The matrix `A` `[outputs, latentDimension]` with which G's first layer
    /// maps z: that layer's output is `A·z` plus terms that do not depend on
    /// z (a label's embedding, a bias), flattened as the layer lays it out.
    /// For closed-form latent directions (`LatentDirections`); nil where the
    /// first layer is not linear in z.
    open var latentWeights: Tensor? { nil }

    func checkLatents(_ latents: Tensor) {
        require(
            latents.rank == 2 && latents.shape[1] == config.latentDimension,
            "\(type(of: self)): expected latents [N, \(config.latentDimension)], got \(latents.shape)")
    }
}

/// The columns of `layer`'s map that the inputs `inputs` enter through,
/// as `[outputs, inputs.count]`: a `Linear`'s weight columns, or a
/// `ConvTranspose2d`'s input-channel slices on a 1x1 input (outputs
/// `C_out · k · k`, channel-major as its output map).
func inputWeights(of layer: Module, inputs: Range<Int>) -> Tensor? {
    if let linear = layer as? Linear {
        return linear.weight.value.slice(axis: 1, start: inputs.lowerBound, end: inputs.upperBound)
    }
    if let convolution = layer as? ConvTranspose2d {
        let rows = convolution.weight.value.slice(axis: 0, start: inputs.lowerBound, end: inputs.upperBound)
        return rows.reshaped([inputs.count, -1]).transposed()
    }
    return nil
}

/// A discriminator (critic): samples `[N, C, H, W]` (and labels) to scores `[N, 1]`.
open class DiscriminatorModel: Module {
    public let config: ModelConfig

    init(config: ModelConfig) { self.config = config }

    /// Scores `[N, 1]`: probabilities or logits as `config.discriminatorOutput` says.
    open func score(_ samples: Tensor, labels: [Int]?) -> Tensor {
        fatalError("\(type(of: self)) does not implement score")
    }

    /// The scores `[N, 1]` and, for a discriminator with an auxiliary
    /// classifier head (ACGAN), its class logits `[N, classCount]` from the
    /// same pass; others give nil logits.
    open func scoreAndClassify(_ samples: Tensor, labels: [Int]?) -> (scores: Tensor, classLogits: Tensor?) {
        (score(samples, labels: labels), nil)
    }

    public override func forward(_ input: Tensor) -> Tensor { score(input, labels: nil) }

    /// `samples` `[N, C, H, W]` as D's packed input `[N / pack, pack · C, H, W]`:
    /// samples `k·pack ..< (k+1)·pack` become pack `k`, their channels side by
    /// side (a reshape: consecutive samples are consecutive in memory).
    /// Unchanged without packing.
    /// - Precondition: `N` is a multiple of `config.pack`.
    public func packed(_ samples: Tensor) -> Tensor {
        let pack = config.pack
        guard pack > 1 else { return samples }
        require(
            samples.rank == 4 && samples.shape[0] % pack == 0,
            "\(type(of: self)): packs of \(pack) need samples [N, C, H, W] with N a multiple of \(pack), got \(samples.shape)")
        return samples.reshaped([samples.shape[0] / pack, samples.shape[1] * pack, samples.shape[2], samples.shape[3]])
    }

    /// Each of `samples` `[N, C, H, W]` repeated `pack` times as one pack
    /// `[N, pack · C, H, W]`: how a packed D scores single samples (the
    /// GAN Lab's decision surface). Unchanged without packing.
    public func packsOfCopies(_ samples: Tensor) -> Tensor {
        config.pack > 1 ? concat(Array(repeating: samples, count: config.pack), axis: 1) : samples
    }

    func finish(_ logits: Tensor) -> Tensor {
        config.discriminatorOutput == .probability ? logits.sigmoid() : logits
    }
}
