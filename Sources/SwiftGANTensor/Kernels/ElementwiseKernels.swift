/// Loops over raw buffers for elementwise ops: unary maps and broadcasting
/// binary and ternary maps. Large loops are split across cores.
@usableFromInline
enum ElementwiseKernels {
    /// `out[i] = body(x[i])`.
    @inlinable @inline(__always)
    static func map(_ x: Tensor, cost: Int = 1, _ body: (Float) -> Float) -> TensorStorage {
        withoutActuallyEscaping(body) { body in map(x, cost: cost, ClosureUnaryOperation(body: body)) }
    }

    /// `out[i] = operation(x[i])`, specialised for a concrete operation type
    /// on every thread (see `zip(_:_:shape:cost:_:)` with an operation).
    @inlinable @inline(__always)
    static func map<Operation: UnaryOperation>(_ x: Tensor, cost: Int = 1, _ body: Operation) -> TensorStorage {
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
    static func zip(
        _ a: Tensor, _ b: Tensor, shape: [Int], cost: Int = 1,
        _ body: (Float, Float) -> Float
    ) -> TensorStorage {
        withoutActuallyEscaping(body) { body in zip(a, b, shape: shape, cost: cost, ClosureOperation(body: body)) }
    }

    /// `out[i] = operation(a[i], b[i])` with broadcasting to `shape`. With a
    /// concrete operation type (`AddOperation`, …) the loops are specialised
    /// for it on every thread; a closure called from the parallel path would
    /// be an indirect call per element (the chunk closure crosses
    /// `concurrentPerform`'s `@Sendable` boundary in a box).
    @inlinable @inline(__always)
    static func zip<Operation: BinaryOperation>(
        _ a: Tensor, _ b: Tensor, shape: [Int], cost: Int = 1,
        _ body: Operation
    ) -> TensorStorage {
        let count = Shape.elementCount(shape, op: "elementwise")
        let out = TensorStorage(uninitializedCount: count)
        let pa = a.storage.pointer
        let pb = b.storage.pointer
        let po = out.pointer
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
                    let sa = walker.innerStrides[0]
                    let sb = walker.innerStrides[1]
                    let rowA = pa + walker.offset(ofRow: row, input: 0)
                    let rowB = pb + walker.offset(ofRow: row, input: 1)
                    let rowOut = po + row * walker.inner
                    // Contiguous and per-row-constant inputs (per-channel broadcasts such as
                    // BatchNorm's) get loops the compiler can vectorize.
                    if sa == 1 && sb == 0 {
                        let scalar = rowB[0]
                        for index in 0..<walker.inner { rowOut[index] = body(rowA[index], scalar) }
                    } else if sa == 0 && sb == 1 {
                        let scalar = rowA[0]
                        for index in 0..<walker.inner { rowOut[index] = body(scalar, rowB[index]) }
                    } else if sa == 1 && sb == 1 {
                        for index in 0..<walker.inner { rowOut[index] = body(rowA[index], rowB[index]) }
                    } else {
                        for index in 0..<walker.inner { rowOut[index] = body(rowA[index * sa], rowB[index * sb]) }
                    }
                }
            }
        }
        return out
    }

    /// `out[i] = body(a[i], b[i], c[i])` with broadcasting to `shape`.
    @inlinable @inline(__always)
    static func zip3(
        _ a: Tensor, _ b: Tensor, _ c: Tensor, shape: [Int],
        _ body: (Float, Float, Float) -> Float
    ) -> TensorStorage {
        let count = Shape.elementCount(shape, op: "elementwise")
        let out = TensorStorage(uninitializedCount: count)
        let pa = a.storage.pointer
        let pb = b.storage.pointer
        let pc = c.storage.pointer
        let po = out.pointer
        if a.shape == shape && b.shape == shape && c.shape == shape {
            Parallel.forEachChunk(count: count) { range in
                for index in range { po[index] = body(pa[index], pb[index], pc[index]) }
            }
        } else {
            let walker = BroadcastWalker(shape: shape, inputs: [a.shape, b.shape, c.shape])
            Parallel.forEachChunk(count: walker.rowCount, costPerElement: walker.inner) { rows in
                for row in rows {
                    let sa = walker.innerStrides[0]
                    let sb = walker.innerStrides[1]
                    let sc = walker.innerStrides[2]
                    let rowA = pa + walker.offset(ofRow: row, input: 0)
                    let rowB = pb + walker.offset(ofRow: row, input: 1)
                    let rowC = pc + walker.offset(ofRow: row, input: 2)
                    let rowOut = po + row * walker.inner
                    if sa == 1 && sb == 0 && sc == 0 {
                        let scalarB = rowB[0]
                        let scalarC = rowC[0]
                        for index in 0..<walker.inner { rowOut[index] = body(rowA[index], scalarB, scalarC) }
                    } else if sa == 1 && sb == 1 && sc == 0 {
                        let scalarC = rowC[0]
                        for index in 0..<walker.inner { rowOut[index] = body(rowA[index], rowB[index], scalarC) }
                    } else {
                        for index in 0..<walker.inner {
                            rowOut[index] = body(rowA[index * sa], rowB[index * sb], rowC[index * sc])
                        }
                    }
                }
            }
        }
        return out
    }
}

