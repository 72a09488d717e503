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
    /// times its weight; logs D(x), D(G(z)) and the penalties' values.
    private func discriminatorLoss() -> UpdateLoss {
        let batchSize = config.training.batchSize
        let batch = loader.next()
        let realLabels = config.model.isConditional ? batch.labels : nil
        let latents = sampleLatents(batchSize)
        let fakeLabels = randomLabels(batchSize)
        let fake = withoutGradients { generator.generate(latents, labels: fakeLabels) }
        let (realScores, fakeScores) = scoreRealAndFake(real: batch.images, realLabels, fake: fake, fakeLabels)
        let (loss, scalars) = penalized(
            objective.discriminatorLoss(real: realScores, fake: fakeScores), real: batch.images, realLabels, fake: fake,
            scores: (realScores, fakeScores))
        return UpdateLoss(loss, scalars: scalars)
    }

    /// D's `loss` plus each penalty (on the real batch and the detached fakes) times its weight,
    /// and the scalars to log: the penalties' values and the mean scores D(x) and D(G(z)).
    private func penalized(
        _ loss: Tensor, real: Tensor, _ realLabels: [Int]?, fake: Tensor, scores: (real: Tensor, fake: Tensor)
    ) -> (Tensor, [String: Float]) {
        var loss = loss
        var scalars: [String: Float] = [:]
        for penalty in penalties {
            let value = penalty.value(real: real, fake: fake, random: &random, shard: shard) {
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
        let realScores = discriminator.score(batch.images, labels: realLabels)
        let fakeScores = discriminator.score(fake, labels: fakeLabels)
        let (discriminatorLoss, scalars) = penalized(
            objective.discriminatorLoss(real: realScores, fake: fakeScores), real: batch.images, realLabels, fake: fake.detached(),
            scores: (realScores, fakeScores))
        return UpdateLoss(perNetwork: [discriminatorLoss, objective.generatorLoss(fake: fakeScores)], scalars: scalars)
    }

    /// G's loss on D's scores of a fresh fake batch.
    private func generatorLoss() -> UpdateLoss {
        let batchSize = config.training.batchSize
        let latents = sampleLatents(batchSize)
        let labels = randomLabels(batchSize)
        let scores = discriminator.score(generator.generate(latents, labels: labels), labels: labels)
        return UpdateLoss(objective.generatorLoss(fake: scores))
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

    /// D's scores of the real and the fake batch, `[N, 1]` each. A
    /// discriminator that treats samples independently (no BatchNorm and no
    /// spectral normalisation in training mode) scores both in one pass over
    /// their concatenation: the same values (with dropout, other masks from the
    /// same distribution) from matrix products twice as tall, one weight
    /// gradient instead of two to add, and half the small operations. Others
    /// score them in turn.
    private func scoreRealAndFake(
        real: Tensor, _ realLabels: [Int]?, fake: Tensor,
        _ fakeLabels: [Int]?
    ) -> (real: Tensor, fake: Tensor) {
        guard scoresRealAndFakeTogether, discriminator.treatsSamplesIndependently, real.shape.dropFirst() == fake.shape.dropFirst(),
            (realLabels == nil) == (fakeLabels == nil)
        else {
            return (discriminator.score(real, labels: realLabels), discriminator.score(fake, labels: fakeLabels))
        }
        let count = real.shape[0]
        let labels = realLabels.map { $0 + fakeLabels! }
        let scores = discriminator.score(concat([real.detached(), fake.detached()], axis: 0), labels: labels)
        return (scores.slice(axis: 0, start: 0, end: count), scores.slice(axis: 0, start: count, end: scores.shape[0]))
    }
}
