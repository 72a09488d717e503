/// Everything about a run besides the architecture: objective, optimisers,
/// schedule and logging. Saved with the model config in `config.json`.
public struct TrainingConfig: Codable, Equatable, Sendable {
    private enum CodingKeys: String, CodingKey {
        case objective, optimizer, learningRateG, learningRateD, beta1, beta2, criticSteps, weightClip
        case gradientPenaltyWeight, r1Weight, labelSmoothing, emaDecay, learningRateDecay, batchSize, steps, seed
        case sampleEvery, checkpointEvery, logEvery, evalEvery, evalCount, featuresPath, evalMetrics, syncBatchNorm, update
        case classLossWeight, classLossOnFakes, discriminatorLossScale, diffAugment
    }

    /// How D's and G's updates of a step are ordered.
    public enum UpdateOrder: String, Codable, CaseIterable, Sendable {
        /// D's update (`criticSteps` times), then G's on the updated D (PyTorch's usual loop).
        case alternating
        /// One forward pass gives both losses; both gradients are taken on the same networks and
        /// applied together (TensorFlow's `GradientTape` example). Needs one critic step.
        case simultaneous
        /// D's update on the real batch, then a second D update on a fake batch, then G's
        /// (Keras's two `train_on_batch` calls on D before the combined model's). Needs one
        /// critic step and no penalty that mixes the batches (WGAN-GP; R1 joins the real update).
        case separate
    }

    /// The optimiser family.
    public enum OptimizerKind: String, Codable, CaseIterable, Sendable {
        case adam, rmsprop
    }

    public var objective: Objective
    public var optimizer: OptimizerKind
    /// G's learning rate.
    public var learningRateG: Float
    /// D's learning rate (different from G's for TTUR, Heusel et al. 2017).
    public var learningRateD: Float
    /// Adam's β1 and β2.
    public var beta1: Float
    public var beta2: Float
    /// D updates per G update.
    public var criticSteps: Int
    /// WGAN's weight clipping bound (used by `wgan`).
    public var weightClip: Float
    /// λ of the WGAN-GP penalty (used by `wgan-gp`).
    public var gradientPenaltyWeight: Float
    /// γ of the R1 penalty (0: off); the loss adds γ/2 · R1.
    public var r1Weight: Float
    /// One-sided label smoothing: real targets become 1 − this (0: off).
    public var labelSmoothing: Float
    /// Decay of the EMA generator (nil: no EMA).
    public var emaDecay: Float?
    /// Decay both learning rates linearly to 0 over the second half of the run.
    public var learningRateDecay: Bool
    public var batchSize: Int
    /// Total G steps.
    public var steps: Int
    public var seed: UInt64
    /// Render the fixed-noise sample grid every this many steps (and at the end).
    public var sampleEvery: Int
    /// Write a checkpoint every this many steps (and at the end).
    public var checkpointEvery: Int
    /// Log scalars every this many steps.
    public var logEvery: Int
    /// Evaluate every this many steps (nil: never): FID for images, the
    /// mixture metrics for 2-D data; the best checkpoint is kept as `best.safetensors`.
    public var evalEvery: Int?
    /// Samples per evaluation during training.
    public var evalCount: Int
    /// The feature classifier for FID during training (nil: the shipped Fashion-MNIST one).
    public var featuresPath: String?
    /// Image metrics evaluated during training beside FID and the class histogram.
    public var evalMetrics: [EvalMetric]
    /// In data-parallel training, whether BatchNorm's batch statistics are
    /// over the global batch (every rank's) instead of each rank's own (the default, as in PyTorch DDP).
    public var syncBatchNorm: Bool
    /// Alternating (default) or simultaneous D and G updates.
    public var update: UpdateOrder = .alternating
    /// The weight of the auxiliary classifier's cross-entropy in D's and G's losses (ACGAN; 1 as in Odena et al. 2017).
    public var classLossWeight: Float = 1
    /// Whether D's classifier also learns the class G was asked for on fakes, as in Odena et al.'s L_C
    /// and PyTorch-GAN's `acgan.py`. Off by default, as in StudioGAN: trained on fakes, D can learn
    /// whatever class-to-image map G happens to use, and G settles on a permutation of the classes.
    public var classLossOnFakes: Bool = false
    /// A factor on the objective's D loss: 0.5 for code that averages the real and fake losses
    /// (`(d_loss_real + d_loss_fake) / 2`); penalties and the class loss are not scaled.
    public var discriminatorLossScale: Float = 1
    /// DiffAugment's transformations of every image D sees, real and generated (none by default).
    public var diffAugment: [DiffAugment.Policy] = []

