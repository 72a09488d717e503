/// Reductions over one axis of a contiguous tensor viewed as
/// `[outer, length, inner]`.
@usableFromInline
enum ReductionKernels {
    /// The `[outer, length, inner]` view of reducing `axis` of `shape`.
    static func view(_ shape: [Int], axis: Int) -> (outer: Int, length: Int, inner: Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }

    /// Sums `[outer, length, inner]` over `length` into `[outer, inner]`.
    static func sum(_ source: UnsafePointer<Float>, outer: Int, length: Int, inner: Int) -> TensorStorage {
        if length == 0 { return TensorStorage(count: outer * inner, repeating: 0) }
        let out = TensorStorage(uninitializedCount: outer * inner)
        let destination = out.pointer
        if inner == 1 {
            Parallel.forEachChunk(count: outer, costPerElement: length) { rows in
                for row in rows { destination[row] = contiguousSum(source + row * length, count: length) }
            }
            return out
        }
        Parallel.forEachChunk(count: outer, costPerElement: length * inner) { rows in
            for row in rows {
                let accumulator = destination + row * inner
                let block = source + row * length * inner
                accumulator.update(from: block, count: inner)
                for step in 1..<length {
                    let line = block + step * inner
                    for index in 0..<inner { accumulator[index] += line[index] }
                }
            }
        }
        return out
    }

    /// Sum of `count` contiguous floats with eight independent accumulators
    /// (vectorisable, and more accurate than one running sum).
    @inline(__always)
    static func contiguousSum(_ pointer: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>(repeating: 0)
        var index = 0
        while index + 8 <= count {
            lanes += UnsafeRawPointer(pointer + index).loadUnaligned(as: SIMD8<Float>.self)
            index += 8
        }
        var total = lanes.sum()
        while index < count {
            total += pointer[index]
            index += 1
        }
        return total
    }

    /// Maximum over `length` and the flat source index of the first maximum
    /// (NaN counts as the maximum, as in PyTorch).
    static func max(_ source: UnsafePointer<Float>, outer: Int, length: Int, inner: Int)
        -> (values: TensorStorage, indices: [Int])
    {
        let values = TensorStorage(uninitializedCount: outer * inner)
        var indices = [Int](repeating: 0, count: outer * inner)
        let destination = values.pointer
        indices.withUnsafeMutableBufferPointer { indexBuffer in
            let indexPointer = indexBuffer.baseAddress!
            Parallel.forEachChunk(count: outer, costPerElement: length * inner) { rows in
                for row in rows {
                    for column in 0..<inner {
                        let base = row * length * inner + column
                        var best = source[base]
                        var bestIndex = base
                        if !best.isNaN {
                            for step in 1..<Swift.max(length, 1) {
                                let candidateIndex = base + step * inner
                                let candidate = source[candidateIndex]
                                if candidate > best || candidate.isNaN {
                                    best = candidate
                                    bestIndex = candidateIndex
                                    if candidate.isNaN { break }
                                }
                            }
                        }
                        destination[row * inner + column] = best
                        indexPointer[row * inner + column] = bestIndex
                    }
                }
            }
        }
        return (values, indices)
    }
}
