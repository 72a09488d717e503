import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

@Suite("Trainer")
struct TrainerTests {
    /// The 2-D preset on ring8 finds all 8 modes (the PacGAN criteria:
    /// 2,500 samples, high quality within 3σ of a mode, a mode is captured
    /// when it has a high-quality sample).
    @Test func ring8ReachesAllModes() throws {
        var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
        var training = TrainingConfig(seed: 3)
        Preset.mixture2d.apply(to: &model, &training)
        // The preset's schedule (decay over the second half) at a third of its 6,000 steps, to keep
        // the debug build's run short; the full-length protocol is in docs/results/mixtures-2d.txt.
        training.steps = 2_000
        let config = RunConfig(model: model, training: training, data: DataSpec(name: "ring8"))
        let trainer = try Trainer(config: config, dataset: try config.data.load(seed: 3))
        for _ in 0..<training.steps { try trainer.trainStep() }
        var random = RandomGenerator(seed: 99)
        let points = trainer.sample(model.sampleLatents(2_500, random: &random), labels: nil).reshaped([2_500, 2]).scalars
        let modes = Mixture2D.ring8.modes
        let limit = 3 * Mixture2D.ring8.standardDeviation
        var captured = Set<Int>()
        var highQuality = 0
        for index in 0..<2_500 {
            let (x, y) = (points[2 * index], points[2 * index + 1])
            let distances = modes.map { (($0.x - x) * ($0.x - x) + ($0.y - y) * ($0.y - y)).squareRoot() }
            let nearest = distances.indices.min { distances[$0] < distances[$1] }!
            if distances[nearest] <= limit {
                highQuality += 1
                captured.insert(nearest)
            }
        }
        #expect(captured.count == 8, "captured modes: \(captured.sorted())")
        #expect(Double(highQuality) / 2_500 > 0.7, "high-quality fraction \(Double(highQuality) / 2_500)")
    }

