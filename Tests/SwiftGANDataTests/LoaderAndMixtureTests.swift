import Foundation
import SwiftGANTensor
import Testing

@testable import SwiftGANData

@Suite("2D mixtures")
struct MixtureTests {
    @Test(arguments: [Mixture2D.ring8, .grid25])
    func perModeMeansAndDeviations(_ mixture: Mixture2D) {
        var random = RandomGenerator(seed: 1)
        let (points, modes) = mixture.sample(20000, random: &random)
        let values = points.scalars
        #expect(mixture.modes.count == (mixture == .ring8 ? 8 : 25))
        for (index, centre) in mixture.modes.enumerated() {
            let members = modes.indices.filter { modes[$0] == index }
            // Uniform over modes: each has about 20000 / modes samples.
            #expect(Double(members.count) > 0.8 * 20000 / Double(mixture.modes.count))
            for (axis, target) in [centre.x, centre.y].enumerated() {
                let coordinates = members.map { Double(values[2 * $0 + axis]) }
                let mean = coordinates.reduce(0, +) / Double(coordinates.count)
                let deviation = (coordinates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(coordinates.count)).squareRoot()
                #expect(Swift.abs(mean - Double(target)) < 4 * Double(mixture.standardDeviation) / Double(coordinates.count).squareRoot() + 1e-6)
                #expect(Swift.abs(deviation / Double(mixture.standardDeviation) - 1) < 0.1)
            }
        }
    }

    @Test func ringModesAndShapes() {
        let modes = Mixture2D.ring8.modes
        #expect(Swift.abs(modes[2].x) < 1e-6 && Swift.abs(modes[2].y - 1) < 1e-6)
        #expect(Mixture2D.grid25.modes.contains { $0.x == -4 && $0.y == 4 })
        var random = RandomGenerator(seed: 2)
        let spiral = Mixture2D.spiral.sample(500, random: &random).points
        #expect(spiral.shape == [500, 2] && spiral.abs().max().item < 3)
        let moons = Mixture2D.moons.sample(500, random: &random)
        #expect(Set(moons.modeIndices) == [0, 1])
        var sampler = MixtureSampler(.ring8, seed: 3)
        var again = MixtureSampler(.ring8, seed: 3)
        #expect(sampler.next(10) == again.next(10) && sampler.next(5) != Mixture2D.ring8.sample(5, random: &random).points)
        let dataset = Mixture2D.grid25.dataset(count: 100, seed: 4)
        #expect(dataset.images.shape == [100, 1, 1, 2] && dataset.classCount == 25)
    }
}

@Suite("Data loader")
struct DataLoaderTests {
    func dataset(_ count: Int) -> ImageDataset {
        // Image i is filled with the value i; its label is i % 3.
        let values = (0..<count).flatMap { index in [Float](repeating: Float(index), count: 6) }
        return ImageDataset(
            images: Tensor(values, shape: [count, 1, 2, 3]), labels: (0..<count).map { $0 % 3 },
            classNames: ["a", "b", "c"])
    }

    func ids(_ batch: DataLoader.Batch) -> [Int] {
        stride(from: 0, to: batch.images.count, by: 6).map { Int(batch.images.scalars[$0]) }
    }

    @Test func epochsCoverEveryExampleOnceInSeededOrder() {
        let loader = DataLoader(dataset(10), batchSize: 4, seed: 7)
        #expect(loader.batchesPerEpoch == 3)
        var epoch0: [Int] = []
        var epoch1: [Int] = []
        for _ in 0..<3 { epoch0 += ids(loader.next()) }
        for _ in 0..<3 { epoch1 += ids(loader.next()) }
        #expect(epoch0.sorted() == Array(0..<10) && epoch1.sorted() == Array(0..<10))
        #expect(epoch0 != epoch1, "reshuffled every epoch")
        #expect(epoch0 != Array(0..<10))
        let same = DataLoader(dataset(10), batchSize: 4, seed: 7)
        var replay: [Int] = []
        for _ in 0..<3 { replay += ids(same.next()) }
        #expect(replay == epoch0, "same seed, same order")
        let batch = DataLoader(dataset(10), batchSize: 4, shuffle: false, seed: 7).next()
        #expect(ids(batch) == [0, 1, 2, 3] && batch.labels == [0, 1, 2, 0])
    }

    @Test func dropLastAndPositions() {
        let loader = DataLoader(dataset(10), batchSize: 4, dropLast: true, seed: 1)
        #expect(loader.batchesPerEpoch == 2)
        let sizes = (0..<4).map { _ in loader.next().images.shape[0] }
        #expect(sizes == [4, 4, 4, 4])
        #expect(loader.position == DataLoader.Position(epoch: 2, step: 0))
        let partial = DataLoader(dataset(10), batchSize: 4, seed: 1)
        #expect((0..<3).map { _ in partial.next().images.shape[0] } == [4, 4, 2])
    }

    @Test func exactResume() {
        let straight = DataLoader(dataset(9), batchSize: 2, horizontalFlip: true, seed: 11)
        let reference = (0..<12).map { _ in straight.next() }
        let first = DataLoader(dataset(9), batchSize: 2, horizontalFlip: true, seed: 11)
        for _ in 0..<7 { _ = first.next() }
        let saved = first.position
        let encoded = try! JSONEncoder().encode(saved)
        let resumed = DataLoader(dataset(9), batchSize: 2, horizontalFlip: true, seed: 11)
        resumed.position = try! JSONDecoder().decode(DataLoader.Position.self, from: encoded)
        for index in 7..<12 {
            let batch = resumed.next()
            #expect(batch.images == reference[index].images && batch.labels == reference[index].labels)
            #expect(batch.position == reference[index].position)
        }
    }

    @Test func horizontalFlip() {
        let image = Tensor([1, 2, 3, 4, 5, 6], shape: [1, 1, 2, 3])
        let single = ImageDataset(images: image, labels: [0], classNames: ["x"])
        let loader = DataLoader(single, batchSize: 1, horizontalFlip: true, seed: 3)
        var seen = Set<[Float]>()
        for _ in 0..<40 { seen.insert(loader.next().images.scalars) }
        #expect(seen == [[1, 2, 3, 4, 5, 6], [3, 2, 1, 6, 5, 4]])
    }
}
