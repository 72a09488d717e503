import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor

/// Projection of real images into a trained generator's latent space (GAN
/// inversion by optimisation): for each image, the z (and, for a
/// conditional generator, the label) whose G(z) reconstructs it best. Adam
/// moves z to lower the pixel mean squared error plus, with a feature
/// network, the mean squared error of its convolutional features (the
/// perceptual term that keeps shapes over exact pixels), from several
/// random starts; the start with the lowest loss wins, image by image.
/// G runs in evaluation mode, so each image's loss depends on its own z only.
public struct LatentProjection {
    /// How hard to search.
    public struct Options: Sendable {
        /// Adam steps per start.
        public var steps: Int
        /// Random starts per image (and per candidate label).
        public var restarts: Int
        /// Adam's learning rate on z.
        public var learningRate: Float
        /// The feature term's weight (0: pixels only).
        public var featureWeight: Float
        /// Images optimised together.
        public var batchSize: Int
        /// Seeds the starts.
        public var seed: UInt64

        public init(steps: Int = 300, restarts: Int = 3, learningRate: Float = 0.05, featureWeight: Float = 1, batchSize: Int = 100, seed: UInt64 = 0) {
            (self.steps, self.restarts, self.learningRate, self.featureWeight, self.batchSize, self.seed) =
                (steps, restarts, learningRate, featureWeight, batchSize, seed)
        }

        /// A one-line problem, or nil.
        public func validationProblem() -> String? {
            if !(1...100_000).contains(steps) { return "steps \(steps) must be in 1...100000" }
            if !(1...100).contains(restarts) { return "restarts \(restarts) must be in 1...100" }
            if !(learningRate > 0 && learningRate.isFinite) { return "learning rate \(learningRate) must be a positive number" }
            if !(featureWeight >= 0 && featureWeight.isFinite) { return "feature weight \(featureWeight) must be a non-negative number" }
            if !(1...10_000).contains(batchSize) { return "batch size \(batchSize) must be in 1...10000" }
            return nil
        }
    }

    /// What the search found.
    public struct Result: Sendable {
        /// The latents `[N, latentDimension]`.
        public var latents: Tensor
        /// Each image's label, for a conditional generator.
        public var labels: [Int]?
        /// G(latents) `[N, C, H, W]`.
        public var reconstructions: Tensor
        /// Each image's pixel mean squared error (values in [-1, 1]).
        public var pixelErrors: [Float]
        /// Each image's final loss (pixel plus weighted feature term), the one the starts were ranked by.
        public var losses: [Float]
    }

    public let generator: GeneratorModel
    /// The feature network of the perceptual term; nil for pixels only.
    public let features: FeatureClassifier?
    public let options: Options

    /// - Precondition: `features`, when given, takes G's image shape.
    public init(generator: GeneratorModel, features: FeatureClassifier?, options: Options = Options()) {
        if let features {
            require(
                features.architecture.imageShape == generator.config.imageShape,
                "LatentProjection: feature network for \(features.architecture.imageShape), G makes \(generator.config.imageShape)")
        }
        self.generator = generator
        self.features = options.featureWeight > 0 ? features : nil
        self.options = options
    }

    /// Projects `images` `[N, C, H, W]` in [-1, 1]. For a conditional
    /// generator, `candidates[i]` lists the labels tried for image i (the
    /// same number for every image); each is searched with every start.
    /// - Precondition: images of G's shape; candidates exactly when G is conditional.
    public func project(_ images: Tensor, candidates: [[Int]]? = nil) -> Result {
        let model = generator.config
        require(Array(images.shape.dropFirst()) == model.imageShape, "LatentProjection: images \(images.shape), G makes \(model.imageShape)")
        require((candidates != nil) == model.isConditional, "LatentProjection: labels are candidates exactly for a conditional generator")
        let wasTraining = (generator.isTraining, features?.isTraining)
        generator.eval()
        features?.eval()
        defer {
            generator.train(wasTraining.0)
            if let training = wasTraining.1 { features?.train(training) }
        }
        var random = RandomGenerator(seed: options.seed)
        var parts: [Result] = []
        let count = images.shape[0]
        for start in stride(from: 0, to: count, by: options.batchSize) {
            let end = Swift.min(start + options.batchSize, count)
            parts.append(projectBatch(images.slice(axis: 0, start: start, end: end), candidates.map { Array($0[start..<end]) }, &random))
        }
        return Result(
            latents: concat(parts.map(\.latents), axis: 0), labels: candidates == nil ? nil : parts.flatMap { $0.labels! },
            reconstructions: concat(parts.map(\.reconstructions), axis: 0), pixelErrors: parts.flatMap(\.pixelErrors),
            losses: parts.flatMap(\.losses))
    }

