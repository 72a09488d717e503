import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// The adversarial objectives by their configuration names (`config.json`,
/// `--objective`). Each name makes an `AdversarialObjective`, the type the
/// trainer works with.
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
    public var isCritic: Bool { make(output: .logit).isCritic }

    /// The objective with its hyperparameters from `training` (label
    /// smoothing, clip bound, penalty weight) for a D whose scores are `output`.
    public func make(output: ModelConfig.DiscriminatorOutput, training: TrainingConfig = TrainingConfig())
        -> any AdversarialObjective
    {
        let realTarget = 1 - training.labelSmoothing
        switch self {
        case .minimax: return CrossEntropyObjective(saturating: true, output: output, realTarget: realTarget)
        case .nonSaturating: return CrossEntropyObjective(saturating: false, output: output, realTarget: realTarget)
        case .leastSquares: return LeastSquaresObjective(realTarget: realTarget)
        case .wasserstein: return WassersteinObjective(clip: training.weightClip)
        case .wassersteinGP: return WassersteinObjective(penaltyWeight: training.gradientPenaltyWeight)
        case .hinge: return HingeObjective()
        }
    }
}

/// A penalty on D, added to its loss with a weight.
public protocol DiscriminatorPenalty: Sendable {
    /// The log name of the unweighted value (`loss/gradient_penalty`).
    var name: String { get }
    /// The factor the penalty enters D's loss with.
    var weight: Float { get }
    /// Whether the value depends on the fake batch (WGAN-GP's interpolates do; R1 does
    /// not, so a D update that sees only real images, `--update separate`'s first, can take it).
    var needsFakes: Bool { get }
    /// The unweighted penalty, differentiable with respect to D's
    /// parameters; `critic` scores a batch `[N, ...]` as `[N, 1]`.
    /// Per-example draws are made for the global batch and cut to `shard`'s rows (see `BatchShard`).
    func value(real: Tensor, fake: Tensor, random: inout RandomGenerator, shard: BatchShard, critic: (Tensor) -> Tensor) -> Tensor
}

/// An adversarial objective: D's loss on real and fake scores, G's loss on
/// fake scores, the penalties it adds to D's loss, and a constraint on D's
/// parameters after each of D's updates.
///
/// Scores are D's outputs `[N, 1]`. A new objective is a type conforming to
/// this protocol, plus a case of `Objective` naming it in configurations;
/// the trainer needs no change.
public protocol AdversarialObjective: Sendable {
    /// Whether D's scores are unbounded critic values (logged raw; others are logged as probabilities).
    var isCritic: Bool { get }
    /// Penalties added to D's loss (WGAN-GP's gradient penalty); none by default.
    var penalties: [any DiscriminatorPenalty] { get }
    func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor
    /// The parts of `discriminatorLoss(real:fake:)` that see one batch, whose
    /// sum it is: for updates on the real and the fake batch in turn (Keras's
    /// two `train_on_batch` calls, `--update separate`).
    func discriminatorLoss(real: Tensor) -> Tensor
    func discriminatorLoss(fake: Tensor) -> Tensor
    func generatorLoss(fake: Tensor) -> Tensor
    /// Applied to D's parameters after each D update (WGAN's weight clipping); nothing by default.
    func constrain(discriminator parameters: [Parameter])
}

extension AdversarialObjective {
    public var penalties: [any DiscriminatorPenalty] { [] }
    public func constrain(discriminator parameters: [Parameter]) {}
}

// MARK: - The built-in objectives

/// Binary cross-entropy on D's probabilities or logits: the minimax game
/// (Goodfellow et al. 2014; G minimises log(1 − D(G(z))), which saturates)
/// or its non-saturating form (G maximises log D(G(z))). `realTarget` below
/// 1 is one-sided label smoothing (Salimans et al. 2016).
public struct CrossEntropyObjective: AdversarialObjective {
    public var saturating: Bool
    public var output: ModelConfig.DiscriminatorOutput
    public var realTarget: Float

    public init(saturating: Bool = false, output: ModelConfig.DiscriminatorOutput = .logit, realTarget: Float = 1) {
        require(realTarget > 0 && realTarget <= 1, "CrossEntropyObjective: real target \(realTarget) must be in (0, 1]")
        self.saturating = saturating
        self.output = output
        self.realTarget = realTarget
    }

    public var isCritic: Bool { false }

