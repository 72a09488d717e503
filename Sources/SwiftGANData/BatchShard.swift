import SwiftGANTensor

/// One rank's part of a global batch in data-parallel training: rank
/// `index` of `count` holds rows `index * n ..< (index + 1) * n` of a
/// global batch of `count * n` rows.
///
/// Random draws made per example (latents, labels, interpolation weights)
/// are drawn for the whole global batch from a stream every rank shares and
/// cut to the rank's rows, so that K ranks together draw exactly what one
/// process with the global batch draws.
public struct BatchShard: Equatable, Sendable {
    public var index: Int
    public var count: Int

    /// - Precondition: `0 <= index < count`.
    public init(index: Int, count: Int) {
        require(count >= 1 && (0..<count).contains(index), "BatchShard: rank \(index) is not one of \(count)")
        self.index = index
        self.count = count
    }

    /// The whole batch (one process).
    public static let whole = BatchShard(index: 0, count: 1)

    /// This shard's rows of `n` local rows drawn by `draw(globalRows)`: `[n, ...]` of `[count * n, ...]`.
    public func rows(_ n: Int, of draw: (Int) -> Tensor) -> Tensor {
        let global = draw(n * count)
        return count == 1 ? global : global.slice(axis: 0, start: index * n, end: (index + 1) * n)
    }

    /// This shard's `n` of `count * n` values drawn by `draw(globalCount)`.
    public func values<T>(_ n: Int, of draw: (Int) -> [T]) -> [T] {
        let global = draw(n * count)
        return count == 1 ? global : Array(global[(index * n)..<((index + 1) * n)])
    }
}
