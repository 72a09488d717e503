import SwiftGANTensor
import Testing

@testable import SwiftGANData

/// Data-parallel sharding: K loaders, one per rank, together give exactly
/// the batches of one loader with the global batch, across epochs and
/// after a resume, with the same flips.
@Suite("Sharded data loader")
struct ShardedLoaderTests {
    /// Image i holds i + 0.01 * column (so a flip shows); label i % 5.
    func dataset(_ count: Int) -> ImageDataset {
        let values = (0..<count).flatMap { index in (0..<6).map { Float(index) + 0.01 * Float($0 % 3) } }
        return ImageDataset(images: Tensor(values, shape: [count, 1, 2, 3]), labels: (0..<count).map { $0 % 5 }, classNames: ["a", "b", "c", "d", "e"])
    }

    @Test(arguments: [2, 3])
    func ranksTogetherSeeTheGlobalBatches(ranks: Int) {
        let data = dataset(50)
        let whole = DataLoader(data, batchSize: 4 * ranks, dropLast: true, horizontalFlip: true, seed: 11)
        let shards = (0..<ranks).map {
            DataLoader(data, batchSize: 4, dropLast: true, horizontalFlip: true, seed: 11, shard: BatchShard(index: $0, count: ranks))
        }
        #expect(shards.allSatisfy { $0.batchesPerEpoch == whole.batchesPerEpoch })
        // Three epochs and a bit, crossing the epoch boundaries.
        for step in 0..<(3 * whole.batchesPerEpoch + 2) {
            let expected = whole.next()
            let parts = shards.map { $0.next() }
            #expect(concat(parts.map(\.images), axis: 0).scalars == expected.images.scalars, "step \(step)")
            #expect(parts.flatMap(\.labels) == expected.labels, "step \(step)")
            #expect(parts.allSatisfy { $0.position == expected.position })
        }
        // A resumed shard continues where the whole loader is.
        let resumed = DataLoader(data, batchSize: 4, dropLast: true, horizontalFlip: true, seed: 11, shard: BatchShard(index: ranks - 1, count: ranks))
        resumed.position = whole.position
        let expected = whole.next()
        #expect(resumed.next().images.scalars == expected.images.slice(axis: 0, start: 4 * (ranks - 1), end: 4 * ranks).scalars)
    }

    @Test func shardsCutPerExampleDrawsFromTheGlobalBatch() {
        var global = RandomGenerator(seed: 3)
        let all = Tensor.normal([6, 2], random: &global)
        for index in 0..<3 {
            var random = RandomGenerator(seed: 3)
            let rows = BatchShard(index: index, count: 3).rows(2) { Tensor.normal([$0, 2], random: &random) }
            #expect(rows.scalars == all.slice(axis: 0, start: 2 * index, end: 2 * index + 2).scalars)
            #expect(random == global, "every rank's stream advances as the global draw's")
            #expect(BatchShard(index: index, count: 3).values(2) { Array(0..<$0) } == [2 * index, 2 * index + 1])
        }
        var random = RandomGenerator(seed: 3)
        #expect(BatchShard.whole.rows(6) { Tensor.normal([$0, 2], random: &random) }.scalars == all.scalars)
    }
}
