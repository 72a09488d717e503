import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Training checkpoints: every network's state dict under its name, the EMA
/// copy, every optimizer's state under its key, and in the metadata the
/// step, the loader position and every random stream (the trainer's and
/// each module's, such as Dropout's masks).
extension Trainer {
    /// The modules whose state a checkpoint holds, by prefix.
    private var savedModules: [(prefix: String, module: Module)] {
        networks.map { ($0.name, $0.module) } + (emaGenerator.map { [("ema_generator", $0)] } ?? [])
    }

    /// The modules whose random streams a checkpoint holds: the trained
    /// networks (the EMA copy never runs in training mode, so its streams never advance).
    private var streamModules: [(prefix: String, module: Module)] { networks.map { ($0.name, $0.module) } }

    /// The metadata key of a module's random stream at `path` (`generator.main.3.random`).
    static func randomStreamKey(_ path: String) -> String { "swiftgan.rng.\(path)" }

    /// All training state: weights, EMA, optimizer states, loader position,
    /// random streams and the step.
    public func checkpoint() throws -> SafeTensors.Contents {
        var state = StateDict()
        func add(_ prefix: String, _ dict: StateDict) {
            for entry in dict.entries { state.set("\(prefix).\(entry.key)", entry.tensor, storedType: entry.storedType) }
        }
        for (prefix, module) in savedModules { add(prefix, module.stateDict()) }
        for network in networks { add(network.optimizerKey, network.optimizer.stateDict()) }
        var metadata: [String: String] = [
            "format": "pt",
            "swiftgan.step": String(step),
            "swiftgan.loader_epoch": String(loader.position.epoch),
            "swiftgan.loader_step": String(loader.position.step),
            "swiftgan.rng": Self.encode(random.state),
            "swiftgan.config": String(decoding: try config.encoded(), as: UTF8.self)
        ]
        for (prefix, module) in streamModules {
            for (path, stream) in module.namedRandomStreams() {
                metadata[Self.randomStreamKey("\(prefix).\(path)")] = Self.encode(stream.generator.state)
            }
        }
        return SafeTensors.Contents(tensors: state, metadata: metadata)
    }

    /// Restores state written by `checkpoint()` for the same configuration.
    /// - Throws: `StateDictError`, `OptimizerStateError` or `FileError` naming
    ///   what does not match (for instance a checkpoint of another architecture).
    public func restore(_ contents: SafeTensors.Contents, file: String) throws {
        let state = contents.tensors
        let metadata = contents.metadata
        for (prefix, module) in savedModules { try module.loadStateDict(state.scoped(prefix)) }
        for network in networks { try network.optimizer.loadStateDict(state.scoped(network.optimizerKey)) }
        guard let stepText = metadata["swiftgan.step"], let savedStep = Int(stepText),
            let epoch = metadata["swiftgan.loader_epoch"].flatMap(Int.init),
            let loaderStep = metadata["swiftgan.loader_step"].flatMap(Int.init),
            let rng = metadata["swiftgan.rng"].flatMap(Self.decode)
        else {
            throw FileError(file: file, problem: "not a SwiftGAN training checkpoint (missing step, loader or random state)")
        }
        for (prefix, module) in streamModules {
            for (path, stream) in module.namedRandomStreams() {
                let key = "\(prefix).\(path)"
                // Checkpoints before module streams were named kept Dropout's under the layer's path.
                let legacyKey = key.hasSuffix(".random") ? String(key.dropLast(".random".count)) : key
                guard
                    let saved = (metadata[Self.randomStreamKey(key)] ?? metadata[Self.randomStreamKey(legacyKey)])
                        .flatMap(Self.decode)
                else {
                    throw FileError(file: file, problem: "missing the random state of \(key)")
                }
                stream.generator = RandomGenerator(state: saved)
            }
        }
        step = savedStep
        loader.position = DataLoader.Position(epoch: epoch, step: loaderStep)
        random = RandomGenerator(state: rng)
    }

    static func encode(_ state: (UInt64, UInt64, UInt64, UInt64)) -> String {
        "\(state.0),\(state.1),\(state.2),\(state.3)"
    }

    static func decode(_ text: String) -> (UInt64, UInt64, UInt64, UInt64)? {
        let words = text.split(separator: ",").compactMap { UInt64($0) }
        guard words.count == 4, words != [0, 0, 0, 0] else { return nil }
        return (words[0], words[1], words[2], words[3])
    }
}
