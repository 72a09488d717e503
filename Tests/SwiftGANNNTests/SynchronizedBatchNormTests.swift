import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANNN

/// Synchronized BatchNorm (`--sync-batchnorm` under mpirun): with one
/// replica it is BatchNorm; over replicas it normalises with the global
/// batch's statistics, and its gradients pass finite differences.
@Suite("Synchronized BatchNorm")
struct SynchronizedBatchNormTests {
    func layer(_ features: Int) -> BatchNorm2d {
        let layer = BatchNorm2d(features)
        var random = RandomGenerator(seed: 5)
        layer.weight!.assign(Tensor.uniform([features], low: 0.5, high: 1.5, random: &random))
        layer.bias!.assign(Tensor.uniform([features], low: -0.5, high: 0.5, random: &random))
        return layer
    }

    @Test func oneReplicaIsBatchNorm() {
        var random = RandomGenerator(seed: 1)
        let x = Tensor.normal([4, 3, 2, 2], random: &random).requiringGradient()
        let plain = layer(3)
        let synchronized = layer(3)
        synchronized.synchronization = (1, { _ in })
        let (a, b) = (plain(x), synchronized(x))
        assertClose(b, a, rtol: 1e-5, atol: 1e-5, "output")
        let upstream = Tensor.normal([4, 3, 2, 2], random: &random)
        let ga = gradients(of: (a * upstream).sum(), withRespectTo: [x, plain.weight!.value, plain.bias!.value])
        let gb = gradients(of: (b * upstream).sum(), withRespectTo: [x, synchronized.weight!.value, synchronized.bias!.value])
        for (index, (expected, actual)) in zip(ga, gb).enumerated() { assertClose(actual, expected, rtol: 1e-4, atol: 1e-5, "gradient \(index)") }
        assertClose(synchronized.runningMean!.value, plain.runningMean!.value, rtol: 1e-5, atol: 1e-6, "running mean")
        assertClose(synchronized.runningVar!.value, plain.runningVar!.value, rtol: 1e-5, atol: 1e-6, "running variance")
    }

    @Test func replicasShareTheGlobalStatistics() {
        // Two replicas whose batches are x and x + 1: the global mean is mean(x) + 0.5 on each.
        var random = RandomGenerator(seed: 2)
        let x = Tensor.normal([4, 2, 3, 3], random: &random)
        let other = x + 1
        let synchronized = layer(2)
        let plain = layer(2)
        let global = plain(concat([x, other], axis: 0)).slice(axis: 0, start: 0, end: 4)
        let otherSums = Self.otherReplicaSums(other)
        var call = 0
        synchronized.synchronization = (
            2,
            { values in
                let extra = otherSums(call, values)
                for index in values.indices { values[index] += extra[index] }
                call += 1
            }
        )
        assertClose(synchronized(x), global, rtol: 1e-4, atol: 1e-4, "x normalised with the statistics of both batches")
    }

    /// The other replica's per-channel sums at each call: its sum, then its
    /// squared deviations from the mean the first call established.
    static func otherReplicaSums(_ other: Tensor) -> (Int, UnsafeMutableBufferPointer<Float>) -> [Float] {
        var mean: Tensor?
        return { call, mine in
            let axes = [0, 2, 3]
            if call == 0 {
                let sum = other.sum(axes: axes, keepDims: true)
                let total = Float(other.count / other.shape[1] * 2)
                mean = (sum + Tensor(Array(mine), shape: sum.shape)) / total
                return sum.scalars
            }
            let centred = other - mean!
            return (centred * centred).sum(axes: axes, keepDims: true).scalars
        }
    }

    @Test func gradientsPassFiniteDifferences() {
        var random = RandomGenerator(seed: 3)
        let x = Tensor.normal([3, 2, 2, 2], random: &random)
        let synchronized = layer(2)
        // Three identical replicas: each sum is three times this one's.
        synchronized.synchronization = (
            3,
            { values in
                for index in values.indices { values[index] *= 3 }
            }
        )
        let found = GradientCheck().mismatches([x]) { synchronized($0[0]).tanh() }
        #expect(found.isEmpty, "\(found.prefix(3))")
    }
}