    /// A short run on (the first 2,048 images of) the real Fashion-MNIST.
    @Test func shortFashionMNISTRunLearns() throws {
        var model = ModelConfig(kind: .mlp, imageShape: [1, 28, 28])
        var training = TrainingConfig(seed: 1)
        Preset.mlp.apply(to: &model, &training)
        training.batchSize = 32
        training.steps = 150
        let config = RunConfig(model: model, training: training, data: DataSpec(name: "fashion-mnist", limit: 2_048))
        let dataset = try config.data.load(seed: 1)
        let trainer = try Trainer(config: config, dataset: dataset)
        let untrainedLikeness = nearestImageCorrelation(trainer, model, dataset)
        let first = try trainer.trainStep()
        #expect(Swift.abs(first.realScore - 0.5) < 0.15 && Swift.abs(first.fakeScore - 0.5) < 0.15, "untrained D is undecided")
        var metrics: [StepMetrics] = []
        for _ in 1..<training.steps { metrics.append(try trainer.trainStep()) }
        // D first learns to tell real from fake (D(x) rises above D(G(z)));
        // then G catches up and the two meet again.
        // Early in training D learns to separate the two: D(x) rises above
        // 0.5 and D(G(z)) falls below it, from an undecided start.
        let late = metrics.suffix(30)
        let lateReal: Float = late.map(\.realScore).reduce(0, +) / Float(late.count)
        let lateFake: Float = late.map(\.fakeScore).reduce(0, +) / Float(late.count)
        #expect(lateReal > 0.5 && lateFake < 0.5, "late D(x) \(lateReal), D(G(z)) \(lateFake)")
        #expect(lateReal - lateFake > first.realScore - first.fakeScore + 0.1)
        // Samples are no longer noise: each looks like some real image.
        // (Untrained: about 0.08. After 150 steps: 0.51 to 0.77 over seeds
        // 1-4 and both GEMM kernels. The mean image, checked here before,
        // is less robust: a run that favours a few classes has a mean unlike
        // the data's, down to 0.50 on seed 1.)
        let likeness = nearestImageCorrelation(trainer, model, dataset)
        #expect(
            likeness > 0.4 && likeness > 4 * untrainedLikeness,
            "nearest-image correlation \(likeness), untrained \(untrainedLikeness)")
    }

    @Test func wganGPPenaltyGradientsMatchFiniteDifferences() throws {
        var random = RandomGenerator(seed: 7)
        let config = ModelConfig(kind: .dcgan, imageShape: [1, 28, 28], width: 2, discriminatorNormalization: .layerNorm)
        let critic = DCGANDiscriminator(config, random: &random)
        let real = Tensor.uniform([2, 1, 28, 28], low: -1, high: 1, random: &random)
        let fake = Tensor.uniform([2, 1, 28, 28], low: -1, high: 1, random: &random)
        // The penalty as a function of the critic's parameters, with fixed α.
        let parameters = critic.parameters()
        func penalty(_ values: [Tensor]) -> Tensor {
            for (parameter, value) in zip(parameters, values) { parameter.assign(value) }
            var alphaStream = RandomGenerator(seed: 11)
            return GradientPenalty.wgangp(real: real, fake: fake, random: &alphaStream) { critic($0) }
        }
        let original = parameters.map(\.value)
        let value = penalty(original)
        #expect(value.item.isFinite && value.item >= 0)
        // Autodiff through the double backward vs central differences. The
        // penalty depends on LeakyReLU's slope masks, so it jumps where a
        // pre-activation crosses 0; a small step (2e-4) keeps crossings rare,
        // and float32 round-off of the O(1) penalty stays near 1e-7/2e-4 = 5e-4.
        let analytic = gradients(of: value, withRespectTo: parameters.map(\.value))
        let checked = [0, 1, 2, 3, parameters.count - 1]
        let step: Float = 2e-4
        for index in checked {
            for element in stride(from: 0, to: parameters[index].count, by: Swift.max(1, parameters[index].count / 12)) {
                var plus = original
                var minus = original
                plus[index].withUnsafeMutableBufferPointer { $0[element] += step }
                minus[index].withUnsafeMutableBufferPointer { $0[element] -= step }
                let numeric = (Double(penalty(plus).item) - Double(penalty(minus).item)) / (2 * Double(step))
                let automatic = Double(analytic[index].scalars[element])
                #expect(
                    Swift.abs(numeric - automatic) <= 5e-3 + 5e-2 * Swift.abs(numeric),
                    "parameter \(index) element \(element): \(automatic) vs \(numeric)")
            }
        }
        _ = penalty(original)
    }

    @Test func zeroGradientGivesNoNaN() {
        let flat = Tensor.zeros([3, 1, 2, 2])
        var random = RandomGenerator(seed: 1)
        let penalty = GradientPenalty.wgangp(real: flat, fake: flat, random: &random) { _ in Tensor.zeros([3, 1]) }
        // (√ε − 1)² with ε = 1e-12 inside the square root: finite and ≈ 1.
        #expect(Swift.abs(penalty.item - 1) < 1e-5)
    }

    @Test func objectivesHaveTheRightSigns() {
        let high = Tensor([5, 5])
        let low = Tensor([-5, -5])
        for name in Objective.allCases {
            let objective = name.make(output: .logit)
            // A D that scores real high and fake low has a lower loss than the reverse.
            let good = objective.discriminatorLoss(real: high, fake: low).item
            let bad = objective.discriminatorLoss(real: low, fake: high).item
            #expect(good < bad, "\(name)")
            // G prefers D to score its samples high.
            #expect(objective.generatorLoss(fake: high).item < objective.generatorLoss(fake: low).item, "\(name)")
        }
    }
}

@Suite("Runs: checkpoints, resume, logs, divergence")
struct RunTests {
    func config(steps: Int, preset: Preset = .cgan, directory: String) -> RunConfig {
        var model = ModelConfig(kind: .cgan, imageShape: [1, 8, 8])
        var training = TrainingConfig(seed: 9)
        preset.apply(to: &model, &training)
        model.kind = .cgan
        training.steps = steps
        training.batchSize = 16
        training.emaDecay = 0.9
        training.checkpointEvery = 5
        training.sampleEvery = 10
        training.logEvery = 2
        return RunConfig(model: model, training: training, data: DataSpec(name: "tiny", path: directory))
    }

