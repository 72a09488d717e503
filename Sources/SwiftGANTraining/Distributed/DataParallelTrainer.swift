import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// A trainer that can be one rank of a data-parallel job: what
/// `DistributedRun` and the collectives below need of it. The GAN `Trainer`
/// and the `TranslationTrainer` conform.
///
/// The collectives (each a no-op in one process): rank 0's state onto
/// every rank, the ranks' own random streams into rank 0's checkpoint, and
/// the check that the weights are still identical. Each rank's module
/// streams (Dropout's masks) are its own, derived from (seed, rank, module
/// path) at the start; rank 0's checkpoint keeps every rank's
/// (`swiftgan.rankR.rng.PATH`), gathered before each save, so a resumed job
/// draws the same masks as an uninterrupted one.
protocol DataParallelTrainer: DirectoryTrainer {
    /// The job this trainer is one rank of (nil: one process).
    var parallel: DataParallel? { get }
    /// The networks it trains (their streams differ between ranks).
    var networks: [TrainedNetwork] { get }
    /// Every module whose weights the ranks must hold alike (the networks, and an EMA copy).
    var agreedModules: [Module] { get }
    /// Whether BatchNorm's running statistics must agree too (synchronized BatchNorm).
    var synchronizesBatchNorm: Bool { get }
    /// The run's seed (for the ranks' own streams).
    var seed: UInt64 { get }
    /// The training data's size, shape and a checksum of every value (compared across ranks).
    var dataSummary: String { get }
    /// The other ranks' own state, for rank 0's next checkpoint (under their prefixes).
    var gatheredRankState: SafeTensors.Contents { get set }
    /// This rank's own state: by default its module streams (metadata `rng.PATH`).
    var ownRankState: SafeTensors.Contents { get }
    /// Sets this rank's own state from `state`, or (nil) as a start derives it from (seed, rank).
    func restoreOwnRankState(_ state: SafeTensors.Contents?, file: String) throws
}

extension SafeTensors.Contents {
    /// The file's bytes.
    var encodedBytes: [UInt8] { SafeTensors.encode(tensors, metadata: metadata) }
}

/// A checksum of `tensors`' values, bit for bit (FNV-1a over 32-bit words).
func checksum(_ tensors: [Tensor], labels: [Int] = []) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for tensor in tensors { fold(tensor, into: &hash) }
    for label in labels { hash = (hash ^ UInt64(UInt(bitPattern: label))) &* 0x0000_0100_0000_01B3 }
    return hash
}

/// `checksum` of `arrays`' values taken 1,024 images at a time, so images kept as bytes are never all floats at once.
func checksum(_ arrays: [ImageArray], labels: [Int] = []) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for array in arrays { array.forEachChunk { fold($0, into: &hash) } }
    for label in labels { hash = (hash ^ UInt64(UInt(bitPattern: label))) &* 0x0000_0100_0000_01B3 }
    return hash
}

/// `checksum([dataset.images], labels:)` without converting the whole dataset to floats.
func checksum(_ dataset: ImageDataset) -> UInt64 { checksum([dataset.imageArray], labels: dataset.labels) }

private func fold(_ tensor: Tensor, into hash: inout UInt64) {
    tensor.withUnsafeBufferPointer { values in
        for value in values { hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3 }
    }
}

/// The checkpoint keys of data-parallel training (shared by every trainer).
enum RankMetadata {
    /// The checkpoint metadata key of the number of ranks that trained it.
    static let ranksKey = "swiftgan.ranks"
    /// The prefix of rank `rank`'s own tensors in rank 0's checkpoint.
    static func tensorPrefix(_ rank: Int) -> String { "rank\(rank)." }
    /// The prefix of rank `rank`'s own metadata in rank 0's checkpoint.
    static func metadataPrefix(_ rank: Int) -> String { "swiftgan.rank\(rank)." }
    /// Whether `key` (tensor or metadata) belongs to some rank's own state.
    static func isRankKey(_ key: String) -> Bool {
        for prefix in ["rank", "swiftgan.rank"] where key.hasPrefix(prefix) {
            if key.dropFirst(prefix.count).prefix(while: \.isNumber).count > 0 { return true }
        }
        return false
    }

