import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// The collectives a GAN trainer runs as one rank of a data-parallel job
/// (each is a no-op in one process): rank 0's state onto every rank, the
/// ranks' own random streams into rank 0's checkpoint, and the check that
/// the weights are still identical.
///
/// Each rank's module streams (Dropout's masks) are its own, derived from
/// (seed, rank, module path) at the start; rank 0's checkpoint keeps every
/// rank's (`swiftgan.rng.rankR.PATH`), gathered before each save, so a
/// resumed job draws the same masks as an uninterrupted one.
extension SafeTensors.Contents {
    /// The file's bytes.
    var encodedBytes: [UInt8] { SafeTensors.encode(tensors, metadata: metadata) }
}

extension Trainer {
    /// The checkpoint metadata key of the number of ranks that trained it.
    static let ranksKey = "swiftgan.ranks"

    /// Makes every rank's state rank 0's: weights, optimizer states, the
    /// shared random stream, the loader position and the step (at the start
    /// and after a resume, which only rank 0 read from disk). A fresh start
    /// then gives each rank its own module streams.
    public func broadcastState(resumed: Bool) throws {
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
            for byte in "\(config.training.seed) \(parallel.rank) \(key)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            stream.generator = RandomGenerator(seed: hash)
        }
    }

    /// The streams that differ between ranks, by checkpoint path (`generator.main.3.random`).
    var rankStreams: [(key: String, stream: RandomStream)] {
        networks.flatMap { network in network.module.namedRandomStreams().map { ("\(network.name).\($0.name)", $0.stream) } }
    }

    /// The metadata key of rank `rank`'s stream `key`.
    static func rankStreamKey(_ rank: Int, _ key: String) -> String { "\(rankStreamPrefix)\(rank).\(key)" }
    /// What every rank stream's metadata key starts with.
    static let rankStreamPrefix = TrainingCheckpoint.randomStreamKey("rank")

    /// Collects every rank's module streams for rank 0's next checkpoint (a collective).
    public func gatherRankStreams() throws {
        guard let parallel, parallel.size > 1 else { return }
        let mine = rankStreams.map { "\($0.key)=\(TrainingCheckpoint.encode($0.stream.generator.state))" }.joined(separator: ";")
        let all = try parallel.communicator.allGather(variable: Array(mine.utf8))
        var metadata: [String: String] = [:]
        for (rank, entries) in all.enumerated() where rank > 0 {
            for entry in String(decoding: entries, as: UTF8.self).split(separator: ";") {
                let pair = entry.split(separator: "=", maxSplits: 1)
                if pair.count == 2 { metadata[Self.rankStreamKey(rank, String(pair[0]))] = String(pair[1]) }
            }
        }
        gatheredRankStreams = metadata
    }

    /// What data-parallel training adds to the checkpoint's metadata.
    func distributedMetadata() -> [String: String] {
        guard let parallel, parallel.size > 1 else { return [:] }
        return gatheredRankStreams.merging([Self.ranksKey: String(parallel.size)]) { $1 }
    }

    /// Checks that `metadata` was written by as many ranks as this job has.
    func checkRanks(_ metadata: [String: String], file: String) throws {
        let ranks = parallel?.size ?? 1
        let saved = metadata[Self.ranksKey] ?? "1"
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
        let missing = streams.filter { metadata[Self.rankStreamKey(parallel.rank, $0.key)] == nil }
        if !missing.isEmpty {
            // A step-0 checkpoint predates any gather: the streams are the ones a start derives.
            guard step == 0 && !midStep else {
                throw FileError(file: file, problem: "missing rank \(parallel.rank)'s random state of \(missing[0].key)")
            }
            seedRankStreams()
            return
        }
        for (key, stream) in streams {
            let raw = metadata[Self.rankStreamKey(parallel.rank, key)]!
            guard let state = TrainingCheckpoint.decode(raw) else {
                throw FileError(file: file, problem: "rank \(parallel.rank)'s random state of \(key) '\(raw.prefix(80))' is not four 64-bit words")
            }
            stream.generator = RandomGenerator(state: state)
        }
    }

    /// A checksum of G's and D's weights (and the EMA copy's), bit for bit,
    /// then of their buffers that every rank keeps alike (spectral
    /// normalisation's vectors; BatchNorm's running statistics only with
    /// `syncBatchNorm`, since each rank's otherwise follow its own batches).
    public func weightChecksum() -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ tensor: Tensor) {
            tensor.withUnsafeBufferPointer { values in
                for value in values { hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3 }
            }
        }
        let modules: [Module] = [generator, discriminator] + (emaGenerator.map { [$0] } ?? [])
        for module in modules {
            for (_, parameter) in module.namedParameters() { add(parameter.value) }
        }
        for module in modules {
            for (_, layer) in module.namedModules() where !(layer is BatchNorm) || config.training.syncBatchNorm {
                for (_, buffer) in layer.localBuffers { add(buffer.value) }
            }
        }
        return hash
    }

    /// Compares the ranks' weight checksums (a collective).
    /// - Throws: `DistributedError` on every rank, naming the step and the checksums, when any differ.
    /// - Returns: the common checksum.
    @discardableResult
    public func checkWeightsAgree() throws -> UInt64 {
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
