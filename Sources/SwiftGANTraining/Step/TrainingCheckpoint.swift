import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// The checkpoint format every trainer shares: each module's state dict
/// under its prefix, each network's optimizer state under its key, and in
/// the metadata the step, the loader position, the trainer's random stream,
/// each module's random streams (Dropout's masks) and the run configuration.
public struct TrainingCheckpoint {
    /// Modules whose state is saved, by prefix (`generator`, `ema_generator`).
    public var modules: [(prefix: String, module: Module)]
    /// Modules whose random streams are saved (the ones that train).
    public var streamModules: [(prefix: String, module: Module)]
    /// Networks whose optimizer state is saved.
    public var networks: [TrainedNetwork]

    public init(modules: [(prefix: String, module: Module)], streamModules: [(prefix: String, module: Module)], networks: [TrainedNetwork]) {
        self.modules = modules
        self.streamModules = streamModules
        self.networks = networks
    }

    /// What a checkpoint restores besides module and optimizer state.
    public struct Progress {
        public var step: Int
        public var loader: DataLoader.Position
        public var random: RandomGenerator
        /// Where step `step + 1` stands when it was paused part-way (`.start` when it was not).
        public var within: TrainingStep.Position = .start
        /// The scalars the paused step logged so far (merged into the finished step's).
        public var withinScalars: [String: Float] = [:]
    }

    /// The metadata key of a module's random stream at `path` (`generator.main.3.random`).
    static func randomStreamKey(_ path: String) -> String { "swiftgan.rng.\(path)" }

    /// All state, with `progress` and the encoded configuration in the metadata.
    public func contents(_ progress: Progress, config: [UInt8]) -> SafeTensors.Contents {
        var state = StateDict()
        func add(_ prefix: String, _ dict: StateDict) {
            for entry in dict.entries { state.set("\(prefix).\(entry.key)", entry.tensor, storedType: entry.storedType) }
        }
        for (prefix, module) in modules { add(prefix, module.stateDict()) }
        for network in networks { add(network.optimizerKey, network.optimizer.stateDict()) }
        var metadata: [String: String] = [
            "format": "pt",
            "swiftgan.step": String(progress.step),
            "swiftgan.loader_epoch": String(progress.loader.epoch),
            "swiftgan.loader_step": String(progress.loader.step),
            "swiftgan.rng": Self.encode(progress.random.state),
            "swiftgan.config": String(decoding: config, as: UTF8.self)
        ]
        if progress.within != .start {
            metadata["swiftgan.step_position"] = "\(progress.within.update),\(progress.within.repeats)"
            // Float's description reads back to the same value.
            let scalars = progress.withinScalars.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            metadata["swiftgan.step_scalars"] = scalars.joined(separator: ";")
        }
        for (prefix, module) in streamModules {
            for (path, stream) in module.namedRandomStreams() {
                metadata[Self.randomStreamKey("\(prefix).\(path)")] = Self.encode(stream.generator.state)
            }
        }
        return SafeTensors.Contents(tensors: state, metadata: metadata)
    }

    /// Loads module, optimizer and random-stream state from `contents` and
    /// returns the saved progress. The metadata is checked first (the step,
    /// a loader position inside an epoch of `batchesPerEpoch` batches, every
    /// random stream), so a checkpoint that fails leaves the modules as they were
    /// unless its tensors do not fit them.
    /// - Throws: `FileError` naming the file and what does not match (for
    ///   instance a checkpoint of another architecture, or optimizer state cut short).
    /// - Parameter steps: the training step a paused position must lie in (nil: a checkpoint may not hold one).
    public func restore(_ contents: SafeTensors.Contents, file: String, batchesPerEpoch: Int, steps: TrainingStep? = nil) throws -> Progress {
        let state = contents.tensors
        let metadata = contents.metadata
        if let raw = metadata["swiftgan.step"], (Int(raw) ?? -1) < 0 {
            throw FileError(file: file, problem: "metadata swiftgan.step '\(raw)' is not a non-negative whole number")
        }
        for key in ["swiftgan.loader_epoch", "swiftgan.loader_step"] {
            if let raw = metadata[key], Int(raw) == nil {
                throw FileError(file: file, problem: "metadata \(key) '\(raw.prefix(40))' is not a whole number")
            }
        }
        if let raw = metadata["swiftgan.rng"], Self.decode(raw) == nil {
            throw FileError(file: file, problem: "metadata swiftgan.rng '\(raw.prefix(80))' is not four comma-separated 64-bit words, not all zero")
        }
        guard let step = metadata["swiftgan.step"].flatMap(Int.init),
            let epoch = metadata["swiftgan.loader_epoch"].flatMap(Int.init),
            let loaderStep = metadata["swiftgan.loader_step"].flatMap(Int.init),
            let random = metadata["swiftgan.rng"].flatMap(Self.decode)
        else {
            throw FileError(file: file, problem: "not a SwiftGAN training checkpoint (missing step, loader or random state)")
        }
        guard epoch >= 0, epoch < 1 << 40, loaderStep >= 0, loaderStep < batchesPerEpoch else {
            throw FileError(
                file: file,
                problem: "loader position epoch \(epoch), batch \(loaderStep) is outside an epoch of \(batchesPerEpoch) batches "
                    + "(did the data or the batch size change?)")
        }
        var within = TrainingStep.Position.start
        if let raw = metadata["swiftgan.step_position"] {
            let parts = raw.split(separator: ",").compactMap { Int($0) }
            guard parts.count == 2, let step = steps, step.contains(TrainingStep.Position(update: parts[0], repeats: parts[1])) else {
                throw FileError(file: file, problem: "metadata swiftgan.step_position '\(raw.prefix(40))' is not a position inside a training step")
            }
            within = TrainingStep.Position(update: parts[0], repeats: parts[1])
        }
        var withinScalars: [String: Float] = [:]
        for entry in (metadata["swiftgan.step_scalars"] ?? "").split(separator: ";") {
            let pair = entry.split(separator: "=", maxSplits: 1)
            guard within != .start, pair.count == 2, let value = Float(pair[1]) else {
                throw FileError(file: file, problem: "metadata swiftgan.step_scalars entry '\(entry.prefix(60))' is not NAME=NUMBER of a paused step")
            }
            withinScalars[String(pair[0])] = value
        }
        var streams: [(RandomStream, (UInt64, UInt64, UInt64, UInt64))] = []
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
                streams.append((stream, saved))
            }
        }
        do {
            for (prefix, module) in modules {
                do { try module.loadStateDict(state.scoped(prefix)) } catch { throw FileError(file: file, problem: "\(prefix): \(error)") }
            }
            for network in networks {
                do { try network.optimizer.loadStateDict(state.scoped(network.optimizerKey)) } catch {
                    throw FileError(file: file, problem: "\(network.optimizerKey): \(error)")
                }
            }
        }
        for (stream, saved) in streams { stream.generator = RandomGenerator(state: saved) }
        return Progress(
            step: step, loader: DataLoader.Position(epoch: epoch, step: loaderStep), random: RandomGenerator(state: random), within: within,
            withinScalars: withinScalars)
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