    /// Rank `rank`'s own state in rank 0's `contents` (prefixes removed), or nil when it holds none.
    static func state(of rank: Int, in contents: SafeTensors.Contents) -> SafeTensors.Contents? {
        var state = SafeTensors.Contents(tensors: StateDict())
        for entry in contents.tensors.entries where entry.key.hasPrefix(tensorPrefix(rank)) {
            state.tensors.set(String(entry.key.dropFirst(tensorPrefix(rank).count)), entry.tensor, storedType: entry.storedType)
        }
        for (key, value) in contents.metadata where key.hasPrefix(metadataPrefix(rank)) {
            state.metadata[String(key.dropFirst(metadataPrefix(rank).count))] = value
        }
        return state.tensors.entries.isEmpty && state.metadata.isEmpty ? nil : state
    }

    /// Every rank's own state in `contents`, as stored (for rank 0 to write again).
    static func allRankState(in contents: SafeTensors.Contents) -> SafeTensors.Contents {
        var state = SafeTensors.Contents(tensors: StateDict())
        for entry in contents.tensors.entries where isRankKey(entry.key) { state.tensors.set(entry.key, entry.tensor, storedType: entry.storedType) }
        for (key, value) in contents.metadata where isRankKey(key) { state.metadata[key] = value }
        return state
    }
}

extension DataParallelTrainer {
    /// Makes every rank's state rank 0's: weights, optimizer states, the
    /// shared random stream, the loader position and the step (at the start
    /// and after a resume, which only rank 0 read from disk); each rank's own
    /// state comes from the checkpoint, or at a fresh start from (seed, rank).
    func broadcastState(resumed: Bool) throws {
        guard let parallel, parallel.size > 1 else { return }
        let bytes = parallel.rank == 0 ? try checkpoint().encodedBytes : []
        let received = try parallel.communicator.broadcast(bytes: bytes)
        guard parallel.rank != 0 else { return }
        let source = "rank 0's state"
        try restore(try SafeTensors.decode(received, file: source), file: source)
        if !resumed { try restoreOwnRankState(nil, file: source) }
    }

