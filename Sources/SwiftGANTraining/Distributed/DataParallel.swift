import Dispatch
import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Data-parallel training over a `Communicator`: every rank holds full
/// copies of the networks and trains on its own shard of each global batch;
/// after each update's backward pass the gradients are averaged over the
/// ranks (so every rank applies the same update and the weights stay
/// identical), together with the update's loss, its logged scalars and
/// whether any rank was asked to stop.
///
/// The gradients travel in flat float buckets of at most `bucketSize`
/// values, one `allReduceSum` call each (not one per tensor); the first
/// bucket carries the scalars.
public final class DataParallel {
    public let communicator: Communicator
    /// Values per bucket (4 M floats, 16 MB, by default).
    public var bucketSize = 1 << 22
    /// Whether this process was asked to stop (its signal flag), polled at each reduction.
    public var localStopRequest: () -> Bool = { false }
    /// Whether any rank was asked to stop, as of the last reduction: the
    /// same on every rank, so all pause at the same update.
    public private(set) var stopRequested = false
    /// Bytes summed and seconds spent in reductions so far (for the scaling report).
    public private(set) var reducedBytes = 0
    public private(set) var reductionSeconds = 0.0
    public private(set) var reductions = 0
    /// The flat buffer of the reductions, reused.
    private var storedBucket: [Float] = []
    /// Steps between the checks that every rank holds the same weights (and the last step).
    public var checkWeightsEvery = 100
    /// The weights' common checksum at the last step, once checked.
    public internal(set) var finalChecksum: UInt64?
    /// What identifies the tool's build (version and executable), compared across ranks at the start.
    public var build = ""

    /// The settings of this object that change which collectives run, compared across ranks at the start.
    var settings: String { "check weights every \(checkWeightsEvery) steps" }

    public init(_ communicator: Communicator) {
        self.communicator = communicator
    }

    /// Forgets an agreed stop (after the run it stopped).
    func resetStopRequest() { stopRequested = false }

    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }
    /// This rank's part of every global batch.
    public var shard: BatchShard { BatchShard(index: rank, count: size) }

    /// Averages `gradients`, `loss` and `scalars` over the ranks, in place,
    /// and agrees on `stopRequested`. Every rank must pass the same
    /// gradient shapes and scalar names (the same update of the same model).
    public func average(gradients: inout [Tensor], loss: inout Float, scalars: inout [String: Float]) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        defer {
            reductionSeconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            reductions += 1
        }
        let names = scalars.keys.sorted()
        let extras: [Float] = [localStopRequest() ? 1 : 0, loss] + names.map { scalars[$0]! }
        let total = extras.count + gradients.reduce(0) { $0 + $1.count }
        // The bucket is kept between calls: a fresh 16 MB array costs its page faults on every update.
        let capacity = Swift.min(Swift.max(bucketSize, extras.count), total)
        if storedBucket.count != capacity { storedBucket = [Float](repeating: 0, count: capacity) }
        var bucket = storedBucket
        storedBucket = []
        defer { storedBucket = bucket }
        bucket.replaceSubrange(0..<extras.count, with: extras)
        var filled = extras.count
        var members: [(index: Int, offset: Int)] = []
        var reducedExtras: [Float]?
        let scale = 1 / Float(size)
        var averaged = gradients

        func reduce(_ values: inout [Float], _ range: Range<Int>) throws {
            try values.withUnsafeMutableBufferPointer { try communicator.allReduceSum(UnsafeMutableBufferPointer(rebasing: $0[range])) }
            reducedBytes += range.count * MemoryLayout<Float>.size
        }
        func flush() throws {
            try reduce(&bucket, 0..<filled)
            if reducedExtras == nil { reducedExtras = Array(bucket[0..<extras.count]) }
            bucket.withUnsafeBufferPointer { values in
                for (index, offset) in members {
                    let shape = gradients[index].shape
                    let part = UnsafeBufferPointer(rebasing: values[offset..<(offset + gradients[index].count)])
                    averaged[index] = Tensor(shape: shape, copying: part, scale: scale)
                }
            }
            members.removeAll(keepingCapacity: true)
            filled = 0
        }

        for (index, gradient) in gradients.enumerated() {
            if gradient.count > bucket.count - filled && (filled > 0 || reducedExtras == nil) { try flush() }
            guard gradient.count <= bucket.count - filled else {
                // Larger than a bucket: reduced on its own, in bucket-sized parts.
                var values = gradient.scalars
                for start in stride(from: 0, to: values.count, by: bucket.count) {
                    try reduce(&values, start..<Swift.min(start + bucket.count, values.count))
                }
                averaged[index] = values.withUnsafeBufferPointer { Tensor(shape: gradient.shape, copying: $0, scale: scale) }
                continue
            }
            gradient.withUnsafeBufferPointer { source in
                bucket.withUnsafeMutableBufferPointer { target in
                    UnsafeMutableBufferPointer(rebasing: target[filled..<(filled + source.count)]).update(fromContentsOf: source)
                }
            }
            members.append((index, filled))
            filled += gradient.count
        }
        if filled > 0 || reducedExtras == nil { try flush() }
        gradients = averaged
        let summed = reducedExtras!
        stopRequested = summed[0] > 0
        loss = summed[1] * scale
        for (offset, name) in names.enumerated() { scalars[name] = summed[2 + offset] * scale }
    }
}

extension DataParallel {
    /// Makes every BatchNorm in `modules` normalise over the global batch
    /// (`--sync-batchnorm`). A collective that fails inside a forward pass
    /// ends the process with its message (the launcher then ends the job).
    public func synchronizeBatchNorm(in modules: [Module]) {
        let communicator = self.communicator
        let sum: CrossReplicaSum = { values in
            do { try communicator.allReduceSum(values) } catch { fatalError("synchronized BatchNorm: \(error)") }
        }
        for module in modules {
            for (_, layer) in module.namedModules() {
                if let batchNorm = layer as? BatchNorm { batchNorm.synchronization = (size, sum) }
            }
        }
    }

    /// Checks that every rank runs the same build (`build`, set by the tool)
    /// with the same `settings` (the encoded configuration, one `key: value`
    /// per line): rank 0 sends its own and each rank compares (a collective).
    /// - Throws: `DistributedError` on every rank, naming each rank that differs and its first differing line.
    public func checkAgreement(build: String, settings: [UInt8], what: String = "configuration") throws {
        guard size > 1 else { return }
        let mine = Array(build.utf8) + [0] + settings
        let root = try communicator.broadcast(bytes: rank == 0 ? mine : [])
        var problem: String?
        if root != mine {
            let split = root.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
            let rootBuild = String(decoding: split.first ?? [], as: UTF8.self)
            if rootBuild != build {
                problem = "runs another build of gan (\(build)) than rank 0 (\(rootBuild)); install the same gan on every node"
            } else {
                let theirs = String(decoding: split.count > 1 ? Array(split[1]) : [], as: UTF8.self).split(separator: "\n")
                let ours = String(decoding: settings, as: UTF8.self).split(separator: "\n")
                let first = zip(ours, theirs).first { $0 != $1 }
                func setting(_ line: Substring) -> String {
                    line.trimmingCharacters(in: CharacterSet(charactersIn: " ,")).replacingOccurrences(of: "\"", with: "")
                }
                let detail = first.map { " (here \(setting($0)), on rank 0 \(setting($1)))" } ?? ""
                problem =
                    what == "configuration"
                    ? "was started with another configuration than rank 0\(detail); start every rank with the same command"
                    : "has other \(what) than rank 0\(detail); give every node the same files"
            }
        }
        try communicator.agree(problem)
    }
}