    /// Scoring the real and the fake batch in one pass gives the D step of
    /// scoring them in turn: the same losses and, after three steps, the same
    /// weights (to float32 rounding: the products sum in another order). A
    /// BatchNorm discriminator is never scored that way.
    @Test func jointRealAndFakeScoringMatchesSeparateScoring() throws {
        var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
        var training = TrainingConfig(seed: 4)
        Preset.mixture2d.apply(to: &model, &training)
        training.batchSize = 32
        let config = RunConfig(model: model, training: training, data: DataSpec(name: "ring8"))
        let joint = try Trainer(config: config, dataset: try config.data.load(seed: 4))
        let separate = try Trainer(config: config, dataset: try config.data.load(seed: 4))
        separate.scoresRealAndFakeTogether = false
        #expect(joint.discriminator.treatsSamplesIndependently)
        // A step puts models left in evaluation mode back into training mode, every module of them.
        joint.discriminator.eval()
        joint.generator.eval()
        for _ in 0..<3 {
            let a = try joint.trainStep()
            let b = try separate.trainStep()
            #expect(Swift.abs(a.discriminatorLoss - b.discriminatorLoss) <= 1e-5 * Swift.max(1, Swift.abs(b.discriminatorLoss)))
            #expect(Swift.abs(a.realScore - b.realScore) <= 1e-5 && Swift.abs(a.fakeScore - b.fakeScore) <= 1e-5)
        }
        #expect(joint.discriminator.namedModules().allSatisfy { $0.module.isTraining })
        #expect(joint.generator.namedModules().allSatisfy { $0.module.isTraining })
        for (a, b) in zip(joint.discriminator.namedParameters(), separate.discriminator.namedParameters()) {
            let worst = zip(a.parameter.value.scalars, b.parameter.value.scalars).map { Swift.abs($0 - $1) }.max()!
            #expect(worst <= 1e-5, "\(a.name) differs by \(worst)")
        }
        // The comparison is not vacuous: the weights moved.
        let initial = try Trainer(config: config, dataset: try config.data.load(seed: 4))
        #expect(initial.discriminator.parameters()[0].value.scalars != joint.discriminator.parameters()[0].value.scalars)

        var dcgan = ModelConfig(kind: .dcgan, imageShape: [1, 28, 28])
        var dcganTraining = TrainingConfig()
        Preset.dcgan.apply(to: &dcgan, &dcganTraining)
        var random = RandomGenerator(seed: 1)
        #expect(dcgan.discriminatorNormalization == .batchNorm)
        let critic = dcgan.build(random: &random).discriminator
        #expect(!critic.treatsSamplesIndependently)
        #expect(critic.eval().treatsSamplesIndependently)  // running statistics do not mix samples
    }

    @Test func interruptAndResumeIsBitIdentical() throws {
        let data = tinyIDXDirectory()
        let straightDirectory = temporaryDirectory() + "/straight"
        let resumedDirectory = temporaryDirectory() + "/resumed"
        let straight = try TrainingRun.start(directory: straightDirectory, config: config(steps: 24, directory: data))
        #expect(try straight.run() == .completed)

        do {  // the first run object holds the directory's lock until it goes
            let first = try TrainingRun.start(directory: resumedDirectory, config: config(steps: 24, directory: data))
            // Stop after 13 steps, between checkpoints (asked between steps and between a step's updates).
            let outcome = try first.run(shouldStop: { first.trainer.step >= 13 })
            #expect(outcome == .interrupted(step: 13))
        }
        let resumed = try TrainingRun.resume(directory: resumedDirectory)
        #expect(resumed.trainer.step == 13)
        #expect(try resumed.run() == .completed)

        let a = try SafeTensors.read(TrainingRun.checkpointPath(straightDirectory)).tensors
        let b = try SafeTensors.read(TrainingRun.checkpointPath(resumedDirectory)).tensors
        #expect(a.keys == b.keys)
        #expect(a.keys.contains("ema_generator.model.0.weight") && a.keys.contains("optimizer_d.state.0.exp_avg"))
        for key in a.keys {
            #expect(a[key]!.scalars.map(\.bitPattern) == b[key]!.scalars.map(\.bitPattern), "\(key) differs after resume")
        }
        // The metrics log has each step once, with the interrupted part replaced.
        let lines = String(decoding: FileManager.default.contents(atPath: "\(resumedDirectory)/metrics.jsonl")!, as: UTF8.self)
            .split(separator: "\n")
        #expect(lines.count == 12)
        #expect(FileManager.default.fileExists(atPath: "\(resumedDirectory)/samples/step-000020.png"))
    }