/// A unary float operation for `ElementwiseKernels.map`.
@usableFromInline
protocol UnaryOperation {
    func callAsFunction(_ x: Float) -> Float
}

@usableFromInline
struct ClosureUnaryOperation: UnaryOperation {
    @usableFromInline let body: (Float) -> Float
    @inlinable init(body: @escaping (Float) -> Float) { self.body = body }
    @inlinable @inline(__always) func callAsFunction(_ x: Float) -> Float { body(x) }
}

/// `x` where positive, else 0.
@usableFromInline struct ReLUOperation: UnaryOperation {
    @inlinable init() {}
    @inlinable @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : 0 }
}

/// `x` where positive, else `slope · x`.
@usableFromInline struct LeakyReLUOperation: UnaryOperation {
    @usableFromInline let slope: Float
    @inlinable init(slope: Float) { self.slope = slope }
    @inlinable @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : slope * x }
}

/// The derivative of LeakyReLU (ReLU with slope 0): 1 where positive, else `slope`.
@usableFromInline struct LeakyReLUSlopeOperation: UnaryOperation {
    @usableFromInline let slope: Float
    @inlinable init(slope: Float) { self.slope = slope }
    @inlinable @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : slope }
}

@usableFromInline struct NegateOperation: UnaryOperation {
    @inlinable init() {}
    @inlinable @inline(__always) func callAsFunction(_ x: Float) -> Float { -x }
}

/// A binary float operation for `ElementwiseKernels.zip`.
@usableFromInline
protocol BinaryOperation {
    func callAsFunction(_ a: Float, _ b: Float) -> Float
}

@usableFromInline
struct ClosureOperation: BinaryOperation {
    @usableFromInline let body: (Float, Float) -> Float
    @inlinable init(body: @escaping (Float, Float) -> Float) { self.body = body }
    @inlinable @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { body(a, b) }
}

@usableFromInline struct AddOperation: BinaryOperation {
    @inlinable init() {}
    @inlinable @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b }
}

@usableFromInline struct SubtractOperation: BinaryOperation {
    @inlinable init() {}
    @inlinable @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b }
}

@usableFromInline struct MultiplyOperation: BinaryOperation {
    @inlinable init() {}
    @inlinable @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b }
}

@usableFromInline struct DivideOperation: BinaryOperation {
    @inlinable init() {}
    @inlinable @inline(__always) func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b }
}

/// Walks a broadcast output row by row (a row is the innermost dimension
/// after merging axes that are laid out alike in every input), giving each
/// input's offset at the start of a row without allocating.
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
        // Drop size-1 axes, then merge an axis into the next one when every
        // input steps through both contiguously (or broadcasts both).
        var dimensions: [Int] = []
        var strides: [[Int]] = inputs.map { _ in [] }
        for axis in shape.indices where shape[axis] != 1 {
            if let last = dimensions.last,
                allStrides.indices.allSatisfy({ strides[$0].last! == allStrides[$0][axis] * shape[axis] })
            {
                dimensions[dimensions.count - 1] = last * shape[axis]
                for input in allStrides.indices { strides[input][strides[input].count - 1] = allStrides[input][axis] }
            } else {
                dimensions.append(shape[axis])
                for input in allStrides.indices { strides[input].append(allStrides[input][axis]) }
            }
        }
        if dimensions.isEmpty {
            dimensions = [1]
            strides = inputs.map { _ in [0] }
        }
        outerShape = Array(dimensions.dropLast())
        outerStrides = strides.map { Array($0.dropLast()) }
        innerStrides = strides.map { $0.last! }
        inner = dimensions.last!
        rowCount = outerShape.reduce(1, *)
    }

    /// Offset of `input` at the start of `row`.
    @inlinable
    func offset(ofRow row: Int, input: Int) -> Int {
        var offset = 0
        var remaining = row
        let strides = outerStrides[input]
        for axis in stride(from: outerShape.count - 1, through: 0, by: -1) {
            offset += (remaining % outerShape[axis]) * strides[axis]
            remaining /= outerShape[axis]
        }
        return offset
    }
}
