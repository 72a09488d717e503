import SwiftGANNN
import SwiftGANTensor

/// The conditional DCGAN generator of `cdcgan` and `acgan`: the label's
/// embedding (size = class count, N(0, 1) as `nn.Embedding`) joins z on the
/// channel axis of the 1x1 input, then DCGAN's transposed convolutions.
/// Keys: `label_embedding.weight` `[classes, classes]`, `main.0.weight`
/// `[latent + classes, ...]`, … as `DCGANGenerator`'s.
public final class ConditionalDCGANGenerator: GeneratorModel {
    let labelEmbedding: Embedding
    public override class var stateKeys: [String: String] { ["labelEmbedding": "label_embedding"] }
    let main: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        labelEmbedding = Embedding(config.classCount, config.classCount, random: &random)
        main = Sequential(dcganGeneratorLayers(config, inputs: config.latentDimension + config.classCount, random: &random))
        super.init(config: config)
    }

    /// Samples `[N, C, H, W]` for latents `[N, latentDimension]` and one label per row.
    public override func generate(_ latents: Tensor, labels: [Int]?) -> Tensor {
        checkLatents(latents)
        guard let labels else { fatalError("ConditionalDCGANGenerator: labels are required") }
        require(labels.count == latents.shape[0], "ConditionalDCGANGenerator: \(labels.count) labels for \(latents.shape[0]) latents")
        let input = concat([latents, labelEmbedding(labels)], axis: 1)
        return main(input.reshaped([latents.shape[0], config.latentDimension + config.classCount, 1, 1]))
    }

    /// The first convolution's rows for z (the label's embedding follows them).
    public override var latentWeights: Tensor? { inputWeights(of: main.layers[0], inputs: 0..<config.latentDimension) }
}

/// The conditional DCGAN discriminator of `cdcgan`. By default the label
/// enters as label maps: one constant H x W plane per class, 1 for the
/// sample's class and 0 for the others, concatenated to the image's
/// channels before DCGAN's body (keys `main.*` as `DCGANDiscriminator`'s,
/// the first convolution taking C + classes channels). With `projection`
/// (Miyato & Koyama 2018) D sees the image alone and scores
/// ψ(φ(x)) + ⟨embed(y), Σ φ(x)⟩: φ is the body's last feature map
/// `[N, F, s, s]`, ψ DCGAN's final convolution, Σ the sum over the s x s
/// positions, and the embedding `label_embedding.weight` `[classes, F]`
/// starts at N(0, 0.02) like DCGAN's other weights.
public final class ConditionalDCGANDiscriminator: DiscriminatorModel {
    let main: Sequential
    let labelEmbedding: Embedding?
    public override class var stateKeys: [String: String] { ["labelEmbedding": "label_embedding"] }

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        let channels = config.imageShape[0] + (config.projection ? 0 : config.classCount)
        let body = DCGANDiscriminatorBody(config, inputs: channels, random: &random)
        main = Sequential(body.layers + [body.finalConvolution(outputs: 1, random: &random)])
        if config.projection {
            let embedding = Embedding(config.classCount, body.features, random: &random)
            embedding.weight.assign(Initializer.normal(embedding.weight.shape, random: &random))
            labelEmbedding = embedding
        } else {
            labelEmbedding = nil
        }
        super.init(config: config)
    }

    public override var treatsSamplesIndependently: Bool { main.treatsSamplesIndependently }

    public override func score(_ samples: Tensor, labels: [Int]?) -> Tensor {
        guard let labels else { fatalError("ConditionalDCGANDiscriminator: labels are required") }
        let count = samples.shape[0]
        require(labels.count == count, "ConditionalDCGANDiscriminator: \(labels.count) labels for \(count) samples")
        guard let labelEmbedding else {
            return finish(main(concat([samples, labelMaps(labels, like: samples)], axis: 1)).reshaped([count, 1]))
        }
        let features = main.layers.dropLast().reduce(samples) { $1($0) }
        let unconditional = main.layers.last!(features).reshaped([count, 1])
        let projection = (labelEmbedding(labels) * features.sum(axes: [2, 3])).sum(axes: [1], keepDims: true)
        return finish(unconditional + projection)
    }

    /// One-hot label planes `[N, classes, H, W]` the size of `samples`' images.
    private func labelMaps(_ labels: [Int], like samples: Tensor) -> Tensor {
        let classes = config.classCount
        require(
            labels.allSatisfy { $0 >= 0 && $0 < classes },
            "ConditionalDCGANDiscriminator: labels must be in 0..<\(classes), got \(labels.filter { $0 < 0 || $0 >= classes }.prefix(5))")
        let plane = samples.shape[2] * samples.shape[3]
        var values = [Float](repeating: 0, count: labels.count * classes * plane)
        for (row, label) in labels.enumerated() {
            let start = (row * classes + label) * plane
            for index in start..<(start + plane) { values[index] = 1 }
        }
        return Tensor(values, shape: [labels.count, classes, samples.shape[2], samples.shape[3]])
    }
}

/// ACGAN's discriminator (Odena et al. 2017): DCGAN's discriminator, which
/// sees the image alone, plus an auxiliary classifier head beside its score:
/// a second convolution over the body's last map giving class logits
/// `[N, classes]`. Keys: `main.*` as `DCGANDiscriminator`'s and
/// `classifier.weight` `[classes, F, s, s]`.
public final class AuxiliaryClassifierDiscriminator: DiscriminatorModel {
    let main: Sequential
    let classifier: Conv2d

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        let body = DCGANDiscriminatorBody(config, inputs: config.imageShape[0], random: &random)
        main = Sequential(body.layers + [body.finalConvolution(outputs: 1, random: &random)])
        classifier = body.finalConvolution(outputs: config.classCount, random: &random)
        super.init(config: config)
    }

    public override var treatsSamplesIndependently: Bool {
        main.treatsSamplesIndependently && classifier.treatsSamplesIndependently
    }

    /// The adversarial score alone (`labels` are not D's input).
    public override func score(_ samples: Tensor, labels: [Int]?) -> Tensor {
        finish(main(samples).reshaped([samples.shape[0], 1]))
    }

    /// The score `[N, 1]` and the class logits `[N, classes]` from one pass of the body.
    public override func scoreAndClassify(_ samples: Tensor, labels: [Int]?) -> (scores: Tensor, classLogits: Tensor?) {
        let count = samples.shape[0]
        let features = main.layers.dropLast().reduce(samples) { $1($0) }
        let scores = finish(main.layers.last!(features).reshaped([count, 1]))
        return (scores, classifier(features).reshaped([count, config.classCount]))
    }
}