    private func crossEntropy(_ scores: Tensor, target: Float) -> Tensor {
        let targets = Tensor.full(scores.shape, value: target)
        return output == .probability
            ? Loss.binaryCrossEntropy(scores, targets)
            : Loss.binaryCrossEntropyWithLogits(scores, targets)
    }

    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        crossEntropy(real, target: realTarget) + crossEntropy(fake, target: 0)
    }

    public func discriminatorLoss(real: Tensor) -> Tensor { crossEntropy(real, target: realTarget) }

    public func discriminatorLoss(fake: Tensor) -> Tensor { crossEntropy(fake, target: 0) }

    public func generatorLoss(fake: Tensor) -> Tensor {
        // Minimax: minimise log(1 − D(G(z))) = −BCE(D(G(z)), 0).
        saturating ? -crossEntropy(fake, target: 0) : crossEntropy(fake, target: 1)
    }
}

/// Least squares (Mao et al. 2017): D pushes real scores to `realTarget` and
/// fake ones to 0, G pushes fake scores to 1; both halved.
public struct LeastSquaresObjective: AdversarialObjective {
    public var realTarget: Float

    public init(realTarget: Float = 1) { self.realTarget = realTarget }

    public var isCritic: Bool { false }

    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor {
        0.5
            * (Loss.meanSquaredError(real, Tensor.full(real.shape, value: realTarget))
                + Loss.meanSquaredError(fake, Tensor.zeros(fake.shape)))
    }

    public func discriminatorLoss(real: Tensor) -> Tensor {
        0.5 * Loss.meanSquaredError(real, Tensor.full(real.shape, value: realTarget))
    }

    public func discriminatorLoss(fake: Tensor) -> Tensor { 0.5 * Loss.meanSquaredError(fake, Tensor.zeros(fake.shape)) }

    public func generatorLoss(fake: Tensor) -> Tensor {
        0.5 * Loss.meanSquaredError(fake, Tensor.ones(fake.shape))
    }
}

/// The Wasserstein critic (Arjovsky et al. 2017): D maximises
/// E[D(x)] − E[D(G(z))], G maximises E[D(G(z))]. The Lipschitz constraint
/// is weight clipping to `[-clip, clip]` after every D update, or WGAN-GP's
/// gradient penalty with weight λ (Gulrajani et al. 2017).
public struct WassersteinObjective: AdversarialObjective {
    /// The clipping bound (nil: no clipping).
    public var clip: Float?
    /// λ of the gradient penalty (nil: none).
    public var penaltyWeight: Float?

    public init(clip: Float? = nil, penaltyWeight: Float? = nil) {
        if let clip { require(clip > 0, "WassersteinObjective: clip \(clip) must be positive") }
        if let penaltyWeight { require(penaltyWeight >= 0, "WassersteinObjective: λ \(penaltyWeight) must not be negative") }
        self.clip = clip
        self.penaltyWeight = penaltyWeight
    }

    public var isCritic: Bool { true }

    public var penalties: [any DiscriminatorPenalty] {
        penaltyWeight.map { [InterpolatedGradientPenalty(weight: $0)] } ?? []
    }

    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor { Loss.wassersteinCritic(real: real, fake: fake) }

    public func discriminatorLoss(real: Tensor) -> Tensor { -real.mean() }

    public func discriminatorLoss(fake: Tensor) -> Tensor { fake.mean() }

    public func generatorLoss(fake: Tensor) -> Tensor { Loss.wassersteinGenerator(fake: fake) }

    public func constrain(discriminator parameters: [Parameter]) {
        if let clip { Clipping.clipWeights(parameters, limit: clip) }
    }
}

/// The hinge loss (Lim & Ye 2017; Miyato et al. 2018): D minimises
/// E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))], G minimises −E[D(G(z))].
public struct HingeObjective: AdversarialObjective {
    public init() {}

    public var isCritic: Bool { true }

    public func discriminatorLoss(real: Tensor, fake: Tensor) -> Tensor { Loss.hingeDiscriminator(real: real, fake: fake) }

    public func discriminatorLoss(real: Tensor) -> Tensor { (1 - real).relu().mean() }

    public func discriminatorLoss(fake: Tensor) -> Tensor { (1 + fake).relu().mean() }

    public func generatorLoss(fake: Tensor) -> Tensor { Loss.hingeGenerator(fake: fake) }
}