    /// A stop request between critic steps pauses the step there; the
    /// checkpoint holds the position, and the resumed run ends bit-identical
    /// to an uninterrupted one.
    @Test func aStepPausedBetweenCriticStepsResumesBitIdentical() throws {
        let data = tinyIDXDirectory()
        var critic = config(steps: 6, preset: .wgan, directory: data)
        critic.training.criticSteps = 3
        critic.training.logEvery = 1
        let straightDirectory = temporaryDirectory() + "/straight"
        let pausedDirectory = temporaryDirectory() + "/paused"
        #expect(try TrainingRun.start(directory: straightDirectory, config: critic).run() == .completed)
        do {
            let first = try TrainingRun.start(directory: pausedDirectory, config: critic)
            var calls = 0
            // Asked before each step and before each of its updates after the first (3 critic
            // updates and G's: 4 calls a step): call 12 comes after 2 whole steps and step 3's critic updates,
            // before its G update, so the resumed part logs none of D's scalars itself.
            let outcome = try first.run(shouldStop: {
                calls += 1
                return calls == 12
            })
            #expect(outcome == .interrupted(step: 2))
        }
        let saved = try SafeTensors.read(TrainingRun.checkpointPath(pausedDirectory))
        #expect(saved.metadata["swiftgan.step"] == "2" && saved.metadata["swiftgan.step_position"] == "1,0")
        // A total that would end the run inside the paused step is refused.
        #expect { _ = try TrainingRun.resume(directory: pausedDirectory, steps: 2) } throws: {
            "\($0)".contains("the checkpoint is at step 2 (inside step 3), past the requested total 2")
        }
        let resumed = try TrainingRun.resume(directory: pausedDirectory)
        #expect(resumed.trainer.pausedAt == TrainingStep.Position(update: 1, repeats: 0))
        #expect(try resumed.run() == .completed)
        let a = try SafeTensors.read(TrainingRun.checkpointPath(straightDirectory))
        let b = try SafeTensors.read(TrainingRun.checkpointPath(pausedDirectory))
        #expect(a.tensors == b.tensors)
        #expect(b.metadata["swiftgan.step_position"] == nil)
        // The logs agree too: the paused step's scalars from before the pause were kept with it.
        func logged(_ directory: String) throws -> [[String: Double]] {
            try String(decoding: FileManager.default.contents(atPath: "\(directory)/metrics.jsonl")!, as: UTF8.self).split(separator: "\n")
                .map { line in
                    var values = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double])
                    values["speed/samples_per_second"] = nil  // wall-clock throughput
                    return values
                }
        }
        #expect(try logged(straightDirectory) == logged(pausedDirectory))
        // A position outside the step is refused by name.
        var bad = saved
        bad.metadata["swiftgan.step_position"] = "0,3"
        #expect { try resumed.trainer.restore(bad, file: "bad.safetensors") } throws: {
            "\($0)".contains("swiftgan.step_position '0,3' is not a position inside a training step")
        }
    }

    @Test func refusesToOverwriteARun() throws {
        let data = tinyIDXDirectory()
        let directory = temporaryDirectory() + "/run"
        _ = try TrainingRun.start(directory: directory, config: config(steps: 2, directory: data))
        #expect(throws: FileError.self) { _ = try TrainingRun.start(directory: directory, config: config(steps: 2, directory: data)) }
        _ = try TrainingRun.start(directory: directory, config: config(steps: 2, directory: data), overwrite: true)
        let foreign = temporaryDirectory()
        _ = FileManager.default.createFile(atPath: "\(foreign)/important.txt", contents: Data("keep".utf8))
        #expect(throws: FileError.self) {
            _ = try TrainingRun.start(directory: foreign, config: config(steps: 2, directory: data), overwrite: true)
        }
        #expect(FileManager.default.fileExists(atPath: "\(foreign)/important.txt"))
    }

    @Test func divergenceStopsAndKeepsTheLastGoodCheckpoint() throws {
        let data = tinyIDXDirectory()
        let directory = temporaryDirectory() + "/run"
        let run = try TrainingRun.start(directory: directory, config: config(steps: 20, directory: data))
        #expect(try run.run(shouldStop: { run.trainer.step >= 5 }) == .interrupted(step: 5))
        // Poison one generator weight: the next step's losses are NaN.
        run.trainer.generator.parameters()[1].update { $0[0] = .nan }
        do {
            _ = try run.run()
            Issue.record("training should have stopped")
        } catch let error as TrainingError {
            guard case .diverged(let step, let quantity, let value) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(step == 6 && value.isNaN)
            #expect(quantity.contains("loss"))
            #expect(error.description.contains("training diverged at step 6"))
        }
        let kept = try SafeTensors.read(TrainingRun.checkpointPath(directory))
        #expect(kept.metadata["swiftgan.step"] == "5")
        #expect(kept.tensors.entries.allSatisfy { $0.tensor.scalars.allSatisfy(\.isFinite) })
    }

    @Test func tensorBoardRecordsPassCRCAndDecode() throws {
        let directory = temporaryDirectory()
        let writer = try TensorBoardWriter(directory: directory)
        try writer.scalar("loss/generator", 1.5, step: 3)
        try writer.scalars([("a", 0.25), ("b", -2)], step: 4)
        let png: [UInt8] = try PNG.encode(RasterImage(width: 2, height: 1, channels: 1, pixels: [0, 255]))
        try writer.image("samples", png: png, width: 2, height: 1, channels: 1, step: 5)
        try writer.flush()
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)

        let bytes = [UInt8](FileManager.default.contents(atPath: writer.path)!)
        var offset = 0
        var events: [[Int: [ProtoField]]] = []
        while offset < bytes.count {
            let lengthBytes = Array(bytes[offset..<(offset + 8)])
            let length = lengthBytes.enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            let lengthCRC = bytes[(offset + 8)..<(offset + 12)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            #expect(lengthCRC == CRC32C.masked(lengthBytes))
            let data = Array(bytes[(offset + 12)..<(offset + 12 + length)])
            let dataCRC = bytes[(offset + 12 + length)..<(offset + 16 + length)].enumerated()
                .reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
            #expect(dataCRC == CRC32C.masked(data))
            events.append(ProtoField.parse(data))
            offset += 16 + length
        }
        #expect(events.count == 4)
        #expect(events[0][3]?.first?.text == "brain.Event:2")
        // Event 1: step 3, summary → value(tag "loss/generator", simple_value 1.5).
        #expect(events[1][2]?.first?.varint == 3)
        let value = ProtoField.parse(ProtoField.parse(events[1][5]!.first!.bytes)[1]!.first!.bytes)
        #expect(value[1]?.first?.text == "loss/generator")
        #expect(value[2]?.first?.float == 1.5)
        #expect(ProtoField.parse(events[2][5]!.first!.bytes)[1]?.count == 2)
        let image = ProtoField.parse(ProtoField.parse(ProtoField.parse(events[3][5]!.first!.bytes)[1]!.first!.bytes)[4]!.first!.bytes)
        #expect(image[1]?.first?.varint == 1 && image[2]?.first?.varint == 2)
        #expect(image[4]?.first?.bytes == png)
    }
}

