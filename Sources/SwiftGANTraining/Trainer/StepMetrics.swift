import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Why training stopped early.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A loss or gradient norm became NaN or infinite.
    case diverged(step: Int, quantity: String, value: Float)
    /// The configuration cannot be trained.
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case .diverged(let step, let quantity, let value):
            "training diverged at step \(step): \(quantity) is \(value)"
        case .invalidConfiguration(let problem):
            "invalid configuration: \(problem)"
        }
    }
}

/// The scalars of one training step.
public struct StepMetrics: Sendable {
    public var step: Int
    public var discriminatorLoss: Float
    public var generatorLoss: Float
    /// Mean D(x) on real data (a probability for BCE objectives, the raw score for critics).
    public var realScore: Float
    /// Mean D(G(z)) on generated data.
    public var fakeScore: Float
    /// The gradient penalty (WGAN-GP or R1), 0 if none.
    public var gradientPenalty: Float
    public var generatorGradientNorm: Float
    public var discriminatorGradientNorm: Float
    public var learningRateG: Float
    public var learningRateD: Float
    /// Real samples consumed per second during this step.
    public var samplesPerSecond: Float
    /// What the step's updates logged besides the fields above, by log name
    /// (ACGAN's `loss/class` and `accuracy/class_real`).
    public var additional: [String: Float] = [:]

    /// The log names of the fields above, which `additional` never holds.
    static let fieldNames: Set<String> = [
        "loss/discriminator", "loss/generator", "score/real", "score/fake", "loss/gradient_penalty", "grad_norm/generator",
        "grad_norm/discriminator"
    ]

    /// Name/value pairs for logs: the fields in a fixed order, then `additional` by name.
    public var named: [(String, Float)] {
        fields + additional.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    private var fields: [(String, Float)] {
        [
            ("loss/discriminator", discriminatorLoss), ("loss/generator", generatorLoss),
            ("score/real", realScore), ("score/fake", fakeScore), ("loss/gradient_penalty", gradientPenalty),
            ("grad_norm/generator", generatorGradientNorm), ("grad_norm/discriminator", discriminatorGradientNorm),
            ("lr/generator", learningRateG), ("lr/discriminator", learningRateD), ("speed/samples_per_second", samplesPerSecond)
        ]
    }
}
