import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// A CycleGAN run read back from its directory for `gan translate`,
/// `gan eval`, `gan info` and `gan export`: `config.json` rebuilds both
/// generators and the checkpoint supplies their weights.
public struct SavedCycleGANRun {
    public let directory: String
    public let config: CycleGANConfig
    /// The step the checkpoint was written at.
    public let step: Int
    /// A→B and B→A, in evaluation mode.
    public let generatorAB: ResNetGenerator
    public let generatorBA: ResNetGenerator

    /// - Throws: `FileError` naming a missing or invalid file; `StateDictError`
    ///   when the checkpoint does not fit the configured architecture.
    public init(directory: String) throws {
        try RunDirectory.checkExisting(directory)
        self.directory = directory
        config = try CycleGANConfig.read(TrainingRun.configPath(directory))
        let model = config.model
        if let problem = model.validationProblem() { throw FileError(file: TrainingRun.configPath(directory), problem: problem) }
        let file = TrainingRun.checkpointPath(directory)
        let checkpoint = try SafeTensors.read(file)
        guard let step = checkpoint.metadata["swiftgan.step"].flatMap(Int.init), step >= 0 else {
            throw FileError(file: file, problem: "not a SwiftGAN training checkpoint (no step, or a negative one)")
        }
        self.step = step
        var random = RandomGenerator(seed: 0)
        func generator(_ from: [Int], _ to: [Int], _ prefix: String) throws -> ResNetGenerator {
            let generator = ResNetGenerator(
                inputChannels: from[0], outputChannels: to[0], width: model.width, residualBlocks: model.blocks,
                normalization: model.normalization, random: &random)
            do { try generator.loadStateDict(checkpoint.tensors.scoped(prefix)) } catch {
                throw FileError(file: TrainingRun.checkpointPath(directory), problem: "\(error)")
            }
            generator.eval()
            return generator
        }
        generatorAB = try generator(model.shapeA, model.shapeB, "generator_ab")
        generatorBA = try generator(model.shapeB, model.shapeA, "generator_ba")
    }

    /// The generator of `direction`.
    public func generator(_ direction: CycleGANTrainer.Direction) -> ResNetGenerator {
        direction == .a2b ? generatorAB : generatorBA
    }

    /// `[C, H, W]` of the images `direction` takes.
    public func inputShape(_ direction: CycleGANTrainer.Direction) -> [Int] {
        direction == .a2b ? config.model.shapeA : config.model.shapeB
    }

    /// `direction`'s outputs for `inputs` `[N] + inputShape(direction)`, batch by batch, without gradients.
    public func translate(_ inputs: Tensor, direction: CycleGANTrainer.Direction, batchSize: Int = 64) -> Tensor {
        CycleGANTrainer.translate(inputs, with: generator(direction), batchSize: batchSize)
    }
}
