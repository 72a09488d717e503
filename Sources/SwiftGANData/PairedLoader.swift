import SwiftGANTensor

/// Batches of pairs, reshuffled every epoch from `(seed, epoch)` like
/// `DataLoader`, with the same random crop (when the dataset is stored
/// larger for jitter) and the same horizontal flip applied to both images
/// of a pair. A resumed run that restores `position` sees the same batches.
/// In data-parallel training each rank takes its `shard` of every global
/// batch of `batchSize * shard.count` pairs, as `DataLoader` does.
public final class PairedLoader: @unchecked Sendable {
    public struct Batch: Sendable {
        /// `[B] + dataset.inputShape`.
        public var inputs: Tensor
        /// `[B] + dataset.outputShape`.
        public var targets: Tensor
        public var labels: [Int]
    }

    public let dataset: PairedDataset
    public let batchSize: Int
    public let horizontalFlip: Bool
    public let seed: UInt64
    /// This rank's part of each global batch (`.whole` in one process).
    public let shard: BatchShard
    /// The epoch and the index of the next batch in it; set it to resume.
    public var position: DataLoader.Position {
        didSet {
            require(
                position.epoch >= 0 && position.step >= 0 && position.step < batchesPerEpoch,
                "PairedLoader: position \(position) is outside an epoch of \(batchesPerEpoch) batches")
        }
    }

    /// Drops the last incomplete batch of each epoch.
    /// - Precondition: `0 < batchSize * shard.count <= dataset.count`.
    public init(_ dataset: PairedDataset, batchSize: Int, horizontalFlip: Bool, seed: UInt64, shard: BatchShard = .whole) {
        require(
            batchSize > 0 && batchSize * shard.count <= dataset.count,
            "PairedLoader: batch size \(batchSize) x \(shard.count) ranks for \(dataset.count) pairs")
        self.shard = shard
        self.dataset = dataset
        self.batchSize = batchSize
        self.horizontalFlip = horizontalFlip
        self.seed = seed
        position = DataLoader.Position(epoch: 0, step: 0)
    }

    /// Global batches per epoch.
    public var batchesPerEpoch: Int { dataset.count / (batchSize * shard.count) }

    /// One example's augmentation: crop offsets and whether it is mirrored.
    struct Augmentation: Equatable {
        var top: Int, left: Int, flip: Bool
    }

    /// The order and augmentations of an epoch, a function of `(seed, epoch)` only.
    func epochPlan(_ epoch: Int) -> (order: [Int], augmentations: [Augmentation]) {
        var random = RandomGenerator(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1))
        let order = random.permutation(dataset.count)
        let slack = dataset.cropSize.map { dataset.targetImages.shape[2] - $0 } ?? 0
        let augmentations = (0..<dataset.count).map { _ in
            Augmentation(
                top: slack > 0 ? Int(random.next() % UInt64(slack + 1)) : 0,
                left: slack > 0 ? Int(random.next() % UInt64(slack + 1)) : 0,
                flip: horizontalFlip && random.next() & 1 == 1)
        }
        return (order, augmentations)
    }

    public func next() -> Batch {
        let (order, augmentations) = epochPlan(position.epoch)
        let start = (position.step * shard.count + shard.index) * batchSize
        let members = Array(order[start..<(start + batchSize)])
        let chosen = members.map { augmentations[$0] }
        let batch = withoutGradients {
            Batch(
                inputs: dataset.inputImages.crops(members, windows: chosen, size: dataset.cropSize),
                targets: dataset.targetImages.crops(members, windows: chosen, size: dataset.cropSize),
                labels: members.map { dataset.labels[$0] })
        }
        var next = position
        next.step += 1
        if next.step == batchesPerEpoch { next = DataLoader.Position(epoch: next.epoch + 1, step: 0) }
        position = next
        return batch
    }
}
