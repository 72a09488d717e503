/// How many threads SwiftGAN's kernels use: its own elementwise loops,
/// reductions, blocks of convolution samples, and the row or column blocks
/// of large matrix products (OpenBLAS itself stays single-threaded).
public enum ComputeThreads {
    /// The current thread count.
    public static var count: Int { Parallel.workerCount }

    /// Sets the thread count for all kernels.
    ///
    /// - Precondition: `count >= 1`.
    public static func set(_ count: Int) {
        require(count >= 1, "ComputeThreads.set: thread count \(count) must be at least 1")
        Parallel.threadSetting.store(count, ordering: .relaxed)
        BLAS.setThreadCount(count)
    }

    /// Calls `body` over disjoint ranges covering `0..<count`, on several
    /// threads when the loop is large enough (for kernels in other targets,
    /// such as optimizer updates).
    package static func forEachChunk(count: Int, costPerElement: Int = 1, _ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(count: count, costPerElement: costPerElement, body)
    }
}

extension Tensor {
    /// Σ x² over all elements, accumulated in blocks of float partial sums
    /// added in float64, split across the compute threads (gradient norms
    /// for logging and divergence checks).
    package var sumOfSquares: Double {
        let block = 4_096
        return withUnsafeBufferPointer { values in
            let blocks = (values.count + block - 1) / block
            var partials = [Double](repeating: 0, count: blocks)
            partials.withUnsafeMutableBufferPointer { partial in
                Parallel.forEachChunk(count: blocks, costPerElement: block) { range in
                    for index in range {
                        var sums = SIMD8<Float>()
                        let start = index * block, end = Swift.min(values.count, start + block)
                        var position = start
                        while position + 8 <= end {
                            let vector = SIMD8<Float>(values[position..<(position + 8)])
                            sums += vector * vector
                            position += 8
                        }
                        var total = Double(sums.sum())
                        while position < end {
                            total += Double(values[position]) * Double(values[position])
                            position += 1
                        }
                        partial[index] = total
                    }
                }
            }
            return partials.reduce(0, +)
        }
    }
}
