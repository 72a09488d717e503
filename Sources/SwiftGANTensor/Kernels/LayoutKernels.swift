/// Copies that rearrange elements: permutation, broadcast expansion, slices
/// along an axis, and flat-index gather / scatter-add.
@usableFromInline
enum LayoutKernels {
    /// Copies `source` (contiguous, `shape`) read through `readStrides`
    /// into a contiguous tensor of `outShape`.
    static func stridedCopy(_ source: UnsafePointer<Float>, outShape: [Int], readStrides: [Int]) -> TensorStorage {
        let out = TensorStorage(uninitializedCount: outShape.reduce(1, *))
        stridedCopy(source, into: out.pointer, outShape: outShape, readStrides: readStrides)
        return out
    }

    /// As `stridedCopy(_:outShape:readStrides:)`, into an existing buffer.
    static func stridedCopy(
        _ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>,
        outShape: [Int], readStrides: [Int]
    ) {
        let count = outShape.reduce(1, *)
        guard count > 0 else { return }
        guard let inner = outShape.last else {
            destination[0] = source[0]
            return
        }
        let innerStride = readStrides.last!
        let outer = Array(outShape.dropLast())
        let outerStrides = Array(readStrides.dropLast())
        let rows = count / inner
        Parallel.forEachChunk(count: rows, costPerElement: inner) { rowRange in
            // Odometer over the outer coordinates, starting at the chunk.
            var coordinate = [Int](repeating: 0, count: outer.count)
            var remaining = rowRange.lowerBound
            var offset = 0
            for axis in stride(from: outer.count - 1, through: 0, by: -1) {
                coordinate[axis] = remaining % outer[axis]
                remaining /= outer[axis]
                offset += coordinate[axis] * outerStrides[axis]
            }
            for row in rowRange {
                let line = destination + row * inner
                if innerStride == 1 {
                    line.update(from: source + offset, count: inner)
                } else {
                    for index in 0..<inner { line[index] = source[offset + index * innerStride] }
                }
                var axis = outer.count - 1
                while axis >= 0 {
                    coordinate[axis] += 1
                    offset += outerStrides[axis]
                    if coordinate[axis] < outer[axis] { break }
                    offset -= coordinate[axis] * outerStrides[axis]
                    coordinate[axis] = 0
                    axis -= 1
                }
            }
        }
    }

    /// `out[i] = source[indices[i]]`, 0 where the index is negative.
    static func gather(_ source: UnsafePointer<Float>, indices: [Int]) -> TensorStorage {
        let out = TensorStorage(uninitializedCount: indices.count)
        let destination = out.pointer
        indices.withUnsafeBufferPointer { indexBuffer in
            Parallel.forEachChunk(count: indices.count) { range in
                for position in range {
                    let index = indexBuffer[position]
                    destination[position] = index >= 0 ? source[index] : 0
                }
            }
        }
        return out
    }

    /// `out[indices[i]] += source[i]` into `count` zeros; negative indices are skipped.
    static func scatterAdd(_ source: UnsafePointer<Float>, indices: [Int], count: Int) -> TensorStorage {
        let out = TensorStorage(count: count, repeating: 0)
        let destination = out.pointer
        for (position, index) in indices.enumerated() where index >= 0 { destination[index] += source[position] }
        return out
    }

    /// Copies `[outer, length, inner]` rows `start..<start+sliceLength` of the
    /// middle axis into `destination` viewed as `[outer, destinationLength, inner]`
    /// at `destinationStart`.
    static func copyBlocks(
        from source: UnsafePointer<Float>, sourceLength: Int, sourceStart: Int,
        to destination: UnsafeMutablePointer<Float>, destinationLength: Int, destinationStart: Int,
        outer: Int, sliceLength: Int, inner: Int
    ) {
        let block = sliceLength * inner
        guard block > 0 else { return }
        Parallel.forEachChunk(count: outer, costPerElement: block) { rows in
            for row in rows {
                (destination + (row * destinationLength + destinationStart) * inner)
                    .update(from: source + (row * sourceLength + sourceStart) * inner, count: block)
            }
        }
    }
}
