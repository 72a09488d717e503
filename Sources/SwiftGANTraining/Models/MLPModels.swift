import SwiftGANNN
import SwiftGANTensor

/// Wraps `layer` in spectral normalisation when the config asks for it.
func maybeSpectral<Layer: WeightedLayer>(_ layer: Layer, _ config: ModelConfig, _ random: inout RandomGenerator) -> Layer {
    config.spectralNorm ? spectralNormalized(layer, random: &random) : layer
}

/// The textbook MLP generator (PyTorch-GAN's `gan.py` layout):
/// z → 256 → 512 → 1024 → C·H·W with LeakyReLU(0.2) (or ReLU) and Tanh.
/// Keys: `model.0.weight` … `model.6.bias`.
public final class MLPGenerator: GeneratorModel {
    let model: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        let pixels = config.imageShape.reduce(1, *)
        func activation() -> Module { config.generatorReLU ? ReLU() : LeakyReLU(0.2) }
        model = Sequential([
            Linear(config.latentDimension, 256, random: &random), activation(),
            Linear(256, 512, random: &random), activation(),
            Linear(512, 1024, random: &random), activation(),
            Linear(1024, pixels, random: &random), Tanh()
        ])
        super.init(config: config)
    }

    public override func generate(_ latents: Tensor, labels: [Int]?) -> Tensor {
        checkLatents(latents)
        return model(latents).reshaped([latents.shape[0]] + config.imageShape)
    }

    public override var latentWeights: Tensor? { inputWeights(of: model.layers[0], inputs: 0..<config.latentDimension) }
}

/// The textbook MLP discriminator: pixels → 1024 → 512 → 256 → 1 (or the
/// config's `discriminatorWidths`) with LeakyReLU(0.2) and Dropout(0.3)
/// after each hidden layer (and a final Sigmoid when the config asks for
/// probabilities). Keys: `model.0.weight` … `model.9.bias` (3 per hidden layer).
public final class MLPDiscriminator: DiscriminatorModel {
    let model: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        var layers: [Module] = []
        var inputs = config.discriminatorInputShape.reduce(1, *)
        for width in config.mlpDiscriminatorWidths {
            layers += [maybeSpectral(Linear(inputs, width, random: &random), config, &random), LeakyReLU(0.2), Dropout(0.3, random: &random)]
            inputs = width
        }
        model = Sequential(layers + [maybeSpectral(Linear(inputs, 1, random: &random), config, &random)])
        super.init(config: config)
    }

    public override var treatsSamplesIndependently: Bool { model.treatsSamplesIndependently }

    public override func score(_ samples: Tensor, labels: [Int]?) -> Tensor {
        finish(model(samples.flattened(startAxis: 1)))
    }
}

/// The 2-D mixture generator of the mode-collapse papers: z (2-D by
/// default) → 4 x [Linear(width), BatchNorm, ReLU] → Linear(2).
public final class Mixture2DGenerator: GeneratorModel {
    let model: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        var layers: [Module] = []
        var inputs = config.latentDimension
        for _ in 0..<4 {
            layers += [Linear(inputs, config.width, random: &random), BatchNorm1d(config.width), ReLU()]
            inputs = config.width
        }
        layers.append(Linear(inputs, 2, random: &random))
        model = Sequential(layers)
        super.init(config: config)
    }

    public override func generate(_ latents: Tensor, labels: [Int]?) -> Tensor {
        checkLatents(latents)
        return model(latents).reshaped([latents.shape[0], 1, 1, 2])
    }

    public override var latentWeights: Tensor? { inputWeights(of: model.layers[0], inputs: 0..<config.latentDimension) }
}

/// The 2-D mixture discriminator: 2 (2 · pack when packed) → 3 x [Linear(width), LeakyReLU(0.2)] → 1.
public final class Mixture2DDiscriminator: DiscriminatorModel {
    let model: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        model = Sequential([
            maybeSpectral(Linear(config.discriminatorInputShape.reduce(1, *), config.width, random: &random), config, &random), LeakyReLU(0.2),
            maybeSpectral(Linear(config.width, config.width, random: &random), config, &random), LeakyReLU(0.2),
            maybeSpectral(Linear(config.width, config.width, random: &random), config, &random), LeakyReLU(0.2),
            maybeSpectral(Linear(config.width, 1, random: &random), config, &random)
        ])
        super.init(config: config)
    }

    public override var treatsSamplesIndependently: Bool { model.treatsSamplesIndependently }

    public override func score(_ samples: Tensor, labels: [Int]?) -> Tensor {
        finish(model(samples.flattened(startAxis: 1)))
    }
}

