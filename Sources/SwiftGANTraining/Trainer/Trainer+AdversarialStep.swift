import SwiftGANNN
import SwiftGANTensor

/// The GAN pair's two updates for the general `TrainingStep`: D's
/// (`criticSteps` times; its objective loss plus the penalties, then the
/// objective's constraint) and G's; or, with simultaneous updates, one
/// update of both from one pass. Everything particular to an objective
/// comes from `objective` and `penalties`.
extension Trainer {
    func adversarialStep() -> TrainingStep {
        if config.training.update == .simultaneous {
            // One update of both networks, each minimising its own loss of the same pass.
            let both = TrainingUpdate(
                name: "simultaneous", networks: [discriminatorNetwork, generatorNetwork],
                loss: { [unowned self] in simultaneousLosses() },
                afterUpdate: { [unowned self] in objective.constrain(discriminator: discriminatorNetwork.optimizer.parameters) })
            return TrainingStep(updates: [both], afterStep: { [unowned self] in updateAverage() }, parallel: parallel)
        }
        if config.training.update == .separate {
            // D on the real batch, D on a fake batch, then G (Keras's train_on_batch calls).
            let constrain = { [unowned self] in objective.constrain(discriminator: discriminatorNetwork.optimizer.parameters) }
            let real = TrainingUpdate(
                name: "discriminator_real", networks: [discriminatorNetwork], loss: { [unowned self] in discriminatorRealLoss() },
                afterUpdate: constrain)
            let fake = TrainingUpdate(
                name: "discriminator_fake", networks: [discriminatorNetwork], loss: { [unowned self] in discriminatorFakeLoss() },
                afterUpdate: constrain)
            let generatorUpdate = TrainingUpdate(name: "generator", networks: [generatorNetwork], loss: { [unowned self] in generatorLoss() })
            return TrainingStep(updates: [real, fake, generatorUpdate], afterStep: { [unowned self] in updateAverage() }, parallel: parallel)
        }
        let discriminatorUpdate = TrainingUpdate(
            name: "discriminator", networks: [discriminatorNetwork], repeats: config.training.criticSteps,
            loss: { [unowned self] in discriminatorLoss() },
            afterUpdate: { [unowned self] in objective.constrain(discriminator: discriminatorNetwork.optimizer.parameters) })
        let generatorUpdate = TrainingUpdate(
            name: "generator", networks: [generatorNetwork],
            loss: { [unowned self] in generatorLoss() })
        return TrainingStep(
            updates: [discriminatorUpdate, generatorUpdate], afterStep: { [unowned self] in updateAverage() }, parallel: parallel)
    }

    /// D's loss on a real batch and a detached fake batch, plus each penalty
    /// times its weight (and, with an auxiliary classifier, the class loss
    /// on both batches); logs D(x), D(G(z)), the penalties and the class loss.
    private func discriminatorLoss() -> UpdateLoss {
        let batchSize = config.training.batchSize
        let batch = loader.next()
        let realLabels = config.model.isConditional ? batch.labels : nil
        let latents = sampleLatents(batchSize)
        let fakeLabels = randomLabels(batchSize)
        let fake = withoutGradients { generator.generate(latents, labels: fakeLabels) }
        let (real, generated) = scoreRealAndFake(real: batch.images, realLabels, fake: fake, fakeLabels)
        var (loss, scalars) = penalized(
            scaled(objective.discriminatorLoss(real: real.scores, fake: generated.scores)), real: batch.images, realLabels, fake: fake,
            scores: (real.scores, generated.scores))
        if let classLoss = discriminatorClassLoss(real: real, realLabels, fake: generated, fakeLabels, scalars: &scalars) { loss = loss + classLoss }
        return UpdateLoss(loss, scalars: scalars)
    }

    /// The objective's D loss times `--d-loss-scale` (unchanged at 1).
    private func scaled(_ loss: Tensor) -> Tensor {
        let scale = config.training.discriminatorLossScale
        return scale == 1 ? loss : scale * loss
    }

    /// D's loss on a real batch alone (the first of the separate D updates),
    /// with the penalties that need no fakes (R1) and, when D has an
    /// auxiliary classifier, the class loss on it; logs D(x).
    private func discriminatorRealLoss() -> UpdateLoss {
        let batch = loader.next()
        let labels = config.model.isConditional ? batch.labels : nil
        let real = judge(batch.images, labels: labels)
        var loss = scaled(objective.discriminatorLoss(real: real.scores))
        var scalars = ["score/real": meanScore(real.scores)]
        for penalty in penalties where !penalty.needsFakes {
            // The fake batch is not read by a penalty that needs none.
            let packs = discriminator.packed(batch.images)
            let value = penalty.value(real: packs, fake: packs, random: &random, shard: shard) {
                self.discriminator.score($0, labels: labels)
            }
            scalars[penalty.name] = value.item
            loss = loss + penalty.weight * value
        }
        if let logits = real.classLogits, let labels {
            loss = loss + config.training.classLossWeight * realClassLoss(logits, labels, scalars: &scalars)
        }
        return UpdateLoss(loss, scalars: scalars)
    }

