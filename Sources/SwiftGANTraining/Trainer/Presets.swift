import Foundation

/// Named starting points: a model and a training recipe from the paper or
/// the reference implementation each comes from.
public enum Preset: String, CaseIterable, Sendable {
    /// The classic MLP GAN (PyTorch-GAN `gan.py`): Sigmoid D, BCE, Adam 2e-4 (0.5, 0.999), batch 64.
    case mlp
    /// DCGAN: non-saturating BCE on logits, Adam 2e-4 (0.5, 0.999), N(0, 0.02) init, batch 64.
    case dcgan
    /// The quick default of `gan train`: DCGAN at width 32 for 3,000 steps with an EMA generator.
    case dcganQuick = "dcgan-quick"
    /// Conditional MLP GAN (PyTorch-GAN `cgan.py`): least squares, Adam 2e-4 (0.5, 0.999).
    case cgan
    /// Conditional DCGAN: label embedding in G, label maps in D (`--projection` for a projection D);
    /// DCGAN's recipe (non-saturating BCE, Adam 2e-4 (0.5, 0.999), batch 64), 5,000 steps, EMA generator.
    case cdcgan
    /// ACGAN (Odena et al. 2017): the cdcgan generator, D with an auxiliary classifier; DCGAN's recipe
    /// plus the class loss (weight 1) in both losses, 5,000 steps, EMA generator.
    case acgan
    /// LSGAN on DCGAN.
    case lsgan
    /// WGAN with weight clipping (Arjovsky et al. 2017): RMSprop 5e-5, clip 0.01, 5 critic steps.
    case wgan
    /// WGAN-GP: λ = 10, Adam 1e-4 (0.5, 0.9), 5 critic steps, LayerNorm instead of BatchNorm in the critic.
    case wganGP = "wgan-gp"
    /// Hinge loss with spectral norm in D, TTUR (D 4e-4, G 1e-4), Adam (0, 0.9).
    case hingeSN = "hinge-sn"
    /// The textbook PyTorch MLP GAN: G 100 → 256 → 512 → 1024 → 784 with ReLU and Tanh; D 784 → 1024 →
    /// 512 → 256 → 1 with LeakyReLU(0.2), Dropout(0.3) and Sigmoid; BCE; Adam 2e-4 (0.5, 0.999); batch 64;
    /// PyTorch's default initialisation; D then G, G on a fresh z.
    case textbookPyTorch = "textbook-pytorch"
    /// The practice PyTorch MLP GAN: G with LeakyReLU(0.2); D 784 → 512 → 256 → 1 (LeakyReLU(0.2),
    /// Dropout(0.3), Sigmoid); D's loss ½(real + fake); BCE; Adam 2e-4 (0.5, 0.999); batch 64; G on a fresh z.
    case practicePyTorch = "practice-pytorch"
    /// The Keras article's pair (`keras-mlp-conv`): Dense G, convolutional D, Glorot-uniform weights;
    /// BCE on probabilities; Adam 2e-4 (0.5, 0.999); batch 32; D on the real batch, D on a fake batch,
    /// then G through D (`--update separate`, the article's `train_on_batch` calls).
    case kerasMLPConv = "keras-mlp-conv"
    /// TensorFlow's DCGAN tutorial (`tf-dcgan`) with its `GradientTape` step: both losses from one
    /// pass, both gradients applied together (`--update simultaneous`); BCE on logits; Adam 1e-4
    /// (0.9, 0.999) for both; batch 256.
    case tfGradientTape = "tf-gradient-tape"
    /// The 2-D mixture pair: non-saturating BCE, Adam 1e-3 (0.5, 0.999), batch 256, 6,000 steps with
    /// the learning rates decayed linearly to 0 over the second half (which sharpens the modes). 6,000
    /// steps rather than 2,000 lift grid25's high-quality share from about 40% to 83% and ring8's from
    /// 90% to 95% in the PacGAN protocol (`docs/results/mixtures-2d.txt`), in 70-75 s on 2 cores.
    case mixture2d = "2d"