    public init(
        objective: Objective = .nonSaturating, optimizer: OptimizerKind = .adam,
        learningRateG: Float = 2e-4, learningRateD: Float = 2e-4, beta1: Float = 0.5, beta2: Float = 0.999,
        criticSteps: Int = 1, weightClip: Float = 0.01, gradientPenaltyWeight: Float = 10, r1Weight: Float = 0,
        labelSmoothing: Float = 0, emaDecay: Float? = nil, learningRateDecay: Bool = false,
        batchSize: Int = 64, steps: Int = 1000,
        seed: UInt64 = 0, sampleEvery: Int = 500, checkpointEvery: Int = 500, logEvery: Int = 10,
        evalEvery: Int? = nil, evalCount: Int = 5_000, featuresPath: String? = nil, evalMetrics: [EvalMetric] = [],
        syncBatchNorm: Bool = false
    ) {
        self.evalMetrics = evalMetrics
        self.syncBatchNorm = syncBatchNorm
        self.objective = objective
        self.optimizer = optimizer
        self.learningRateG = learningRateG
        self.learningRateD = learningRateD
        self.beta1 = beta1
        self.beta2 = beta2
        self.criticSteps = criticSteps
        self.weightClip = weightClip
        self.gradientPenaltyWeight = gradientPenaltyWeight
        self.r1Weight = r1Weight
        self.labelSmoothing = labelSmoothing
        self.emaDecay = emaDecay
        self.learningRateDecay = learningRateDecay
        self.batchSize = batchSize
        self.steps = steps
        self.seed = seed
        self.sampleEvery = sampleEvery
        self.checkpointEvery = checkpointEvery
        self.logEvery = logEvery
        self.evalEvery = evalEvery
        self.evalCount = evalCount
        self.featuresPath = featuresPath
    }

