import SwiftGANTensor

/// How a loss combines per-element values (PyTorch's `reduction`).
public enum Reduction: String, Sendable, CaseIterable {
    /// The mean over all elements (default).
    case mean
    /// The sum over all elements.
    case sum
    /// No reduction: one value per element.
    case none

    func apply(_ values: Tensor) -> Tensor {
        switch self {
        case .mean: values.mean()
        case .sum: values.sum()
        case .none: values
        }
    }
}

/// The loss functions GANs use, matching `torch.nn.functional`.
public enum Loss {
    private static func checkSameShape(_ a: Tensor, _ b: Tensor, _ op: String) {
        require(a.shape == b.shape, "\(op): input \(a.shape) and target \(b.shape) differ in shape")
    }

    /// Binary cross-entropy on probabilities in [0, 1]
    /// (`F.binary_cross_entropy`): `-(t·log p + (1-t)·log(1-p))`, with each
    /// log clamped at -100 like PyTorch so p = 0 or 1 gives a finite loss.
    public static func binaryCrossEntropy(
        _ probabilities: Tensor, _ targets: Tensor,
        reduction: Reduction = .mean
    ) -> Tensor {
        checkSameShape(probabilities, targets, "binaryCrossEntropy")
        let logP = clampedLog(probabilities)
        let logOneMinusP = clampedLog(1 - probabilities)
        return reduction.apply(-(targets * logP + (1 - targets) * logOneMinusP))
    }

    /// `max(log x, -100)` whose gradient is finite (zero) where x = 0:
    /// `log(0)`'s infinite slope never meets the zero gradient of the clamp.
    private static func clampedLog(_ x: Tensor) -> Tensor {
        let floor = Tensor(-100)
        let safe = x.maximum(Tensor(Float.leastNormalMagnitude)).log()
        return `where`(x.greater(0), safe, floor).maximum(floor)
    }

    /// Binary cross-entropy on logits (`F.binary_cross_entropy_with_logits`),
    /// computed as `softplus(x) - t·x`: exact and finite for logits of any size.
    public static func binaryCrossEntropyWithLogits(
        _ logits: Tensor, _ targets: Tensor,
        reduction: Reduction = .mean
    ) -> Tensor {
        checkSameShape(logits, targets, "binaryCrossEntropyWithLogits")
        return reduction.apply(logits.softplus() - targets * logits)
    }

    /// Mean squared error (`F.mse_loss`), the LSGAN objective.
    public static func meanSquaredError(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
        checkSameShape(input, target, "meanSquaredError")
        let difference = input - target
        return reduction.apply(difference * difference)
    }

    /// Mean absolute error (`F.l1_loss`).
    public static func l1(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
        checkSameShape(input, target, "l1")
        return reduction.apply((input - target).abs())
    }

    /// Hinge loss for the discriminator (Lim & Ye 2017; Miyato et al. 2018):
    /// `mean(relu(1 - D(x))) + mean(relu(1 + D(G(z))))`.
    public static func hingeDiscriminator(real: Tensor, fake: Tensor) -> Tensor {
        (1 - real).relu().mean() + (1 + fake).relu().mean()
    }

    /// Hinge loss for the generator: `-mean(D(G(z)))`.
    public static func hingeGenerator(fake: Tensor) -> Tensor { -fake.mean() }

    /// Wasserstein critic loss (Arjovsky et al. 2017): `mean(D(G(z))) - mean(D(x))`.
    public static func wassersteinCritic(real: Tensor, fake: Tensor) -> Tensor { fake.mean() - real.mean() }

    /// Wasserstein generator loss: `-mean(D(G(z)))`.
    public static func wassersteinGenerator(fake: Tensor) -> Tensor { -fake.mean() }

    /// Cross-entropy between logits `[N, C]` and class indices (`F.cross_entropy`),
    /// with PyTorch's label smoothing: the target puts `1 - ε + ε/C` on the
    /// class and `ε/C` on every other class.
    public static func crossEntropy(
        _ logits: Tensor, labels: [Int], labelSmoothing: Float = 0,
        reduction: Reduction = .mean
    ) -> Tensor {
        require(
            logits.rank == 2 && logits.shape[0] == labels.count,
            "crossEntropy: logits \(logits.shape) need one label per row, got \(labels.count) labels")
        let classes = logits.shape[1]
        require(
            labels.allSatisfy { $0 >= 0 && $0 < classes },
            "crossEntropy: labels must be in 0..<\(classes)")
        require(
            labelSmoothing >= 0 && labelSmoothing <= 1,
            "crossEntropy: labelSmoothing \(labelSmoothing) must be in [0, 1]")
        let logProbabilities = logits.logSoftmax(axis: 1)
        var target = [Float](repeating: labelSmoothing / Float(classes), count: labels.count * classes)
        for (row, label) in labels.enumerated() { target[row * classes + label] += 1 - labelSmoothing }
        let perExample = -(logProbabilities * Tensor(target, shape: logits.shape)).sum(axes: [1])
        return reduction.apply(perExample)
    }
}