    /// D's loss on a fake batch alone (the second separate D update); logs D(G(z)).
    private func discriminatorFakeLoss() -> UpdateLoss {
        let batchSize = config.training.batchSize
        let latents = sampleLatents(batchSize)
        let labels = randomLabels(batchSize)
        let fake = withoutGradients { generator.generate(latents, labels: labels) }
        let scored = judge(fake, labels: labels)
        var loss = scaled(objective.discriminatorLoss(fake: scored.scores))
        var scalars = ["score/fake": meanScore(scored.scores)]
        if let logits = scored.classLogits, let labels, config.training.classLossOnFakes {
            let classLoss = Loss.crossEntropy(logits, labels: labels)
            scalars["loss/class_fake"] = classLoss.item
            loss = loss + config.training.classLossWeight * classLoss
        }
        return UpdateLoss(loss, scalars: scalars)
    }

    /// With an auxiliary classifier (ACGAN): the class loss's weight times the
    /// cross-entropy of D's class logits on the real batch (its labels), plus,
    /// with `classLossOnFakes`, that on the fake batch (the labels G was asked
    /// for; Odena et al.'s L_C); logs the unweighted parts as `loss/class` (real)
    /// and `loss/class_fake`, and D's accuracy on the real batch as
    /// `accuracy/class_real`. Nil without one.
    private func discriminatorClassLoss(
        real: (scores: Tensor, classLogits: Tensor?), _ realLabels: [Int]?, fake: (scores: Tensor, classLogits: Tensor?),
        _ fakeLabels: [Int]?, scalars: inout [String: Float]
    ) -> Tensor? {
        guard let realLogits = real.classLogits, let fakeLogits = fake.classLogits, let realLabels, let fakeLabels else { return nil }
        var classLoss = realClassLoss(realLogits, realLabels, scalars: &scalars)
        if config.training.classLossOnFakes {
            let fakeLoss = Loss.crossEntropy(fakeLogits, labels: fakeLabels)
            scalars["loss/class_fake"] = fakeLoss.item
            classLoss = classLoss + fakeLoss
        }
        return config.training.classLossWeight * classLoss
    }

    /// The cross-entropy of D's class logits on a real batch; logs it as
    /// `loss/class` and D's accuracy as `accuracy/class_real`.
    private func realClassLoss(_ logits: Tensor, _ labels: [Int], scalars: inout [String: Float]) -> Tensor {
        let loss = Loss.crossEntropy(logits, labels: labels)
        scalars["loss/class"] = loss.item
        let predicted = withoutGradients { logits.argmax(axis: 1) }
        scalars["accuracy/class_real"] = Float(zip(predicted, labels).filter { $0 == $1 }.count) / Float(Swift.max(labels.count, 1))
        return loss
    }

    /// D's `loss` plus each penalty (on the real batch and the detached fakes) times its weight,
    /// and the scalars to log: the penalties' values and the mean scores D(x) and D(G(z)).
    private func penalized(
        _ loss: Tensor, real: Tensor, _ realLabels: [Int]?, fake: Tensor, scores: (real: Tensor, fake: Tensor)
    ) -> (Tensor, [String: Float]) {
        var loss = loss
        var scalars: [String: Float] = [:]
        for penalty in penalties {
            // On packs, as D sees them (packing is for unconditional models).
            let value = penalty.value(real: discriminator.packed(real), fake: discriminator.packed(fake), random: &random, shard: shard) {
                self.discriminator.score($0, labels: realLabels)
            }
            scalars[penalty.name] = value.item  // With two penalties of one name (WGAN-GP and R1), the last is logged.
            loss = loss + penalty.weight * value
        }
        scalars["score/real"] = meanScore(scores.real)
        scalars["score/fake"] = meanScore(scores.fake)
        return (loss, scalars)
    }

    /// D's loss (with its penalties) and G's loss from one pass: a real
    /// batch and one fake batch that keeps its graph to G, both scored by
    /// the same D (TensorFlow's `GradientTape` step). D's gradient is taken
    /// with respect to D's parameters only, G's with respect to G's.
    private func simultaneousLosses() -> UpdateLoss {
        let batchSize = config.training.batchSize
        let batch = loader.next()
        let realLabels = config.model.isConditional ? batch.labels : nil
        let latents = sampleLatents(batchSize)
        let fakeLabels = randomLabels(batchSize)
        let fake = generator.generate(latents, labels: fakeLabels)
        let real = judge(batch.images, labels: realLabels)
        let generated = judge(fake, labels: fakeLabels)
        var (discriminatorLoss, scalars) = penalized(
            scaled(objective.discriminatorLoss(real: real.scores, fake: generated.scores)), real: batch.images, realLabels, fake: fake.detached(),
            scores: (real.scores, generated.scores))
        if let classLoss = discriminatorClassLoss(real: real, realLabels, fake: generated, fakeLabels, scalars: &scalars) {
            discriminatorLoss = discriminatorLoss + classLoss
        }
        let generatorLoss = generatorLoss(fake: generated, fakeLabels)
        return UpdateLoss(perNetwork: [discriminatorLoss, generatorLoss], scalars: scalars)
    }

