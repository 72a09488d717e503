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
/// (`swiftgan.rng.rankR.PATH`), gathered before each save, so a resumed job
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
    /// The other ranks' streams, for rank 0's next checkpoint.
    var gatheredRankStreams: [String: String] { get set }
}

extension SafeTensors.Contents {
    /// The file's bytes.
    var encodedBytes: [UInt8] { SafeTensors.encode(tensors, metadata: metadata) }
}

/// A checksum of `tensors`' values, bit for bit (FNV-1a over 32-bit words).
func checksum(_ tensors: [Tensor], labels: [Int] = []) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for tensor in tensors {
        tensor.withUnsafeBufferPointer { values in
            for value in values { hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3 }
        }
    }
    for label in labels { hash = (hash ^ UInt64(UInt(bitPattern: label))) &* 0x0000_0100_0000_01B3 }
    return hash
}

/// The ranks-metadata key (shared by every trainer).
enum RankMetadata {
    /// The checkpoint metadata key of the number of ranks that trained it.
    static let ranksKey = "swiftgan.ranks"
    /// What every rank stream's metadata key starts with.
    static let rankStreamPrefix = TrainingCheckpoint.randomStreamKey("rank")
    /// The metadata key of rank `rank`'s stream `key`.
    static func rankStreamKey(_ rank: Int, _ key: String) -> String { "\(rankStreamPrefix)\(rank).\(key)" }
}

extension DataParallelTrainer {
    /// Makes every rank's state rank 0's: weights, optimizer states, the
    /// shared random stream, the loader position and the step (at the start
    /// and after a resume, which only rank 0 read from disk). A fresh start
    /// then gives each rank its own module streams.
    func broadcastState(resumed: Bool) throws {
        guard let parallel, parallel.size > 1 else { return }
        let bytes = parallel.rank == 0 ? try checkpoint().encodedBytes : []
        let received = try parallel.communicator.broadcast(bytes: bytes)
        guard parallel.rank != 0 else { return }
        let source = "rank 0's state"
        try restore(try SafeTensors.decode(received, file: source), file: source)
        if !resumed { seedRankStreams() }
    }

    /// Each trained module's stream on this rank, from (seed, rank, path).
    func seedRankStreams() {
        guard let parallel, parallel.rank > 0 else { return }
        for (key, stream) in rankStreams {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in "\(seed) \(parallel.rank) \(key)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            stream.generator = RandomGenerator(seed: hash)
        }
    }

    /// The streams that differ between ranks, by checkpoint path (`generator.main.3.random`).
    var rankStreams: [(key: String, stream: RandomStream)] {
        networks.flatMap { network in network.module.namedRandomStreams().map { ("\(network.name).\($0.name)", $0.stream) } }
    }

    /// Collects every rank's module streams for rank 0's next checkpoint (a collective).
    func gatherRankStreams() throws {
        guard let parallel, parallel.size > 1 else { return }
        let mine = rankStreams.map { "\($0.key)=\(TrainingCheckpoint.encode($0.stream.generator.state))" }.joined(separator: ";")
        let all = try parallel.communicator.allGather(variable: Array(mine.utf8))
        var metadata: [String: String] = [:]
        for (rank, entries) in all.enumerated() where rank > 0 {
            for entry in String(decoding: entries, as: UTF8.self).split(separator: ";") {
                let pair = entry.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { metadata[RankMetadata.rankStreamKey(rank, String(pair[0]))] = String(pair[1]) }
            }
        }
        gatheredRankStreams = metadata
    }

    /// What data-parallel training adds to the checkpoint's metadata.
    func distributedMetadata() -> [String: String] {
        guard let parallel, parallel.size > 1 else { return [:] }
        return gatheredRankStreams.merging([RankMetadata.ranksKey: String(parallel.size)]) { $1 }
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

    /// Gives this rank its own module streams from rank 0's checkpoint `metadata`.
    func restoreRankStreams(_ metadata: [String: String], file: String, step: Int, midStep: Bool) throws {
        guard let parallel, parallel.rank > 0 else { return }
        let streams = rankStreams
        let missing = streams.filter { metadata[RankMetadata.rankStreamKey(parallel.rank, $0.key)] == nil }
        if !missing.isEmpty {
            // A step-0 checkpoint predates any gather: the streams are the ones a start derives.
            guard step == 0 && !midStep else {
                throw FileError(file: file, problem: "missing rank \(parallel.rank)'s random state of \(missing[0].key)")
            }
            seedRankStreams()
            return
        }
        for (key, stream) in streams {
            let raw = metadata[RankMetadata.rankStreamKey(parallel.rank, key)]!
            guard let state = TrainingCheckpoint.decode(raw) else {
                throw FileError(file: file, problem: "rank \(parallel.rank)'s random state of \(key) '\(raw.prefix(80))' is not four 64-bit words")
            }
            stream.generator = RandomGenerator(state: state)
        }
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
        return "\(dataset.count) examples of \(dataset.imageShape), checksum \(String(checksum([dataset.images], labels: dataset.labels), radix: 16))"
    }
}
