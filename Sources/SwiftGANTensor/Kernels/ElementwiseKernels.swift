/// Loops over raw buffers for elementwise ops: unary maps and broadcasting
/// binary and ternary maps. Large loops are split across cores.
@usableFromInline
enum ElementwiseKernels {
    /// `out[i] = body(x[i])`.
    @inlinable @inline(__always)
    static func map(_ x: Tensor, cost: Int = 1, _ body: (Float) -> Float) -> TensorStorage {
        let count = x.count
        let out = TensorStorage(uninitializedCount: count)
        let source = x.storage.pointer
        let destination = out.pointer
        Parallel.forEachChunk(count: count, costPerElement: cost) { range in
            for index in range { destination[index] = body(source[index]) }
        }
        return out
    }

    /// `out[i] = body(a[i], b[i])` with broadcasting to `shape`.
    @inlinable @inline(__always)
    static func zip(_ a: Tensor, _ b: Tensor, shape: [Int], cost: Int = 1,
                    _ body: (Float, Float) -> Float) -> TensorStorage {
        let count = Shape.elementCount(shape, op: "elementwise")
        let out = TensorStorage(uninitializedCount: count)
        let pa = a.storage.pointer, pb = b.storage.pointer, po = out.pointer
        if a.shape == shape && b.shape == shape {
            Parallel.forEachChunk(count: count, costPerElement: cost) { range in
                for index in range { po[index] = body(pa[index], pb[index]) }
            }
        } else if b.count == 1 && a.shape == shape {
            let scalar = pb[0]
            Parallel.forEachChunk(count: count, costPerElement: cost) { range in
                for index in range { po[index] = body(pa[index], scalar) }
            }
        } else if a.count == 1 && b.shape == shape {
            let scalar = pa[0]
            Parallel.forEachChunk(count: count, costPerElement: cost) { range in
                for index in range { po[index] = body(scalar, pb[index]) }
            }
        } else {
            let walker = BroadcastWalker(shape: shape, inputs: [a.shape, b.shape])
            Parallel.forEachChunk(count: walker.rowCount, costPerElement: walker.inner * cost) { rows in
                for row in rows {
                    let offsets = walker.offsets(ofRow: row)
                    let sa = walker.innerStrides[0], sb = walker.innerStrides[1]
                    let rowA = pa + offsets[0], rowB = pb + offsets[1], rowOut = po + row * walker.inner
                    for index in 0..<walker.inner { rowOut[index] = body(rowA[index * sa], rowB[index * sb]) }
                }
            }
        }
        return out
    }

    /// `out[i] = body(a[i], b[i], c[i])` with broadcasting to `shape`.
    @inlinable @inline(__always)
    static func zip3(_ a: Tensor, _ b: Tensor, _ c: Tensor, shape: [Int],
                     _ body: (Float, Float, Float) -> Float) -> TensorStorage {
        let count = Shape.elementCount(shape, op: "elementwise")
        let out = TensorStorage(uninitializedCount: count)
        let pa = a.storage.pointer, pb = b.storage.pointer, pc = c.storage.pointer, po = out.pointer
        if a.shape == shape && b.shape == shape && c.shape == shape {
            Parallel.forEachChunk(count: count) { range in
                for index in range { po[index] = body(pa[index], pb[index], pc[index]) }
            }
        } else {
            let walker = BroadcastWalker(shape: shape, inputs: [a.shape, b.shape, c.shape])
            Parallel.forEachChunk(count: walker.rowCount, costPerElement: walker.inner) { rows in
                for row in rows {
                    let offsets = walker.offsets(ofRow: row)
                    let sa = walker.innerStrides[0], sb = walker.innerStrides[1], sc = walker.innerStrides[2]
                    let rowOut = po + row * walker.inner
                    for index in 0..<walker.inner {
                        rowOut[index] = body(pa[offsets[0] + index * sa], pb[offsets[1] + index * sb],
                                             pc[offsets[2] + index * sc])
                    }
                }
            }
        }
        return out
    }
}

/// Walks a broadcast output row by row (a row is the innermost dimension),
/// giving each input's offset at the start of the row.
@usableFromInline
struct BroadcastWalker {
    @usableFromInline let outerShape: [Int]
    @usableFromInline let outerStrides: [[Int]]
    @usableFromInline let innerStrides: [Int]
    @usableFromInline let inner: Int
    @usableFromInline let rowCount: Int

    @usableFromInline
    init(shape: [Int], inputs: [[Int]]) {
        let allStrides = inputs.map { Shape.broadcastStrides($0, to: shape) }
        if shape.isEmpty {
            outerShape = []
            outerStrides = allStrides.map { _ in [] }
            innerStrides = allStrides.map { _ in 0 }
            inner = 1
        } else {
            outerShape = Array(shape.dropLast())
            outerStrides = allStrides.map { Array($0.dropLast()) }
            innerStrides = allStrides.map { $0.last! }
            inner = shape.last!
        }
        rowCount = outerShape.reduce(1, *)
    }

    @inlinable
    func offsets(ofRow row: Int) -> [Int] {
        var offsets = [Int](repeating: 0, count: outerStrides.count)
        var remaining = row
        for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
            let coordinate = remaining % outerShape[axis]
            remaining /= outerShape[axis]
            for input in 0..<offsets.count { offsets[input] += coordinate * outerStrides[input][axis] }
        }
        return offsets
    }
}