    /// G's loss on D's scores of a fresh fake batch.
    private func generatorLoss() -> UpdateLoss {
        let batchSize = config.training.batchSize
        let latents = sampleLatents(batchSize)
        let labels = randomLabels(batchSize)
        return UpdateLoss(generatorLoss(fake: judge(generator.generate(latents, labels: labels), labels: labels), labels))
    }

    /// The objective's G loss on D's scores of fakes, plus (with an
    /// auxiliary classifier) the class loss's weight times the cross-entropy
    /// of D's class logits against the labels G was asked for.
    private func generatorLoss(fake: (scores: Tensor, classLogits: Tensor?), _ labels: [Int]?) -> Tensor {
        let loss = objective.generatorLoss(fake: fake.scores)
        guard let logits = fake.classLogits, let labels else { return loss }
        return loss + config.training.classLossWeight * Loss.crossEntropy(logits, labels: labels)
    }

    /// D's scores (and class logits) of `images`, after DiffAugment's transformations when the run has
    /// them, in packs when D is packed (`[N / pack, 1]` scores).
    private func judge(_ images: Tensor, labels: [Int]?) -> (scores: Tensor, classLogits: Tensor?) {
        discriminator.scoreAndClassify(discriminator.packed(augmented(images)), labels: labels)
    }

    /// `images` through DiffAugment (unchanged without it); one draw per image
    /// from the run's stream, made for the global batch (see `BatchShard`).
    private func augmented(_ images: Tensor) -> Tensor {
        guard let augmentation else { return images }
        let (height, width) = (images.shape[2], images.shape[3])
        let draws = shard.values(images.shape[0]) { augmentation.draws($0, height: height, width: width, random: &random) }
        return augmentation.apply(images, draws: draws)
    }

    /// This rank's `count` latents (of the global batch's, in data-parallel training).
    private func sampleLatents(_ count: Int) -> Tensor {
        shard.rows(count) { config.model.sampleLatents($0, random: &random) }
    }

    private func randomLabels(_ count: Int) -> [Int]? {
        guard config.model.isConditional else { return nil }
        return shard.values(count) { global in (0..<global).map { _ in Int(random.next() % UInt64(config.model.classCount)) } }
    }

    /// The mean score, as a probability unless D is a critic or already outputs probabilities.
    private func meanScore(_ scores: Tensor) -> Float {
        withoutGradients {
            (objective.isCritic || config.model.discriminatorOutput == .probability ? scores : scores.sigmoid()).mean().item
        }
    }

    /// D's scores of the real and the fake batch, `[N / pack, 1]` each (with their class logits `[N, classes]` when D has an auxiliary classifier). A
    /// discriminator that treats samples independently (no BatchNorm and no
    /// spectral normalisation in training mode) scores both in one pass over
    /// their concatenation: the same values (with dropout, other masks from the
    /// same distribution) from matrix products twice as tall, one weight
    /// gradient instead of two to add, and half the small operations. Others
    /// score them in turn.
    private func scoreRealAndFake(
        real: Tensor, _ realLabels: [Int]?, fake: Tensor,
        _ fakeLabels: [Int]?
    ) -> (real: (scores: Tensor, classLogits: Tensor?), fake: (scores: Tensor, classLogits: Tensor?)) {
        guard scoresRealAndFakeTogether, discriminator.treatsSamplesIndependently, real.shape.dropFirst() == fake.shape.dropFirst(),
            (realLabels == nil) == (fakeLabels == nil)
        else {
            return (judge(real, labels: realLabels), judge(fake, labels: fakeLabels))
        }
        let count = real.shape[0] / config.model.pack
        let labels = realLabels.map { $0 + fakeLabels! }
        // Each half transformed with its own draws, as when scored apart.
        let packs = [real, fake].map { discriminator.packed(augmented($0.detached())) }
        let both = discriminator.scoreAndClassify(concat(packs, axis: 0), labels: labels)
        func split(_ values: Tensor) -> (Tensor, Tensor) {
            (values.slice(axis: 0, start: 0, end: count), values.slice(axis: 0, start: count, end: values.shape[0]))
        }
        let (realScores, fakeScores) = split(both.scores)
        let logits = both.classLogits.map(split)
        return ((realScores, logits?.0), (fakeScores, logits?.1))
    }
}
