import SwiftGANNN
import SwiftGANTensor

/// CycleGAN's losses (Zhu et al. 2017), as the reference implementation
/// weighs them.
///
/// - G's adversarial loss per direction: `mean((D(G(x)) - 1)²)` (LSGAN), or
///   `BCE(D(G(x)), 1)` on logits (non-saturating).
/// - Each D's loss: `0.5 · (loss(D(real), 1) + loss(D(fake), 0))`.
/// - Cycle consistency: `λ · |F(G(a)) - a|₁` and `λ · |G(F(b)) - b|₁` (means).
/// - Identity: `λ · w · |G(b) - b|₁` and `λ · w · |F(a) - a|₁`.
public enum CycleGANLosses {
    /// The adversarial loss of `scores` against the constant `target` (1 real, 0 fake).
    public static func adversarial(_ scores: Tensor, target: Float, objective: Objective) -> Tensor {
        let targets = Tensor.full(scores.shape, value: target)
        switch objective {
        case .nonSaturating: return Loss.binaryCrossEntropyWithLogits(scores, targets)
        default: return Loss.meanSquaredError(scores, targets)
        }
    }

    /// A discriminator's loss on scores of real and (pooled) generated images.
    public static func discriminator(real: Tensor, fake: Tensor, objective: Objective) -> Tensor {
        0.5 * (adversarial(real, target: 1, objective: objective) + adversarial(fake, target: 0, objective: objective))
    }

    /// The mean score, or for the non-saturating objective the mean probability, for the logs.
    static func meanScore(_ scores: Tensor, objective: Objective) -> Float {
        withoutGradients { (objective == .nonSaturating ? scores.sigmoid() : scores).mean().item }
    }
}