/// A decoded protocol-buffer field (just enough to check TensorBoard records).
struct ProtoField {
    var varint: UInt64 = 0
    var bytes: [UInt8] = []
    var fixed32: UInt32 = 0
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var float: Float { Float(bitPattern: fixed32) }

    static func parse(_ data: [UInt8]) -> [Int: [ProtoField]] {
        var result: [Int: [ProtoField]] = [:]
        var index = 0
        func readVarint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let byte = data[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        while index < data.count {
            let key = readVarint()
            var field = ProtoField()
            switch key & 7 {
            case 0: field.varint = readVarint()
            case 1: index += 8
            case 2:
                let length = Int(readVarint())
                field.bytes = Array(data[index..<(index + length)])
                index += length
            case 5:
                field.fixed32 = data[index..<(index + 4)].enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
                index += 4
            default: return result
            }
            result[Int(key >> 3), default: []].append(field)
        }
        return result
    }
}

@Suite("Configuration files")
struct ConfigurationTests {
    @Test func roundTripAndOlderFiles() throws {
        var model = ModelConfig(kind: .dcgan, imageShape: [1, 28, 28])
        var training = TrainingConfig(seed: 4)
        Preset.wganGP.apply(to: &model, &training)
        let config = RunConfig(model: model, training: training, data: DataSpec(name: "fashion-mnist"), preset: "wgan-gp")
        let path = temporaryDirectory() + "/config.json"
        try AtomicFile.write(config.encoded(), to: path)
        #expect(try RunConfig.read(path) == config)
        // A config written before `learningRateDecay` existed still loads, with the default.
        var json = String(decoding: try config.encoded(), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"learningRateDecay\" : false,", with: "")
        #expect(!json.contains("learningRateDecay"))
        try AtomicFile.write(Array(json.utf8), to: path)
        #expect(try RunConfig.read(path).training.learningRateDecay == false)
        try AtomicFile.write(Array("{\"model\": 3}".utf8), to: path)
        #expect(throws: FileError.self) { try RunConfig.read(path) }
    }

    @Test func presetsProduceValidConfigs() {
        for preset in Preset.allCases {
            var model = ModelConfig(kind: .dcgan, imageShape: preset == .mixture2d ? [1, 1, 2] : [1, 28, 28])
            var training = TrainingConfig()
            preset.apply(to: &model, &training)
            #expect(training.validationProblem() == nil, "\(preset)")
            #expect(model.validationProblem() == nil, "\(preset): \(model.validationProblem() ?? "")")
        }
    }
}