    /// Reads a saved config; fields added in later versions take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TrainingConfig()
        func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try container.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        objective = try value(.objective, defaults.objective)
        optimizer = try value(.optimizer, defaults.optimizer)
        learningRateG = try value(.learningRateG, defaults.learningRateG)
        learningRateD = try value(.learningRateD, defaults.learningRateD)
        beta1 = try value(.beta1, defaults.beta1)
        beta2 = try value(.beta2, defaults.beta2)
        criticSteps = try value(.criticSteps, defaults.criticSteps)
        weightClip = try value(.weightClip, defaults.weightClip)
        gradientPenaltyWeight = try value(.gradientPenaltyWeight, defaults.gradientPenaltyWeight)
        r1Weight = try value(.r1Weight, defaults.r1Weight)
        labelSmoothing = try value(.labelSmoothing, defaults.labelSmoothing)
        emaDecay = try container.decodeIfPresent(Float.self, forKey: .emaDecay)
        learningRateDecay = try value(.learningRateDecay, defaults.learningRateDecay)
        batchSize = try value(.batchSize, defaults.batchSize)
        steps = try value(.steps, defaults.steps)
        seed = try value(.seed, defaults.seed)
        sampleEvery = try value(.sampleEvery, defaults.sampleEvery)
        checkpointEvery = try value(.checkpointEvery, defaults.checkpointEvery)
        logEvery = try value(.logEvery, defaults.logEvery)
        evalEvery = try container.decodeIfPresent(Int.self, forKey: .evalEvery)
        evalCount = try value(.evalCount, defaults.evalCount)
        featuresPath = try container.decodeIfPresent(String.self, forKey: .featuresPath)
        evalMetrics = try value(.evalMetrics, defaults.evalMetrics)
        syncBatchNorm = try value(.syncBatchNorm, defaults.syncBatchNorm)
        update = try value(.update, defaults.update)
        classLossWeight = try value(.classLossWeight, defaults.classLossWeight)
        classLossOnFakes = try value(.classLossOnFakes, defaults.classLossOnFakes)
        discriminatorLossScale = try value(.discriminatorLossScale, defaults.discriminatorLossScale)
        diffAugment = try value(.diffAugment, defaults.diffAugment)
    }

    /// A one-line problem with the values, or nil.
    public func validationProblem() -> String? {
        if !(learningRateG > 0 && learningRateD > 0 && learningRateG.isFinite && learningRateD.isFinite) {
            return "learning rates must be positive numbers (G \(learningRateG), D \(learningRateD))"
        }
        if !(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1) { return "betas (\(beta1), \(beta2)) must be in [0, 1)" }
        if !(1...10_000).contains(criticSteps) { return "critic steps \(criticSteps) must be in 1...10000" }
        if update == .simultaneous && criticSteps != 1 {
            return "simultaneous updates take D's and G's gradients from one pass, so the critic steps must be 1, not \(criticSteps)"
        }
        if update == .separate && criticSteps != 1 {
            return "separate updates give D one real and one fake update per step, so the critic steps must be 1, not \(criticSteps)"
        }
        if update == .separate && objective == .wassersteinGP {
            return "separate updates see the real and the fake batch apart, so they cannot take WGAN-GP's gradient penalty, which needs both"
        }
        if !(2...65_536).contains(batchSize) { return "batch size \(batchSize) must be in 2...65536" }
        if steps < 1 { return "steps \(steps) must be at least 1" }
        if sampleEvery < 1 || checkpointEvery < 1 || logEvery < 1 { return "sample, checkpoint and log intervals must be positive" }
        if !(labelSmoothing >= 0 && labelSmoothing < 1) { return "label smoothing \(labelSmoothing) must be in [0, 1)" }
        if let emaDecay, !(emaDecay > 0 && emaDecay < 1) { return "EMA decay \(emaDecay) must be in (0, 1)" }
        if let evalEvery, evalEvery < 1 { return "evaluation interval \(evalEvery) must be positive" }
        if !(11...1_000_000).contains(evalCount) { return "evaluation sample count \(evalCount) must be in 11...1000000" }
        if !(r1Weight >= 0 && gradientPenaltyWeight >= 0 && weightClip > 0 && r1Weight.isFinite && gradientPenaltyWeight.isFinite && weightClip.isFinite) {
            return
                "penalty weights (R1 \(r1Weight), gradient penalty \(gradientPenaltyWeight)) must be non-negative numbers and the clip \(weightClip) positive"
        }
        if !(classLossWeight >= 0 && classLossWeight.isFinite) { return "class loss weight \(classLossWeight) must be a non-negative number" }
        if !(discriminatorLossScale > 0 && discriminatorLossScale.isFinite) {
            return "D loss scale \(discriminatorLossScale) must be a positive number"
        }
        return nil
    }
}

/// An image metric training can evaluate beside FID (`--eval-metrics`).
public enum EvalMetric: String, Codable, CaseIterable, Sendable {
    /// Kernel Inception Distance, 10 subsets of up to 1,000 (logged as `eval/kid`).
    case kid
    /// Precision, recall, density and coverage (`eval/precision`, `eval/recall`, `eval/density`, `eval/coverage`).
    case precisionRecall = "precision-recall"
}
