import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// The parsers that read what a user's files hold, each a function of the
/// file's bytes that may throw (a clear error) but must never trap, hang or
/// allocate more than the input justifies. libFuzzer drives them in a
/// fuzzing build; the plain build replays corpus files through them.
enum FuzzTargets {
    static let all: [String: @Sendable ([UInt8]) throws -> Void] = [
        "safetensors": { _ = try SafeTensors.decode($0, file: "fuzz.safetensors") },
        "checkpoint": { try checkpointTrainer.restore(try SafeTensors.decode($0, file: "fuzz.safetensors"), file: "fuzz.safetensors") },
        "npy": { _ = try NPY.decode($0, file: "fuzz.npy") },
        "idx": { _ = try IDX.decode($0, file: "fuzz.idx", limit: 64) },
        "png": { _ = try PNG.decode($0, file: "fuzz.png", maximumPixels: 1 << 20) },
        "jpeg": { _ = try JPEG.decode($0, file: "fuzz.jpg", maximumPixels: 1 << 20) },
        "config": { bytes in
            // Whichever kind of run's config.json it is; the error of a GAN run's when none.
            let data = Data(bytes)
            if (try? TranslationConfig.decode(data, file: "config.json")) != nil { return }
            if (try? CycleGANConfig.decode(data, file: "config.json")) != nil { return }
            _ = try RunConfig.decode(data, file: "config.json")
        },
        "events": { _ = EventFile.records($0) }
    ]

    /// A small 2-D trainer whose checkpoint metadata, modules and optimizer state the `checkpoint` target restores.
    nonisolated(unsafe) static let checkpointTrainer: Trainer = {
        var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2], latentDimension: 2, width: 8)
        model.classCount = 8
        var training = TrainingConfig()
        training.batchSize = 8
        let config = RunConfig(model: model, training: training, data: DataSpec(name: "ring8", limit: 64))
        return try! Trainer(config: config, dataset: config.data.load(seed: 0))
    }()
}
