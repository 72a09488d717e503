import SwiftGANTensor
import Testing

@testable import SwiftGANTraining

/// Rank 0 of a simulated two-rank job: the other rank's contribution to
/// each sum is `peer(call, values)`; every call is recorded.
final class SimulatedPeer: Communicator {
    var rank: Int { 0 }
    var size: Int { 2 }
    var calls: [Int] = []
    let peer: (Int, [Float]) -> [Float]

    init(peer: @escaping (Int, [Float]) -> [Float]) { self.peer = peer }

    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        let theirs = peer(calls.count, Array(values))
        calls.append(values.count)
        for index in values.indices { values[index] += theirs[index] }
    }
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {}
    func allReduceMax(_ values: UnsafeMutableBufferPointer<UInt64>) throws {}
    func broadcast(_ bytes: UnsafeMutableRawBufferPointer, root: Int) throws {}
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { [bytes, bytes] }
    func gather(_ bytes: [UInt8], root: Int) throws -> [[UInt8]] { [bytes, bytes] }
}

@Suite("Data-parallel averaging")
struct DataParallelTests {
    /// Gradients of 3, 7 and 2 values, the loss and two scalars, averaged in buckets of `bucket` values.
    func average(bucket: Int, stopHere: Bool, peerStops: Bool) throws -> (DataParallel, SimulatedPeer, [Tensor], Float, [String: Float]) {
        // The peer holds three times this rank's values (and its own stop flag).
        let communicator = SimulatedPeer { call, values in
            var theirs = values.map { $0 * 3 }
            if call == 0 { theirs[0] = peerStops ? 1 : 0 }
            return theirs
        }
        let parallel = DataParallel(communicator)
        parallel.bucketSize = bucket
        parallel.localStopRequest = { stopHere }
        var gradients = [Tensor([1, 2, 3]), Tensor((1...7).map(Float.init), shape: [7, 1]), Tensor([-1, 0.5])]
        var loss: Float = 0.25
        var scalars: [String: Float] = ["score/real": 0.5, "score/fake": -2]
        try parallel.average(gradients: &gradients, loss: &loss, scalars: &scalars)
        return (parallel, communicator, gradients, loss, scalars)
    }

    @Test(arguments: [64, 8, 5, 4])
    func averagesGradientsLossAndScalarsInBuckets(bucket: Int) throws {
        let (parallel, communicator, gradients, loss, scalars) = try average(bucket: bucket, stopHere: false, peerStops: false)
        // (x + 3x) / 2 = 2x for every value.
        #expect(gradients[0].scalars == [2, 4, 6])
        #expect(gradients[1].scalars == (1...7).map { Float(2 * $0) } && gradients[1].shape == [7, 1])
        #expect(gradients[2].scalars == [-2, 1])
        #expect(loss == 0.5 && scalars == ["score/real": 1, "score/fake": -4])
        #expect(!parallel.stopRequested)
        // Every value (4 extras: stop flag, loss, 2 scalars; 12 gradient values) is summed exactly once.
        #expect(communicator.calls.reduce(0, +) == 16, "\(communicator.calls)")
        #expect(communicator.calls.allSatisfy { $0 <= Swift.max(bucket, 4) }, "\(communicator.calls)")
        if bucket >= 16 { #expect(communicator.calls == [16], "one call when everything fits") }
        #expect(parallel.reducedBytes == 16 * 4)
    }

    @Test func anyRanksStopRequestIsAgreed() throws {
        #expect(try average(bucket: 64, stopHere: true, peerStops: false).0.stopRequested)
        #expect(try average(bucket: 5, stopHere: false, peerStops: true).0.stopRequested)
        #expect(try !average(bucket: 5, stopHere: false, peerStops: false).0.stopRequested)
    }

    @Test func agreementNamesTheRanksThatFailed() throws {
        // A two-rank gather in which both ranks report (the simulated peer echoes this rank).
        let parallel = DataParallel(SimulatedPeer { _, values in values })
        #expect(throws: Never.self) { try parallel.communicator.agree(nil) }
        #expect {
            try parallel.communicator.agree("no data here")
        } throws: { error in
            "\(error)" == "rank 0: no data here\nrank 1: no data here"
        }
    }
}
