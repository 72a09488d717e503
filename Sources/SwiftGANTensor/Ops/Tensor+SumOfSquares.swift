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
                        let start = index * block
                        let end = Swift.min(values.count, start + block)
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
