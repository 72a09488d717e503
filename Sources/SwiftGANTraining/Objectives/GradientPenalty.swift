import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Gradient penalties on the discriminator.
public enum GradientPenalty {
    /// WGAN-GP's penalty `mean((‖∇x̂ D(x̂)‖₂ − 1)²)` at x̂ = αx + (1 − α)x̃ with
    /// α ~ U(0, 1) per example; the norm is over all non-batch axes with ε
    /// inside the square root so a zero gradient gives no NaN.
    /// In data-parallel training α is drawn for the global batch and cut to `shard`'s rows.
    /// - Returns: the penalty (differentiable with respect to D's parameters).
    public static func wgangp(
        real: Tensor, fake: Tensor, epsilon: Float = 1e-12,
        random: inout RandomGenerator, shard: BatchShard = .whole, critic: (Tensor) -> Tensor
    ) -> Tensor {
        require(real.shape == fake.shape, "wgangp: real \(real.shape) and fake \(fake.shape) differ")
        let alpha = shard.rows(real.shape[0]) { rows in
            Tensor.uniform([rows] + [Int](repeating: 1, count: real.rank - 1), random: &random)
        }
        let interpolated = (alpha * real.detached() + (1 - alpha) * fake.detached()).requiringGradient()
        return withGradientRecording(true) {
            let scores = critic(interpolated).sum()
            // A critic that ignores its input has a zero gradient.
            let gradient =
                scores.requiresGrad
                ? gradients(of: scores, withRespectTo: [interpolated], createGraph: true)[0]
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
            let gradient =
                scores.requiresGrad
                ? gradients(of: scores, withRespectTo: [points], createGraph: true)[0]
                : Tensor.zeros(points.shape)
            return gradient.flattened(startAxis: 1).square().sum(axes: [1]).mean()
        }
    }
}

/// WGAN-GP's penalty as a D penalty: `GradientPenalty.wgangp` at random
/// interpolates of the real and the fake batch (Gulrajani et al. 2017).
public struct InterpolatedGradientPenalty: DiscriminatorPenalty {
    public var weight: Float
    public var name: String { "loss/gradient_penalty" }
    public var needsFakes: Bool { true }

    public init(weight: Float = 10) { self.weight = weight }

    public func value(real: Tensor, fake: Tensor, random: inout RandomGenerator, shard: BatchShard, critic: (Tensor) -> Tensor) -> Tensor {
        GradientPenalty.wgangp(real: real, fake: fake, random: &random, shard: shard, critic: critic)
    }
}

/// The R1 penalty as a D penalty, weighted γ/2 (Mescheder et al. 2018).
public struct R1Penalty: DiscriminatorPenalty {
    public var gamma: Float
    public var weight: Float { gamma / 2 }
    public var name: String { "loss/gradient_penalty" }
    public var needsFakes: Bool { false }

    public init(gamma: Float) { self.gamma = gamma }

    public func value(real: Tensor, fake: Tensor, random: inout RandomGenerator, shard: BatchShard, critic: (Tensor) -> Tensor) -> Tensor {
        GradientPenalty.r1(real: real, critic: critic)
    }
}