    /// The model kind, training recipe and any model adjustments.
    public func apply(to model: inout ModelConfig, _ training: inout TrainingConfig) {
        switch self {
        case .mlp:
            model.kind = .mlp
            model.discriminatorOutput = .probability
            training = TrainingConfig(
                objective: .nonSaturating, learningRateG: 2e-4, learningRateD: 2e-4, beta1: 0.5, beta2: 0.999,
                batchSize: 64, steps: 10_000, seed: training.seed)
        case .dcgan, .dcganQuick, .lsgan:
            model.kind = .dcgan
            model.discriminatorOutput = .logit
            training = TrainingConfig(
                objective: self == .lsgan ? .leastSquares : .nonSaturating,
                learningRateG: 2e-4, learningRateD: 2e-4, beta1: 0.5, beta2: 0.999,
                batchSize: 64, steps: 5_000, seed: training.seed)
            if self == .dcganQuick {
                model.width = 32
                training.steps = 3_000
                training.emaDecay = 0.999
            }
        case .cgan:
            model.kind = .cgan
            model.discriminatorOutput = .logit
            training = TrainingConfig(
                objective: .leastSquares, learningRateG: 2e-4, learningRateD: 2e-4, beta1: 0.5, beta2: 0.999,
                batchSize: 64, steps: 10_000, seed: training.seed)
        case .cdcgan, .acgan:
            model.kind = self == .acgan ? .acgan : .cdcgan
            model.discriminatorOutput = .logit
            training = TrainingConfig(
                objective: .nonSaturating, learningRateG: 2e-4, learningRateD: 2e-4, beta1: 0.5, beta2: 0.999,
                emaDecay: 0.999, batchSize: 64, steps: 5_000, seed: training.seed)
        case .wgan:
            model.kind = model.kind == .mlp2d ? .mlp2d : .dcgan
            model.discriminatorOutput = .logit
            training = TrainingConfig(
                objective: .wasserstein, optimizer: .rmsprop, learningRateG: 5e-5, learningRateD: 5e-5,
                criticSteps: 5, weightClip: 0.01, batchSize: 64, steps: 5_000, seed: training.seed)
        case .wganGP:
            model.kind = model.kind == .mlp2d ? .mlp2d : .dcgan
            model.discriminatorOutput = .logit
            model.discriminatorNormalization = .layerNorm
            training = TrainingConfig(
                objective: .wassersteinGP, learningRateG: 1e-4, learningRateD: 1e-4, beta1: 0.5, beta2: 0.9,
                criticSteps: 5, gradientPenaltyWeight: 10, batchSize: 64, steps: 5_000, seed: training.seed)
        case .hingeSN:
            model.kind = model.kind == .mlp2d ? .mlp2d : .dcgan
            model.discriminatorOutput = .logit
            model.spectralNorm = true
            training = TrainingConfig(
                objective: .hinge, learningRateG: 1e-4, learningRateD: 4e-4, beta1: 0, beta2: 0.9,
                batchSize: 64, steps: 5_000, seed: training.seed)
        case .textbookPyTorch, .practicePyTorch:
            model.kind = .mlp
            model.discriminatorOutput = .probability
            model.generatorReLU = self == .textbookPyTorch
            model.discriminatorWidths = self == .practicePyTorch ? [512, 256] : nil
            training = TrainingConfig(
                objective: .nonSaturating, learningRateG: 2e-4, learningRateD: 2e-4, beta1: 0.5, beta2: 0.999,
                batchSize: 64, steps: 10_000, seed: training.seed)
            if self == .practicePyTorch { training.discriminatorLossScale = 0.5 }
        case .kerasMLPConv:
            model.kind = .kerasMLPConv
            model.discriminatorOutput = .probability
            training = TrainingConfig(
                objective: .nonSaturating, learningRateG: 2e-4, learningRateD: 2e-4, beta1: 0.5, beta2: 0.999,
                batchSize: 32, steps: 10_000, seed: training.seed)
            training.update = .separate
        case .tfGradientTape:
            model.kind = .tfDCGAN
            model.discriminatorOutput = .logit
            training = TrainingConfig(
                objective: .nonSaturating, learningRateG: 1e-4, learningRateD: 1e-4, beta1: 0.9, beta2: 0.999,
                batchSize: 256, steps: 5_000, seed: training.seed)
            training.update = .simultaneous
        case .mixture2d:
            model.kind = .mlp2d
            model.discriminatorOutput = .logit
            model.latentDimension = 2
            model.width = 128
            training = TrainingConfig(
                objective: .nonSaturating, learningRateG: 1e-3, learningRateD: 1e-3, beta1: 0.5, beta2: 0.999,
                learningRateDecay: true, batchSize: 256, steps: 6_000, seed: training.seed,
                sampleEvery: 1_000, checkpointEvery: 2_000)
        }
    }
}

extension Preset {
    /// The preset a run of this model kind starts from when none is named: the one of the same
    /// name, `tf-gradient-tape` for TensorFlow's tutorial model, else nil (`dcgan-quick`'s recipe).
    public static func own(_ kind: ModelConfig.Kind) -> Preset? {
        kind == .tfDCGAN ? .tfGradientTape : Preset(rawValue: kind.rawValue)
    }

    /// What the preset sets, as settings (`model dcgan, width 32, objective non-saturating, …`), for `--help`.
    public var defaultsDescription: String {
        var model = ModelConfig(kind: self == .mixture2d ? .mlp2d : .dcgan, imageShape: [1, 28, 28])
        var training = TrainingConfig()
        apply(to: &model, &training)
        func number(_ value: Float) -> String { String(format: "%g", Double(value)) }
        var parts = ["model \(model.kind.rawValue)", "width \(model.width)", "latent_dim \(model.latentDimension)"]
        parts += ["objective \(training.objective.rawValue)", "optimizer \(training.optimizer.rawValue)"]
        parts.append("lr_g \(number(training.learningRateG)), lr_d \(number(training.learningRateD))")
        if training.optimizer == .adam { parts.append("beta1 \(number(training.beta1)), beta2 \(number(training.beta2))") }
        parts += ["batch_size \(training.batchSize)", "steps \(training.steps)"]
        if training.criticSteps != 1 { parts.append("critic_steps \(training.criticSteps)") }
        if training.objective == .wasserstein { parts.append("weight_clip \(number(training.weightClip))") }
        if training.objective == .wassersteinGP { parts.append("gp_weight \(number(training.gradientPenaltyWeight))") }
        if model.hasAuxiliaryClassifier { parts.append("class_weight \(number(training.classLossWeight))") }
        if let ema = training.emaDecay { parts.append("ema \(number(ema))") }
        if training.learningRateDecay { parts.append("lr_decay") }
        if training.update != .alternating { parts.append("update \(training.update.rawValue)") }
        if training.discriminatorLossScale != 1 { parts.append("d_loss_scale \(number(training.discriminatorLossScale))") }
        if model.generatorReLU { parts.append("g_relu") }
        if let widths = model.discriminatorWidths { parts.append("d_widths \(widths.map(String.init).joined(separator: ","))") }
        if model.pack != 1 { parts.append("pack \(model.pack)") }
        if model.spectralNorm { parts.append("spectral_norm") }
        if model.discriminatorNormalization != .batchNorm { parts.append("d_norm \(model.discriminatorNormalization.rawValue)") }
        if model.discriminatorOutput != .logit { parts.append("d_output \(model.discriminatorOutput.rawValue)") }
        return parts.joined(separator: ", ")
    }
}
