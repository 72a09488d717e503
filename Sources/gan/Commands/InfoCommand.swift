import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// `gan info`: what a run holds, or what a model looks like.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a run (config, step, parameters, last metrics) or a model's layers.",
        discussion: """
            Examples:
              gan info --run runs/dcgan-quick
              gan info --model dcgan --data fashion-mnist
              gan info --preset keras-mlp-conv       # a preset's recipe and layers
            """
    )

    @Option(name: .customLong("run"), help: "A run directory to describe.")
    var runDirectory: String?

    @Option(help: "A model to summarise: \(ModelConfig.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var model: String?

    @Option(help: "A preset to summarise (its recipe, then its model's layers): \(Preset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var preset: String?

    @Option(help: "The data the model is for (sets the image shape).")
    var data: String = "fashion-mnist"

    @Option(parsing: .unconditional, help: "Base width.")
    var width: Int = 64

    func validate() throws {
        guard [runDirectory, model, preset].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --run DIR, --model NAME or --preset NAME")
        }
        if let preset, Preset(rawValue: preset) == nil {
            throw ValidationError("unknown preset '\(preset)' (choose from \(Preset.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        if let model, ModelConfig.Kind(rawValue: model) == nil {
            throw ValidationError("unknown model '\(model)' (choose from \(ModelConfig.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }

    func run() throws {
        if let run = runDirectory {
            switch RunKind.of(directory: run) {
            case .cyclegan: return try describeCycleGAN(run)
            case .translation: return try describeTranslation(run)
            case .gan: break
            }
        }
        if let run = runDirectory {
            let saved: SavedRun
            let generator: GeneratorModel
            do {
                saved = try SavedRun(directory: run)
                generator = try saved.generator()
            } catch {
                throw CLIError("\(error)")
            }
            let discriminatorCount = saved.checkpoint.tensors.entries
                .filter { entry in
                    entry.key.hasPrefix("discriminator.") && entry.storedType == .float32
                        && !["running_mean", "running_var", "weight_u", "weight_v"].contains { entry.key.hasSuffix($0) }
                }
                .reduce(0) { $0 + $1.tensor.count }
            print("run: \(run)")
            print("step: \(saved.step) of \(saved.config.training.steps)")
            print("preset: \(saved.config.preset ?? "-")  model: \(saved.config.model.kind.rawValue)  objective: \(saved.config.training.objective.rawValue)")
            print("data: \(saved.config.data.name)  shape: \(saved.config.model.imageShape)  classes: \(saved.config.model.classCount)")
            print(
                "generator parameters: \(generator.parameterCount.formatted())  "
                    + "discriminator parameters: \(discriminatorCount.formatted())  EMA: \(saved.hasEMA ? "yes" : "no")")
            if let metrics = saved.lastMetrics { print("last metrics: \(metrics)") }
            print("config:")
            print(String(decoding: try saved.config.encoded(), as: UTF8.self), terminator: "")
            return
        }
        let spec = DataSpec.parse(data)
        let shape: [Int]
        if spec.mixture != nil {
            shape = [1, 1, 2]
        } else if spec.name == "fashion-mnist" || spec.path != nil && spec.name != "folder" {
            shape = [1, 28, 28]
        } else {
            do { shape = try spec.load(seed: 0).imageShape } catch { throw CLIError("\(error)") }
        }
        let kind = model.flatMap(ModelConfig.Kind.init) ?? (shape == [1, 1, 2] ? .mlp2d : .dcgan)
        var config = ModelConfig(
            kind: kind, imageShape: shape, latentDimension: kind == .mlp2d ? 2 : 100, width: width,
            classCount: 10)
        if let preset = preset.flatMap(Preset.init) {
            var training = TrainingConfig()
            preset.apply(to: &config, &training)
            print("Preset \(preset.rawValue): \(preset.defaultsDescription)\n")
        }
        if let problem = config.validationProblem() { throw CLIError(problem) }
        var random = RandomGenerator(seed: 0)
        let (generator, discriminator) = config.build(random: &random)
        let labels = config.isConditional ? [0, 1] : nil
        print("Generator (\(config.kind.rawValue), data \(shape)):")
        print(generator.summary { _ = generator.generate(Tensor.zeros([2, config.latentDimension]), labels: labels) })
        print("\nDiscriminator:")
        print(discriminator.summary { _ = discriminator.scoreAndClassify(discriminator.packsOfCopies(Tensor.zeros([2] + shape)), labels: labels) })
    }

    /// `gan info --run` for a translation run.
    private func describeTranslation(_ run: String) throws {
        let saved: SavedTranslationRun
        do { saved = try SavedTranslationRun(directory: run) } catch { throw CLIError("\(error)") }
        let config = saved.config
        print("run: \(run)")
        print("step: \(saved.step) of \(config.training.steps)")
        print("task: \(config.task.rawValue)  generator: \(config.model.generator.rawValue)  objective: \(config.training.objective.rawValue)")
        print("data: \(config.data.path ?? config.data.name)  input: \(config.model.inputShape)  output: \(config.model.outputShape)")
        print("generator parameters: \(saved.generator.parameterCount.formatted())")
        try printTail(run, config: try config.encoded())
    }

    /// `gan info --run` for a CycleGAN run.
    private func describeCycleGAN(_ run: String) throws {
        let saved: SavedCycleGANRun
        do { saved = try SavedCycleGANRun(directory: run) } catch { throw CLIError("\(error)") }
        let config = saved.config
        print("run: \(run)")
        print("step: \(saved.step) of \(config.training.steps)")
        print(
            "task: cyclegan  generators: resnet, \(config.model.blocks) blocks, width \(config.model.width)  "
                + "objective: \(config.training.objective.rawValue)")
        print("data: \(config.data.path ?? config.data.name)  A: \(config.model.shapeA)  B: \(config.model.shapeB)")
        print(
            "generator parameters: A→B \(saved.generatorAB.parameterCount.formatted()), B→A \(saved.generatorBA.parameterCount.formatted())")
        try printTail(run, config: try config.encoded())
    }

    /// The last logged metrics and the configuration.
    private func printTail(_ run: String, config: [UInt8]) throws {
        if let data = (try? FileContents.readIfPresent("\(run)/metrics.jsonl")).map({ Data($0) }),
            let last = String(decoding: data, as: UTF8.self).split(separator: "\n").last
        {
            print("last metrics: \(last)")
        }
        print("config:")
        print(String(decoding: config, as: UTF8.self), terminator: "")
    }
}