    /// A stream seed from (seed, rank, `key`).
    func rankSeed(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(seed) \(parallel?.rank ?? 0) \(key)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// The module streams that differ between ranks, by checkpoint path (`generator.main.3.random`).
    var rankStreams: [(key: String, stream: RandomStream)] {
        networks.flatMap { network in network.module.namedRandomStreams().map { ("\(network.name).\($0.name)", $0.stream) } }
    }

    /// The module streams as own state (metadata `rng.PATH`).
    var moduleStreamState: SafeTensors.Contents {
        var state = SafeTensors.Contents(tensors: StateDict())
        for (key, stream) in rankStreams { state.metadata["rng.\(key)"] = TrainingCheckpoint.encode(stream.generator.state) }
        return state
    }

    /// Sets the module streams from own state, or (nil) from (seed, rank, path).
    func restoreModuleStreams(_ state: SafeTensors.Contents?, file: String) throws {
        for (key, stream) in rankStreams {
            guard let state else {
                stream.generator = RandomGenerator(seed: rankSeed(key))
                continue
            }
            guard let raw = state.metadata["rng.\(key)"], let words = TrainingCheckpoint.decode(raw) else {
                throw FileError(file: file, problem: "rank \(parallel?.rank ?? 0)'s random state of \(key) is missing or not four 64-bit words")
            }
            stream.generator = RandomGenerator(state: words)
        }
    }

    var ownRankState: SafeTensors.Contents { moduleStreamState }

    func restoreOwnRankState(_ state: SafeTensors.Contents?, file: String) throws {
        try restoreModuleStreams(state, file: file)
    }

    /// Collects every other rank's own state for rank 0's next checkpoint (a collective).
    func gatherRankStreams() throws {
        guard let parallel, parallel.size > 1 else { return }
        var mine = ownRankState
        // Present even for a trainer with no state of its own: a resume can tell "gathered" from "written before any gather".
        mine.metadata["rank"] = String(parallel.rank)
        // Only rank 0 writes checkpoints: the others' state goes to it alone.
        let all = try parallel.communicator.gather(variable: SafeTensors.encode(mine.tensors, metadata: mine.metadata))
        guard parallel.rank == 0 else { return }
        var gathered = SafeTensors.Contents(tensors: StateDict())
        for (rank, bytes) in all.enumerated() where rank > 0 {
            let state = try SafeTensors.decode(bytes, file: "rank \(rank)'s own state")
            for entry in state.tensors.entries {
                gathered.tensors.set(RankMetadata.tensorPrefix(rank) + entry.key, entry.tensor, storedType: entry.storedType)
            }
            for (key, value) in state.metadata { gathered.metadata[RankMetadata.metadataPrefix(rank) + key] = value }
        }
        gatheredRankState = gathered
    }

    /// Adds what data-parallel training keeps to rank 0's checkpoint: the number of ranks and the others' own state.
    func addDistributedState(to contents: inout SafeTensors.Contents) {
        guard let parallel, parallel.size > 1 else { return }
        contents.metadata[RankMetadata.ranksKey] = String(parallel.size)
        contents.metadata.merge(gatheredRankState.metadata) { $1 }
        for entry in gatheredRankState.tensors.entries { contents.tensors.set(entry.key, entry.tensor, storedType: entry.storedType) }
    }

    /// Checks that `metadata` was written by as many ranks as this job has.
    func checkRanks(_ metadata: [String: String], file: String) throws {
        let ranks = parallel?.size ?? 1
        let saved = metadata[RankMetadata.ranksKey] ?? "1"
        guard Int(saved) == ranks else {
            let how = Int(saved) == 1 ? "in one process (without mpirun)" : "on \(saved) ranks (mpirun -np \(saved))"
            throw FileError(
                file: file,
                problem: "was written by a run \(how) and cannot continue on \(ranks) rank\(ranks == 1 ? "" : "s"): resume it \(how)")
        }
    }

    /// After a restore from rank 0's checkpoint `contents`: this rank takes
    /// its own state from it (a step-0 checkpoint, written before any
    /// gather, holds none: then as a start derives it), and rank 0 keeps
    /// the others' for its next checkpoint.
    func restoreRankState(_ contents: SafeTensors.Contents, file: String, step: Int, midStep: Bool) throws {
        guard let parallel, parallel.size > 1 else { return }
        if parallel.rank == 0 {
            gatheredRankState = RankMetadata.allRankState(in: contents)
            return
        }
        let own = RankMetadata.state(of: parallel.rank, in: contents)
        if own == nil && !(step == 0 && !midStep) {
            throw FileError(file: file, problem: "holds no state of rank \(parallel.rank) (its random streams) past step 0")
        }
        try restoreOwnRankState(own, file: file)
    }

    /// A checksum of the agreed modules' weights, bit for bit, then of
    /// their buffers that every rank keeps alike (spectral normalisation's
    /// vectors; BatchNorm's running statistics only when synchronized, since
    /// each rank's otherwise follow its own batches).
    func weightChecksum() -> UInt64 {
        let weights = agreedModules.flatMap { $0.namedParameters().map(\.parameter.value) }
        let buffers = agreedModules.flatMap { module in
            module.namedModules().filter { !($0.module is BatchNorm) || synchronizesBatchNorm }.flatMap { $0.module.localBuffers.map(\.buffer.value) }
        }
        return checksum(weights + buffers)
    }

    /// Compares the ranks' weight checksums (a collective).
    /// - Throws: `DistributedError` on every rank, naming the step and the checksums, when any differ.
    /// - Returns: the common checksum.
    @discardableResult
    func checkWeightsAgree() throws -> UInt64 {
        let mine = weightChecksum()
        guard let parallel, parallel.size > 1 else { return mine }
        let all = try parallel.communicator.allGather(withUnsafeBytes(of: mine.littleEndian, Array.init)).map { bytes in
            bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        }
        guard Set(all).count == 1 else {
            let listed = all.enumerated().map { "rank \($0.offset) \(String($0.element, radix: 16))" }.joined(separator: ", ")
            throw DistributedError("the ranks' weights differ at step \(step) (checksums \(listed)); stopping", isAgreed: true)
        }
        return mine
    }
}

/// The GAN trainer as one rank.
extension Trainer: DataParallelTrainer {
    var agreedModules: [Module] { [generator, discriminator] + (emaGenerator.map { [$0] } ?? []) }
    var synchronizesBatchNorm: Bool { config.training.syncBatchNorm }
    var seed: UInt64 { config.training.seed }
    var dataSummary: String {
        let dataset = loader.dataset
        return "\(dataset.count) examples of \(dataset.imageShape), checksum \(String(checksum(dataset), radix: 16))"
    }
}
