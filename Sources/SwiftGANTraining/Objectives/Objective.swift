import SwiftGANNN
import SwiftGANTensor

/// The adversarial objectives. Each gives the discriminator's loss on real
/// and fake scores and the generator's loss on fake scores.
public enum Objective: String, Codable, CaseIterable, Sendable {
    /// The original minimax game (Goodfellow et al. 2014): G minimises log(1 − D(G(z))), which saturates.
    case minimax
    /// Non-saturating BCE: G maximises log D(G(z)) (the usual "GAN" loss).
    case nonSaturating = "non-saturating"
    /// Least squares (Mao et al. 2017): D pushes real to 1 and fake to 0, G pushes fake to 1.
    case leastSquares = "lsgan"
    /// Wasserstein with weight clipping (Arjovsky et al. 2017).
    case wasserstein = "wgan"
    /// Wasserstein with a gradient penalty (Gulrajani et al. 2017).
    case wassersteinGP = "wgan-gp"
    /// Hinge (Lim & Ye 2017; Miyato et al. 2018).
    case hinge

    /// Whether D's scores are unbounded critic values (no probability interpretation).
    public var isCritic: Bool { [.wasserstein, .wassersteinGP, .hinge].contains(self) }

    /// Binary cross-entropy of `scores` against a constant `target`, on
    /// probabilities or logits as the model produces them.
    static func crossEntropy(_ scores: Tensor, target: Float, output: ModelConfig.DiscriminatorOutput) -> Tensor {
        let targets = Tensor.full(scores.shape, value: target)
        return output == .probability ? Loss.binaryCrossEntropy(scores, targets)
                                      : Loss.binaryCrossEntropyWithLogits(scores, targets)
    }

    /// D's loss. `realTarget` < 1 is one-sided label smoothing (Salimans et al. 2016).
    public func discriminatorLoss(real: Tensor, fake: Tensor, output: ModelConfig.DiscriminatorOutput,
                                  realTarget: Float = 1) -> Tensor {
        switch self {
        case .minimax, .nonSaturating:
            return Self.crossEntropy(real, target: realTarget, output: output) + Self.crossEntropy(fake, target: 0, output: output)
        case .leastSquares:
            let realScores = output == .probability ? real : real
            return 0.5 * (Loss.meanSquaredError(realScores, Tensor.full(real.shape, value: realTarget))
                          + Loss.meanSquaredError(fake, Tensor.zeros(fake.shape)))
        case .wasserstein, .wassersteinGP:
            return Loss.wassersteinCritic(real: real, fake: fake)
        case .hinge:
            return Loss.hingeDiscriminator(real: real, fake: fake)
        }
    }

    /// G's loss on D's scores of generated samples.
    public func generatorLoss(fake: Tensor, output: ModelConfig.DiscriminatorOutput) -> Tensor {
        switch self {
        case .minimax:
            // Minimise log(1 − D(G(z))) = −BCE(D(G(z)), 0).
            return -Self.crossEntropy(fake, target: 0, output: output)
        case .nonSaturating:
            return Self.crossEntropy(fake, target: 1, output: output)
        case .leastSquares:
            return 0.5 * Loss.meanSquaredError(fake, Tensor.ones(fake.shape))
        case .wasserstein, .wassersteinGP:
            return Loss.wassersteinGenerator(fake: fake)
        case .hinge:
            return Loss.hingeGenerator(fake: fake)
        }
    }
}

/// Gradient penalties on the discriminator.
public enum GradientPenalty {
    /// WGAN-GP's penalty `mean((‖∇x̂ D(x̂)‖₂ − 1)²)` at x̂ = αx + (1 − α)x̃ with
    /// α ~ U(0, 1) per example; the norm is over all non-batch axes with ε
    /// inside the square root so a zero gradient gives no NaN.
    /// - Returns: the penalty (differentiable with respect to D's parameters).
    public static func wgangp(real: Tensor, fake: Tensor, epsilon: Float = 1e-12,
                              generator: inout RandomGenerator, critic: (Tensor) -> Tensor) -> Tensor {
        require(real.shape == fake.shape, "wgangp: real \(real.shape) and fake \(fake.shape) differ")
        var alphaShape = [Int](repeating: 1, count: real.rank)
        alphaShape[0] = real.shape[0]
        let alpha = Tensor.uniform(alphaShape, generator: &generator)
        let interpolated = (alpha * real.detached() + (1 - alpha) * fake.detached()).requiringGradient()
        return withGradientRecording(true) {
            let scores = critic(interpolated).sum()
            // A critic that ignores its input has a zero gradient.
            let gradient = scores.requiresGrad ? gradients(of: scores, withRespectTo: [interpolated], createGraph: true)[0]
                                               : Tensor.zeros(interpolated.shape)
            let norms = (gradient.flattened(startAxis: 1).square().sum(axes: [1]) + epsilon).sqrt()
            return (norms - 1).square().mean()
        }
    }

    /// R1 (Mescheder et al. 2018): `mean(‖∇x D(x)‖²)` on real data (to be
    /// scaled by γ/2).
    public static func r1(real: Tensor, critic: (Tensor) -> Tensor) -> Tensor {
        let points = real.detached().requiringGradient()
        return withGradientRecording(true) {
            let scores = critic(points).sum()
            let gradient = scores.requiresGrad ? gradients(of: scores, withRespectTo: [points], createGraph: true)[0]
                                               : Tensor.zeros(points.shape)
            return gradient.flattened(startAxis: 1).square().sum(axes: [1]).mean()
        }
    }
}
