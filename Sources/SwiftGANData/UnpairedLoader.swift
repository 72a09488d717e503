import SwiftGANTensor

/// Batches of unpaired images: each step draws `batchSize` images of A and
/// `batchSize` of B, independently, as CycleGAN's unaligned loader does.
///
/// An epoch is `max(countA, countB) / batchSize` steps; each domain's order
/// in it is a concatenation of fresh permutations (so the smaller domain is
/// seen more than once), with a random crop (when stored larger) and flip
/// per drawn image, all a function of `(seed, epoch)` only. A resumed run
/// that restores `position` sees the same batches. In data-parallel
/// training each rank takes its `shard` of every global batch of
/// `batchSize * shard.count` images per domain, as `DataLoader` does.
public final class UnpairedLoader: @unchecked Sendable {
    public struct Batch: Sendable {
        /// `[B] + dataset.shapeA`.
        public var a: Tensor
        /// `[B] + dataset.shapeB`.
        public var b: Tensor
    }

    public let dataset: UnpairedDataset
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
                "UnpairedLoader: position \(position) is outside an epoch of \(batchesPerEpoch) batches")
        }
    }
    private var plan: (epoch: Int, a: Draws, b: Draws)?

    /// One domain's draws in an epoch: image indices and their augmentations.
    struct Draws {
        var order: [Int]
        var augmentations: [PairedLoader.Augmentation]
    }

    /// - Precondition: `0 < batchSize * shard.count <= min(countA, countB)`.
    public init(_ dataset: UnpairedDataset, batchSize: Int, horizontalFlip: Bool, seed: UInt64, shard: BatchShard = .whole) {
        require(
            batchSize > 0 && batchSize * shard.count <= Swift.min(dataset.countA, dataset.countB),
            "UnpairedLoader: batch size \(batchSize) x \(shard.count) ranks for \(dataset.countA) and \(dataset.countB) images")
        self.shard = shard
        self.dataset = dataset
        self.batchSize = batchSize
        self.horizontalFlip = horizontalFlip
        self.seed = seed
        position = DataLoader.Position(epoch: 0, step: 0)
    }

    /// Global batches per epoch.
    public var batchesPerEpoch: Int { Swift.max(dataset.countA, dataset.countB) / (batchSize * shard.count) }

    /// Domain `domain`'s (0: A, 1: B) draws in `epoch`.
    func draws(epoch: Int, domain: UInt64, count: Int, images: ImageArray) -> Draws {
        var random = RandomGenerator(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1) &+ domain &* 0xD1B5_4A32_D192_ED03)
        let length = batchesPerEpoch * batchSize * shard.count
        var order: [Int] = []
        order.reserveCapacity(length + count)
        while order.count < length { order += random.permutation(count) }
        order.removeLast(order.count - length)
        let slackHeight = dataset.cropSize.map { images.shape[2] - $0 } ?? 0
        let slackWidth = dataset.cropSize.map { images.shape[3] - $0 } ?? 0
        let augmentations = (0..<length).map { _ in
            PairedLoader.Augmentation(
                top: slackHeight > 0 ? Int(random.next() % UInt64(slackHeight + 1)) : 0,
                left: slackWidth > 0 ? Int(random.next() % UInt64(slackWidth + 1)) : 0,
                flip: horizontalFlip && random.next() & 1 == 1)
        }
        return Draws(order: order, augmentations: augmentations)
    }

    /// The next batch of each domain.
    public func next() -> Batch {
        let epoch = position.epoch
        if plan?.epoch != epoch {
            plan = (
                epoch, draws(epoch: epoch, domain: 0, count: dataset.countA, images: dataset.imagesA),
                draws(epoch: epoch, domain: 1, count: dataset.countB, images: dataset.imagesB)
            )
        }
        let start = (position.step * shard.count + shard.index) * batchSize
        let slots = start..<(start + batchSize)
        func batch(_ draws: Draws, _ images: ImageArray) -> Tensor {
            images.crops(Array(draws.order[slots]), windows: Array(draws.augmentations[slots]), size: dataset.cropSize)
        }
        let result = withoutGradients { Batch(a: batch(plan!.a, dataset.imagesA), b: batch(plan!.b, dataset.imagesB)) }
        var next = position
        next.step += 1
        if next.step == batchesPerEpoch { next = DataLoader.Position(epoch: next.epoch + 1, step: 0) }
        position = next
        return result
    }
}