/// Conditional MLP generator (PyTorch-GAN's `cgan.py` layout): the label's
/// embedding (size = class count) is concatenated to z, then the MLP trunk.
public final class ConditionalGenerator: GeneratorModel {
    let labelEmbedding: Embedding
    public override class var stateKeys: [String: String] { ["labelEmbedding": "label_embedding"] }
    let model: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        labelEmbedding = Embedding(config.classCount, config.classCount, random: &random)
        let pixels = config.imageShape.reduce(1, *)
        func block(_ inputs: Int, _ outputs: Int, normalize: Bool, _ random: inout RandomGenerator) -> [Module] {
            [Linear(inputs, outputs, random: &random)] + (normalize ? [BatchNorm1d(outputs, epsilon: 0.8)] : []) + [LeakyReLU(0.2)]
        }
        var layers = block(config.latentDimension + config.classCount, 128, normalize: false, &random)
        layers += block(128, 256, normalize: true, &random)
        layers += block(256, 512, normalize: true, &random)
        layers += block(512, 1024, normalize: true, &random)
        layers += [Linear(1024, pixels, random: &random), Tanh()]
        model = Sequential(layers)
        super.init(config: config)
    }

    public override func generate(_ latents: Tensor, labels: [Int]?) -> Tensor {
        checkLatents(latents)
        guard let labels else { fatalError("ConditionalGenerator: labels are required") }
        require(labels.count == latents.shape[0], "ConditionalGenerator: \(labels.count) labels for \(latents.shape[0]) latents")
        let input = concat([labelEmbedding(labels), latents], axis: 1)
        return model(input).reshaped([latents.shape[0]] + config.imageShape)
    }

    /// The first layer's columns for z (after the label's embedding).
    public override var latentWeights: Tensor? {
        inputWeights(of: model.layers[0], inputs: config.classCount..<(config.classCount + config.latentDimension))
    }
}

/// Conditional MLP discriminator: by default the label's embedding is
/// concatenated to the flattened image (PyTorch-GAN's `cgan.py`); with
/// `projection`, the score is ψ(φ(x)) + ⟨embed(y), φ(x)⟩ (Miyato & Koyama 2018).
public final class ConditionalDiscriminator: DiscriminatorModel {
    let labelEmbedding: Embedding
    public override class var stateKeys: [String: String] { ["labelEmbedding": "label_embedding"] }
    let model: Sequential
    let head: Linear?

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        let pixels = config.imageShape.reduce(1, *)
        let features = 512
        labelEmbedding = Embedding(config.classCount, config.projection ? features : config.classCount, random: &random)
        let inputs = config.projection ? pixels : pixels + config.classCount
        var layers: [Module] = [
            maybeSpectral(Linear(inputs, 512, random: &random), config, &random), LeakyReLU(0.2),
            maybeSpectral(Linear(512, 512, random: &random), config, &random), Dropout(0.4, random: &random), LeakyReLU(0.2),
            maybeSpectral(Linear(512, features, random: &random), config, &random), Dropout(0.4, random: &random), LeakyReLU(0.2)
        ]
        if config.projection {
            head = maybeSpectral(Linear(features, 1, random: &random), config, &random)
        } else {
            layers.append(maybeSpectral(Linear(features, 1, random: &random), config, &random))
            head = nil
        }
        model = Sequential(layers)
        super.init(config: config)
    }

    public override var treatsSamplesIndependently: Bool {
        model.treatsSamplesIndependently && (head?.treatsSamplesIndependently ?? true)
    }

    public override func score(_ samples: Tensor, labels: [Int]?) -> Tensor {
        guard let labels else { fatalError("ConditionalDiscriminator: labels are required") }
        let flat = samples.flattened(startAxis: 1)
        if let head {
            let features = model(flat)
            let projection = (labelEmbedding(labels) * features).sum(axes: [1], keepDims: true)
            return finish(head(features) + projection)
        }
        return finish(model(concat([flat, labelEmbedding(labels)], axis: 1)))
    }
}
