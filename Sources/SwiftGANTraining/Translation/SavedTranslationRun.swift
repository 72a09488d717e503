import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// A translation run read back from its directory for `gan translate` and
/// `gan eval`: `config.json` rebuilds the generator and the checkpoint
/// supplies its weights.
public struct SavedTranslationRun {
    public let directory: String
    public let config: TranslationConfig
    /// The step the checkpoint was written at.
    public let step: Int
    /// G in evaluation mode.
    public let generator: TranslationGenerator

    /// - Throws: `FileError` naming a missing or invalid file; `StateDictError`
    ///   when the checkpoint does not fit the configured architecture.
    public init(directory: String) throws {
        try RunDirectory.checkExisting(directory)
        self.directory = directory
        config = try TranslationConfig.read(TrainingRun.configPath(directory))
        if let problem = config.model.validationProblem() {
            throw FileError(file: TrainingRun.configPath(directory), problem: problem)
        }
        let file = TrainingRun.checkpointPath(directory)
        let checkpoint = try SafeTensors.read(file)
        guard let step = checkpoint.metadata["swiftgan.step"].flatMap(Int.init), step >= 0 else {
            throw FileError(file: file, problem: "not a SwiftGAN training checkpoint (no step, or a negative one)")
        }
        self.step = step
        var random = RandomGenerator(seed: config.training.seed)
        generator = config.model.build(random: &random).generator
        do { try generator.loadStateDict(checkpoint.tensors.scoped("generator")) } catch {
            throw FileError(file: TrainingRun.checkpointPath(directory), problem: "\(error)")
        }
        generator.eval()
    }

    /// G's outputs for `inputs` `[N] + inputShape`, batch by batch, without gradients.
    public func translate(_ inputs: Tensor, batchSize: Int = 64) -> Tensor {
        TranslationTrainer.translate(inputs, with: generator, batchSize: batchSize)
    }
}
