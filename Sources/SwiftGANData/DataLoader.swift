import Dispatch
import SwiftGANTensor

/// Batches from an in-memory dataset: reshuffled every epoch from a seeded
/// generator, optional drop-last and random horizontal flips, with the next
/// batch assembled on a background thread while the current step runs.
///
/// The order depends only on `(seed, epoch)`, so a run resumed from a saved
/// `position` sees exactly the batches it would have seen.
///
/// In data-parallel training each rank's loader takes its `shard` of every
/// global batch of `batchSize * shard.count` examples (the epoch's order is
/// the same on every rank), so K ranks together see exactly the batches
/// one loader with the global batch size sees.
///
/// ```swift
/// let loader = DataLoader(dataset, batchSize: 64, seed: 1)
/// for _ in 0..<steps {
///     let batch = loader.next()      // batch.images [64, C, H, W], batch.labels
///     ...
/// }
/// let saved = loader.position         // store in the checkpoint; later: loader.position = saved
/// ```
public final class DataLoader: @unchecked Sendable {
    /// Where the loader is: the epoch and the index of the next batch in it.
    public struct Position: Equatable, Sendable, Codable {
        public var epoch: Int
        public var step: Int

        public init(epoch: Int, step: Int) {
            self.epoch = epoch
            self.step = step
        }
    }

    /// One batch and where it came from.
    public struct Batch: Sendable {
        /// `[B, C, H, W]`.
        public var images: Tensor
        /// One class index per image.
        public var labels: [Int]
        /// The epoch and step of this batch.
        public var position: Position
    }

    public let dataset: ImageDataset
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let horizontalFlip: Bool
    public let seed: UInt64
    /// This rank's part of each global batch (`.whole` in one process).
    public let shard: BatchShard

    private var current: Position
    private var pending: (position: Position, result: PendingBatch)?
    private let queue = DispatchQueue(label: "SwiftGAN.DataLoader")

    /// - Precondition: `batchSize > 0` and, with `dropLast`, the global batch
    ///   (`batchSize * shard.count`) at most the dataset size; a shard of
    ///   more than one rank needs `dropLast` (every rank gets a full batch).
    public init(
        _ dataset: ImageDataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
        horizontalFlip: Bool = false, seed: UInt64, shard: BatchShard = .whole
    ) {
        require(batchSize > 0, "DataLoader: batchSize \(batchSize) must be positive")
        require(dataset.count > 0, "DataLoader: the dataset is empty")
        require(dropLast || shard.count == 1, "DataLoader: a shard of \(shard.count) ranks needs dropLast")
        require(
            !dropLast || batchSize * shard.count <= dataset.count,
            "DataLoader: batch size \(batchSize) x \(shard.count) ranks exceeds the dataset's \(dataset.count) examples with dropLast")
        self.shard = shard
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.horizontalFlip = horizontalFlip
        self.seed = seed
        current = Position(epoch: 0, step: 0)
    }

    /// Batches per epoch (global batches: each rank takes its shard of each).
    public var batchesPerEpoch: Int {
        let global = batchSize * shard.count
        return dropLast ? dataset.count / global : (dataset.count + global - 1) / global
    }

    /// The position of the next batch; set it to resume.
    public var position: Position {
        get { current }
        set {
            require(
                newValue.epoch >= 0 && newValue.step >= 0 && newValue.step < batchesPerEpoch,
                "DataLoader: position \(newValue) is outside an epoch of \(batchesPerEpoch) batches")
            current = newValue
            pending = nil
        }
    }

    /// The next batch (waiting for the background thread if it is not ready yet).
    public func next() -> Batch {
        let batch: Batch
        if let pending, pending.position == current {
            batch = pending.result.wait()
        } else {
            batch = Self.assemble(plan: plan, at: current)
        }
        current.step += 1
        if current.step == batchesPerEpoch {
            current.epoch += 1
            current.step = 0
        }
        let upcoming = current
        let plan = self.plan
        let result = PendingBatch()
        // The prefetch runs in the caller's execution context (GCD does not carry task-local values).
        let context = ExecutionContext.current
        queue.async { ExecutionContext.run(context) { result.fulfil(Self.assemble(plan: plan, at: upcoming)) } }
        pending = (upcoming, result)
        return batch
    }

    // MARK: Assembly (a pure function of the plan and the position)

    struct Plan: Sendable {
        var dataset: ImageDataset
        var batchSize: Int
        var shuffle: Bool
        var horizontalFlip: Bool
        var seed: UInt64
        var shard: BatchShard
    }

    private var plan: Plan {
        Plan(dataset: dataset, batchSize: batchSize, shuffle: shuffle, horizontalFlip: horizontalFlip, seed: seed, shard: shard)
    }

    /// The example order and flip decisions of an epoch.
    static func epochOrder(_ plan: Plan, epoch: Int) -> (order: [Int], flips: [Bool]) {
        // One generator per epoch, derived from (seed, epoch): resuming needs no replay.
        var random = RandomGenerator(seed: plan.seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1))
        let order = plan.shuffle ? random.permutation(plan.dataset.count) : Array(0..<plan.dataset.count)
        let flips = plan.horizontalFlip ? (0..<plan.dataset.count).map { _ in random.next() & 1 == 1 } : []
        return (order, flips)
    }

    static func assemble(plan: Plan, at position: Position) -> Batch {
        let (order, flips) = epochOrder(plan, epoch: position.epoch)
        let start = (position.step * plan.shard.count + plan.shard.index) * plan.batchSize
        let members = Array(order[start..<Swift.min(start + plan.batchSize, order.count)])
        var images = plan.dataset.images(at: members)
        if plan.horizontalFlip {
            let (height, width) = (images.shape[2], images.shape[3])
            let planeSize = images.shape[1] * height
            images.withUnsafeMutableBufferPointer { values in
                for row in members.indices where flips[start + row] {
                    for line in 0..<planeSize {
                        let base = (row * planeSize + line) * width
                        for column in 0..<(width / 2) { values.swapAt(base + column, base + width - 1 - column) }
                    }
                }
            }
        }
        return Batch(images: images, labels: members.map { plan.dataset.labels[$0] }, position: position)
    }
}

/// A batch being assembled on the loader's queue.
final class PendingBatch: @unchecked Sendable {
    private let ready = DispatchSemaphore(value: 0)
    private var batch: DataLoader.Batch?

    func fulfil(_ value: DataLoader.Batch) {
        batch = value
        ready.signal()
    }

    func wait() -> DataLoader.Batch {
        ready.wait()
        ready.signal()  // stay ready for another wait
        return batch!
    }
}

/// `for batch in loader`: one epoch, as a PyTorch `DataLoader` gives, from
/// the current position to the end of its epoch (`next()` goes on across
/// epochs for step-counted training).
extension DataLoader: Sequence {
    /// The rest of the current epoch's batches.
    public struct EpochIterator: IteratorProtocol {
        let loader: DataLoader
        var remaining: Int

        public mutating func next() -> Batch? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            return loader.next()
        }
    }

    public func makeIterator() -> EpochIterator { EpochIterator(loader: self, remaining: batchesPerEpoch - position.step) }

    public var underestimatedCount: Int { batchesPerEpoch - position.step }
}