    private func projectBatch(_ images: Tensor, _ candidates: [[Int]]?, _ random: inout RandomGenerator) -> Result {
        let count = images.shape[0]
        let targetFeatures = features.map { network in withoutGradients { network.convolutionalFeatures(images) } }
        var best: Result?
        let labelChoices = candidates?.first?.count ?? 1
        // Starts outermost: within a batch, the first restart's draws do not depend on how
        // many follow, so more restarts only add searches.
        for _ in 0..<options.restarts {
            for choice in 0..<labelChoices {
                let labels = candidates?.map { $0[choice] }
                let found = search(images, targetFeatures, labels, start: generator.config.sampleLatents(count, random: &random))
                best = best.map { keepBetter($0, found) } ?? found
            }
        }
        return best!
    }

    /// Adam from `start`; the final latents, reconstructions and per-image losses.
    private func search(_ images: Tensor, _ targetFeatures: Tensor?, _ labels: [Int]?, start: Tensor) -> Result {
        let latents = Parameter(start)
        let optimizer = Adam([latents], learningRate: options.learningRate)
        for _ in 0..<options.steps {
            let loss = perImageLoss(images, targetFeatures, latents.value, labels).mean()
            latents.grad = gradients(of: loss, withRespectTo: [latents.value])[0]
            optimizer.step()
        }
        return withoutGradients {
            let reconstructions = generator.generate(latents.value, labels: labels)
            let pixel = Self.pixelErrors(reconstructions, images)
            let losses = perImageLoss(images, targetFeatures, latents.value, labels).scalars
            return Result(latents: latents.value.detached(), labels: labels, reconstructions: reconstructions, pixelErrors: pixel, losses: losses)
        }
    }

    /// Each image's pixel MSE plus the feature term `[N]`.
    private func perImageLoss(_ images: Tensor, _ targetFeatures: Tensor?, _ latents: Tensor, _ labels: [Int]?) -> Tensor {
        let reconstructions = generator.generate(latents, labels: labels)
        let count = images.shape[0]
        let difference = reconstructions - images
        var loss = (difference * difference).reshaped([count, -1]).mean(axes: [1])
        if let features, let targetFeatures {
            let featureDifference = features.convolutionalFeatures(reconstructions) - targetFeatures
            loss = loss + options.featureWeight * (featureDifference * featureDifference).reshaped([count, -1]).mean(axes: [1])
        }
        return loss
    }

    /// The per-image pixel mean squared errors `[N]` of two image batches.
    public static func pixelErrors(_ a: Tensor, _ b: Tensor) -> [Float] {
        let difference = a - b
        return (difference * difference).reshaped([a.shape[0], -1]).mean(axes: [1]).scalars
    }

    /// Row by row, the lower-loss of two results.
    private func keepBetter(_ a: Result, _ b: Result) -> Result {
        let count = a.losses.count
        let takeB = (0..<count).map { b.losses[$0] < a.losses[$0] }
        func rows(_ x: Tensor, _ y: Tensor) -> Tensor {
            concat((0..<count).map { (takeB[$0] ? y : x).slice(axis: 0, start: $0, end: $0 + 1) }, axis: 0)
        }
        return Result(
            latents: rows(a.latents, b.latents),
            labels: a.labels.map { labels in (0..<count).map { takeB[$0] ? b.labels![$0] : labels[$0] } },
            reconstructions: rows(a.reconstructions, b.reconstructions),
            pixelErrors: (0..<count).map { takeB[$0] ? b.pixelErrors[$0] : a.pixelErrors[$0] },
            losses: (0..<count).map { takeB[$0] ? b.losses[$0] : a.losses[$0] })
    }
}
