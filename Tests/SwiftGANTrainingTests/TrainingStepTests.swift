import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// The general training step: the same loop trains a GAN pair, a generator
/// with a reconstruction term (pix2pix's shape) and two generators with two
/// discriminators (CycleGAN's shape); every objective resumes bit for bit and
/// stops on a NaN.
@Suite("General training step")
struct TrainingStepTests {
    /// A small network `[N, inputs] -> [N, outputs]`.
    static func network(
        _ name: String, _ inputs: Int, _ outputs: Int, random: inout RandomGenerator,
        learningRate: Float = 1e-2
    ) -> TrainedNetwork {
        let module = Sequential([Linear(inputs, 16, random: &random), LeakyReLU(0.2), Linear(16, outputs, random: &random)])
        return TrainedNetwork(
            name: name, module: module,
            optimizer: Adam(
                module.parameters(), learningRate: learningRate,
                betas: (0.5, 0.999)), optimizerKey: "optimizer_\(name)")
    }

    /// Two generators A→B and B→A and two discriminators, as CycleGAN
    /// trains them: one update steps both generators on the adversarial and
    /// cycle-consistency losses, the next both discriminators. The cycle
    /// loss falls, and all four networks move.
    @Test func cycleShapedStepTrainsFourNetworks() throws {
        var random = RandomGenerator(seed: 21)
        let forward = Self.network("generator_ab", 2, 2, random: &random)
        let backward = Self.network("generator_ba", 2, 2, random: &random)
        let criticA = Self.network("discriminator_a", 2, 1, random: &random)
        let criticB = Self.network("discriminator_b", 2, 1, random: &random)
        let objective = LeastSquaresObjective()
        var data = RandomGenerator(seed: 22)
        // Domain A: points near (1, 0); domain B: the same points turned by 90 degrees.
        func batch() -> (a: Tensor, b: Tensor) {
            let noise = Tensor.normal([32, 2], random: &data) * 0.1
            let a = noise + Tensor([1, 0]).reshaped([1, 2])
            let b = matmul(a, Tensor([0, 1, -1, 0]).reshaped([2, 2]))
            return (a, b)
        }
        var current = batch()
        var cycleLosses: [Float] = []
        let generators = TrainingUpdate(name: "generators", networks: [forward, backward]) {
            current = batch()
            let fakeB = forward.module(current.a)
            let fakeA = backward.module(current.b)
            let cycle = (backward.module(fakeB) - current.a).abs().mean() + (forward.module(fakeA) - current.b).abs().mean()
            let adversarial = objective.generatorLoss(fake: criticB.module(fakeB)) + objective.generatorLoss(fake: criticA.module(fakeA))
            cycleLosses.append(cycle.item)
            return UpdateLoss(adversarial + 10 * cycle, scalars: ["loss/cycle": cycle.item])
        }
        let discriminators = TrainingUpdate(name: "discriminators", networks: [criticA, criticB]) {
            let fakeB = withoutGradients { forward.module(current.a) }
            let fakeA = withoutGradients { backward.module(current.b) }
            return UpdateLoss(
                objective.discriminatorLoss(real: criticB.module(current.b), fake: criticB.module(fakeB))
                    + objective.discriminatorLoss(real: criticA.module(current.a), fake: criticA.module(fakeA)))
        }
        let step = TrainingStep(updates: [generators, discriminators])
        #expect(step.networks.map(\.name) == ["generator_ab", "generator_ba", "discriminator_a", "discriminator_b"])
        let initial = step.networks.map { $0.module.parameters()[0].value.scalars }
        var scalars: [String: Float] = [:]
        for index in 1...150 { scalars = try step.run(step: index) }
        for (network, before) in zip(step.networks, initial) {
            #expect(network.module.parameters()[0].value.scalars != before, "\(network.name) did not move")
        }
        #expect(
            Set(scalars.keys) == [
                "loss/generators", "loss/discriminators", "grad_norm/generators",
                "grad_norm/discriminators", "loss/cycle"
            ])
        let early: Float = cycleLosses.prefix(10).reduce(0, +) / 10
        let late: Float = cycleLosses.suffix(10).reduce(0, +) / 10
        #expect(late < 0.5 * early, "cycle loss \(early) -> \(late)")
    }

    /// A generator with an adversarial term and an L1 reconstruction term
    /// weighted 100 (pix2pix): the paired targets are learned.
    @Test func reconstructionShapedStepLearnsThePairs() throws {
        var random = RandomGenerator(seed: 31)
        let generator = Self.network("generator", 3, 3, random: &random)
        let critic = Self.network("discriminator", 6, 1, random: &random)
        let objective = CrossEntropyObjective()
        var data = RandomGenerator(seed: 32)
        let mapping = Tensor([0.5, -1, 0, 1, 0.5, 0, 0, 0, 2]).reshaped([3, 3])
        var source = Tensor.zeros([16, 3])
        var target = Tensor.zeros([16, 3])
        var reconstruction: [Float] = []
        let discriminatorUpdate = TrainingUpdate(name: "discriminator", networks: [critic]) {
            source = Tensor.normal([16, 3], random: &data)
            target = matmul(source, mapping)
            let fake = withoutGradients { generator.module(source) }
            return UpdateLoss(
                objective.discriminatorLoss(
                    real: critic.module(concat([source, target], axis: 1)),
                    fake: critic.module(concat([source, fake], axis: 1))))
        }
        let generatorUpdate = TrainingUpdate(name: "generator", networks: [generator]) {
            let fake = generator.module(source)
            let l1 = (fake - target).abs().mean()
            reconstruction.append(l1.item)
            return UpdateLoss(objective.generatorLoss(fake: critic.module(concat([source, fake], axis: 1))) + 100 * l1)
        }
        let step = TrainingStep(updates: [discriminatorUpdate, generatorUpdate])
        for index in 1...200 { _ = try step.run(step: index) }
        let early: Float = reconstruction.prefix(5).reduce(0, +) / 5
        let late: Float = reconstruction.suffix(10).reduce(0, +) / 10
        #expect(late < 0.25 * early, "L1 \(early) -> \(late)")
    }

    /// A NaN loss stops the step before its optimizer moves any parameter,
    /// naming the update and the step.
    @Test func nonFiniteLossStopsBeforeAnyUpdate() {
        var random = RandomGenerator(seed: 41)
        let network = Self.network("critic", 2, 1, random: &random)
        let before = network.module.parameters().map(\.value.scalars)
        let step = TrainingStep(updates: [
            TrainingUpdate(name: "critic", networks: [network]) {
                UpdateLoss(network.module(Tensor.ones([4, 2])).mean() * Float.nan)
            }
        ])
        do {
            _ = try step.run(step: 7)
            Issue.record("the step should have stopped")
        } catch let TrainingError.diverged(step, quantity, value) {
            #expect(step == 7 && quantity == "the critic loss" && value.isNaN)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(network.module.parameters().map(\.value.scalars) == before)
    }

    /// The bilinear game min over θ, max over ψ of ψθ, with SGD: simultaneous
    /// updates (both gradients at the same point) spiral outwards, θ² + ψ²
    /// growing by exactly 1 + η² a step; alternating ones (ψ first, then θ
    /// against the new ψ) stay on a closed orbit that conserves θ² + ψ² + ηθψ.
    /// The step's two modes are told apart where they differ most.
    @Test func simultaneousAndAlternatingUpdatesDifferOnTheBilinearGame() throws {
        let rate: Float = 0.1
        func players() -> (theta: TrainedNetwork, psi: TrainedNetwork) {
            var random = RandomGenerator(seed: 1)
            let (g, d) = (Linear(1, 1, bias: false, random: &random), Linear(1, 1, bias: false, random: &random))
            g.parameters()[0].update { $0[0] = 1 }
            d.parameters()[0].update { $0[0] = 0.5 }
            return (
                TrainedNetwork(name: "generator", module: g, optimizer: SGD(g.parameters(), learningRate: rate), optimizerKey: "optimizer_g"),
                TrainedNetwork(name: "discriminator", module: d, optimizer: SGD(d.parameters(), learningRate: rate), optimizerKey: "optimizer_d")
            )
        }
        func value(_ network: TrainedNetwork) -> Double { Double(network.module.parameters()[0].value.scalars[0]) }
        func product(_ theta: TrainedNetwork, _ psi: TrainedNetwork) -> Tensor {
            (theta.module.parameters()[0].value * psi.module.parameters()[0].value).sum()
        }

        let together = players()
        let simultaneous = TrainingStep(updates: [
            TrainingUpdate(name: "both", networks: [together.psi, together.theta]) {
                let game = product(together.theta, together.psi)
                return UpdateLoss(perNetwork: [-game, game])
            }
        ])
        let turns = players()
        let alternating = TrainingStep(updates: [
            TrainingUpdate(name: "discriminator", networks: [turns.psi]) { UpdateLoss(-product(turns.theta, turns.psi)) },
            TrainingUpdate(name: "generator", networks: [turns.theta]) { UpdateLoss(product(turns.theta, turns.psi)) }
        ])
        let eta = Double(rate)
        func invariant(_ theta: Double, _ psi: Double) -> Double { theta * theta + psi * psi + eta * theta * psi }
        let start = invariant(1, 0.5)
        for step in 1...60 {
            let logged = try simultaneous.run(step: step)
            #expect(logged["loss/generator"] != nil && logged["loss/discriminator"] != nil)
            try alternating.run(step: step)
            let radius = pow(value(together.theta), 2) + pow(value(together.psi), 2)
            #expect(Swift.abs(radius / (1.25 * pow(1 + eta * eta, Double(step))) - 1) < 1e-4, "step \(step): θ² + ψ² = \(radius)")
            #expect(Swift.abs(invariant(value(turns.theta), value(turns.psi)) / start - 1) < 1e-4, "step \(step)")
        }
        // After 60 steps the simultaneous players are 1.8 times as far out; the alternating ones are where they began, on their orbit.
        #expect(pow(value(together.theta), 2) + pow(value(together.psi), 2) > 1.8 * 1.25)
    }

    /// The trainer's simultaneous step: D's update is the alternating
    /// step's (the same real batch and fakes), G's is taken against the D
    /// before that update, so it differs; both losses are logged as usual,
    /// and more than one critic step is refused.
    @Test func theTrainersSimultaneousStepUpdatesBothFromOnePass() throws {
        func trainer(_ order: TrainingConfig.UpdateOrder) throws -> Trainer {
            var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
            var training = TrainingConfig(seed: 3)
            Preset.mixture2d.apply(to: &model, &training)
            model.width = 16
            training.batchSize = 16
            training.criticSteps = 1
            training.update = order
            let config = RunConfig(model: model, training: training, data: DataSpec(name: "ring8"))
            return try Trainer(config: config, dataset: try config.data.load(seed: 3))
        }
        let (alternating, simultaneous) = (try trainer(.alternating), try trainer(.simultaneous))
        let before = simultaneous.generator.parameters().map(\.value.scalars)
        let logged = try simultaneous.trainStep()
        try alternating.trainStep()
        for (a, b) in zip(alternating.discriminator.parameters(), simultaneous.discriminator.parameters()) {
            assertClose(b.value, a.value, rtol: 1e-5, atol: 1e-6)
        }
        let moved = simultaneous.generator.parameters().map(\.value.scalars)
        #expect(moved != before && moved != alternating.generator.parameters().map(\.value.scalars))
        #expect(logged.generatorGradientNorm > 0 && logged.discriminatorGradientNorm > 0 && logged.generatorLoss > 0 && logged.discriminatorLoss > 0)
        var critics = TrainingConfig(criticSteps: 2)
        critics.update = .simultaneous
        #expect(critics.validationProblem()?.contains("the critic steps must be 1, not 2") == true)
    }

    /// Every objective, alternating, simultaneous or separate, through the one trainer:
    /// an interrupted and restored run continues bit for bit, and a poisoned
    /// weight stops training with the loss named.
    @Test(arguments: Objective.allCases, TrainingConfig.UpdateOrder.allCases)
    func everyObjectiveResumesExactlyAndGuardsNaN(_ objective: Objective, _ order: TrainingConfig.UpdateOrder) throws {
        var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
        var training = TrainingConfig(seed: 5)
        Preset.mixture2d.apply(to: &model, &training)
        model.width = 16
        training.objective = objective
        training.batchSize = 16
        training.update = order
        training.criticSteps = order == .alternating ? 2 : 1
        training.r1Weight = objective == .hinge ? 1 : 0
        training.emaDecay = 0.9
        if order == .separate && objective == .wassersteinGP {
            // Its penalty needs both batches in one D loss (ArticlePresetTests checks the refusal).
            #expect(training.validationProblem() != nil)
            return
        }
        let config = RunConfig(model: model, training: training, data: DataSpec(name: "ring8"))
        let straight = try Trainer(config: config, dataset: try config.data.load(seed: 5))
        for _ in 0..<4 { try straight.trainStep() }
        let first = try Trainer(config: config, dataset: try config.data.load(seed: 5))
        for _ in 0..<2 { try first.trainStep() }
        let resumed = try Trainer(config: config, dataset: try config.data.load(seed: 5))
        try resumed.restore(try first.checkpoint(), file: "memory")
        for _ in 0..<2 { try resumed.trainStep() }
        let a = try straight.checkpoint()
        let b = try resumed.checkpoint()
        #expect(a.tensors.keys == b.tensors.keys)
        for key in a.tensors.keys {
            #expect(a.tensors[key]!.scalars.map(\.bitPattern) == b.tensors[key]!.scalars.map(\.bitPattern), "\(objective) \(order): \(key)")
        }
        #expect(a.metadata.filter { $0.key != "swiftgan.config" } == b.metadata.filter { $0.key != "swiftgan.config" })

        resumed.generator.parameters()[0].update { $0[0] = .nan }
        do {
            try resumed.trainStep()
            Issue.record("\(objective): training should have stopped")
        } catch let TrainingError.diverged(step, quantity, _) {
            // The first non-finite quantity is named: a loss, or a gradient norm where
            // a ReLU turned the NaN activations into a finite loss.
            let named = ["discriminator", "generator"].flatMap { ["the \($0) loss", "the \($0) gradient norm"] }
            #expect(step == 5 && named.contains(quantity), "\(objective) \(order): \(quantity) at \(step)")
        }
    }

    /// Module random streams (Dropout's) are found by reflection and kept in
    /// the checkpoint's metadata under the module's path; no layer type is
    /// named by the trainer.
    @Test func randomStreamsAreSavedAsState() throws {
        var model = ModelConfig(kind: .mlp, imageShape: [1, 4, 4])
        var training = TrainingConfig(seed: 6)
        Preset.mlp.apply(to: &model, &training)
        training.batchSize = 8
        var random = RandomGenerator(seed: 7)
        let images = Tensor.uniform([16, 1, 4, 4], low: -1, high: 1, random: &random)
        let dataset = ImageDataset(images: images, labels: Array(repeating: 0, count: 16), classNames: ["0"])
        let config = RunConfig(model: model, training: training, data: DataSpec(name: "in-memory"))
        let trainer = try Trainer(config: config, dataset: dataset)
        let streams = trainer.discriminator.namedRandomStreams()
        #expect(!streams.isEmpty && streams.allSatisfy { $0.name.hasSuffix(".random") })
        try trainer.trainStep()
        let saved = try trainer.checkpoint()
        for (path, stream) in streams {
            #expect(saved.metadata["swiftgan.rng.discriminator.\(path)"] == TrainingCheckpoint.encode(stream.generator.state))
        }
        // A checkpoint without them is refused with the missing stream named.
        var stripped = saved
        stripped.metadata = saved.metadata.filter { !$0.key.hasPrefix("swiftgan.rng.discriminator") }
        let other = try Trainer(config: config, dataset: dataset)
        #expect(throws: FileError.self) { try other.restore(stripped, file: "stripped.safetensors") }
    }
}
