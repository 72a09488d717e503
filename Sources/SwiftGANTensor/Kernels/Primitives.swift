/// Which implementation of the primitives runs: SwiftGAN's fast kernels or
/// the naive reference loops that serve as their test oracle.
public enum ComputeBackend: String, Sendable, CaseIterable {
    /// Parallel, vectorised kernels: the native or OpenBLAS GEMM, Winograd,
    /// fused batch normalisation, libmvec's tanh.
    case fast
    /// Plain single-threaded loops, accumulating in float64
    /// (`ReferenceBackend`): slow, obviously right.
    case reference
}

/// The primitives every differentiable op is built from, in one table: each
/// entry names its shapes and contract and dispatches on the current
/// execution context's `backend`. Ops call these (never the fast kernels
/// directly), so running a test suite inside
/// `withExecutionContext(backend: .reference)` (or with
/// `SWIFTGAN_BACKEND=reference`) checks every op, layer and gradient on the
/// reference loops, and `PrimitiveTests` holds the fast entries against the
/// reference ones on random shapes, entry by entry (`Primitive.allCases`).
///
/// Buffers are raw pointers into contiguous row-major (NCHW) storage; every
/// entry returns a fresh buffer unless it says it writes into one.
@usableFromInline
enum Primitives {
    @usableFromInline static var usesReference: Bool { ExecutionContext.current.backend == .reference }

    // MARK: Elementwise

    /// `out[i] = operation(x[i])` over all elements; `cost` is the relative
    /// work per element (it decides when to split the loop).
    @inlinable @inline(__always)
    static func map<Operation: UnaryOperation>(_ x: Tensor, cost: Int = 1, _ operation: Operation) -> TensorStorage {
        usesReference ? ReferenceBackend.map(x, operation) : ElementwiseKernels.map(x, cost: cost, operation)
    }

    /// `map` with a closure.
    @inlinable @inline(__always)
    static func map(_ x: Tensor, cost: Int = 1, _ body: (Float) -> Float) -> TensorStorage {
        withoutActuallyEscaping(body) { body in map(x, cost: cost, ClosureUnaryOperation(body: body)) }
    }

    /// `out[i] = operation(a[i], b[i])` with `a` and `b` broadcast to `shape`
    /// (NumPy rules; the caller has checked that they broadcast).
    @inlinable @inline(__always)
    static func zip<Operation: BinaryOperation>(_ a: Tensor, _ b: Tensor, shape: [Int], cost: Int = 1, _ operation: Operation)
        -> TensorStorage
    {
        usesReference
            ? ReferenceBackend.zip(a, b, shape: shape, operation) : ElementwiseKernels.zip(a, b, shape: shape, cost: cost, operation)
    }

    /// `zip` with a closure.
    @inlinable @inline(__always)
    static func zip(_ a: Tensor, _ b: Tensor, shape: [Int], cost: Int = 1, _ body: (Float, Float) -> Float) -> TensorStorage {
        withoutActuallyEscaping(body) { body in zip(a, b, shape: shape, cost: cost, ClosureOperation(body: body)) }
    }

    /// `out[i] = body(a[i], b[i], c[i])` with all three broadcast to `shape`.
    @inlinable @inline(__always)
    static func zip3(_ a: Tensor, _ b: Tensor, _ c: Tensor, shape: [Int], _ body: (Float, Float, Float) -> Float) -> TensorStorage {
        usesReference ? ReferenceBackend.zip3(a, b, c, shape: shape, body) : ElementwiseKernels.zip3(a, b, c, shape: shape, body)
    }

    /// `destination[i] = tanh(source[i])` for `count` values (the fast
    /// backend is within 4 ulp of the correctly rounded value).
    static func tanh(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        if usesReference {
            ReferenceBackend.tanh(source, destination, count: count)
        } else {
            Parallel.forEachChunk(count: count, costPerElement: 4) { range in
                VectorMath.tanh(source + range.lowerBound, destination + range.lowerBound, count: range.count)
            }
        }
    }

    /// `count` dropout mask values, each `scale` with probability
    /// `keepProbability` and otherwise 0, from `seed`: the same bits on both
    /// backends (the reference runs the portable C path).
    static func dropoutMask(seed: UInt64, count: Int, keepProbability: Float, scale: Float, into mask: UnsafeMutablePointer<Float>) {
        VectorMath.dropoutMask(
            seed: seed, count: count, keepProbability: keepProbability, scale: scale, into: mask,
            portable: usesReference)
    }

    // MARK: Reductions and layout

    /// `[outer, length, inner]` → `[outer, inner]`: the sum over the middle axis.
    static func sum(_ source: UnsafePointer<Float>, outer: Int, length: Int, inner: Int) -> TensorStorage {
        usesReference
            ? ReferenceBackend.sum(source, outer: outer, length: length, inner: inner)
            : ReductionKernels.sum(source, outer: outer, length: length, inner: inner)
    }

    /// `[outer, length, inner]` → `[outer, inner]`: the maximum over the middle
    /// axis and the flat source index of the first maximum (NaN is the maximum).
    static func max(_ source: UnsafePointer<Float>, outer: Int, length: Int, inner: Int) -> (values: TensorStorage, indices: [Int]) {
        usesReference
            ? ReferenceBackend.max(source, outer: outer, length: length, inner: inner)
            : ReductionKernels.max(source, outer: outer, length: length, inner: inner)
    }

    /// A contiguous `outShape` tensor whose element at coordinate `c` is
    /// `source[Σ c[i] · readStrides[i]]` (permutations, broadcast expansion).
    static func stridedCopy(_ source: UnsafePointer<Float>, outShape: [Int], readStrides: [Int]) -> TensorStorage {
        usesReference
            ? ReferenceBackend.stridedCopy(source, outShape: outShape, readStrides: readStrides)
            : LayoutKernels.stridedCopy(source, outShape: outShape, readStrides: readStrides)
    }

    /// `out[i] = source[indices[i]]`, 0 where the index is negative.
    static func gather(_ source: UnsafePointer<Float>, indices: [Int]) -> TensorStorage {
        usesReference ? ReferenceBackend.gather(source, indices: indices) : LayoutKernels.gather(source, indices: indices)
    }

    /// `count` zeros with `out[indices[i]] += source[i]`; negative indices skipped.
    static func scatterAdd(_ source: UnsafePointer<Float>, indices: [Int], count: Int) -> TensorStorage {
        usesReference
            ? ReferenceBackend.scatterAdd(source, indices: indices, count: count)
            : LayoutKernels.scatterAdd(source, indices: indices, count: count)
    }

    /// Copies, for each of `outer` rows, `sliceLength x inner` values from
    /// `source` viewed as `[outer, sourceLength, inner]` at `sourceStart` into
    /// `destination` viewed as `[outer, destinationLength, inner]` at
    /// `destinationStart` (slices and concatenation), in place.
    static func copyBlocks(
        from source: UnsafePointer<Float>, sourceLength: Int, sourceStart: Int,
        to destination: UnsafeMutablePointer<Float>, destinationLength: Int, destinationStart: Int,
        outer: Int, sliceLength: Int, inner: Int
    ) {
        if usesReference {
            ReferenceBackend.copyBlocks(
                from: source, sourceLength: sourceLength, sourceStart: sourceStart, to: destination,
                destinationLength: destinationLength, destinationStart: destinationStart, outer: outer,
                sliceLength: sliceLength, inner: inner)
        } else {
            LayoutKernels.copyBlocks(
                from: source, sourceLength: sourceLength, sourceStart: sourceStart, to: destination,
                destinationLength: destinationLength, destinationStart: destinationStart, outer: outer,
                sliceLength: sliceLength, inner: inner)
        }
    }

    // MARK: Matrix products and convolutions

    /// `C = op(A) · op(B) (+ bias on every row)` for row-major matrices:
    /// `op(A)` is `[m, k]`, `op(B)` `[k, n]`, `C` `[m, n]`, with row strides
    /// `lda`, `ldb`, `ldc` as stored; overwrites C (no accumulation).
    static func matmul(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        bias: UnsafePointer<Float>? = nil, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if usesReference {
            ReferenceBackend.matmul(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                bias: bias, c: c, ldc: ldc)
        } else {
            BLAS.sgemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                bias: bias, c: c, ldc: ldc)
        }
    }

    /// Convolution `[N, C, H, W] * [O, C, kH, kW] → [N, O, outH, outW]`
    /// (cross-correlation with `g`'s stride, padding and dilation).
    static func convolution(_ input: UnsafePointer<Float>, _ weight: TensorStorage, _ g: ConvolutionGeometry) -> TensorStorage {
        usesReference
            ? ReferenceBackend.convolution(input, weight.pointer, g) : ConvolutionKernels.forward(input, weight, g)
    }

    /// The convolution's input gradient `[N, C, H, W]` for an output gradient
    /// `[N, O, outH, outW]` (also the transposed convolution's forward pass).
    static func convolutionInputGradient(_ outputGradient: UnsafePointer<Float>, _ weight: TensorStorage, _ g: ConvolutionGeometry)
        -> TensorStorage
    {
        usesReference
            ? ReferenceBackend.convolutionInputGradient(outputGradient, weight.pointer, g)
            : ConvolutionKernels.inputGradient(outputGradient, weight, g)
    }

    /// The convolution's weight gradient `[O, C, kH, kW]` for `input` and an
    /// output gradient.
    static func convolutionWeightGradient(_ input: UnsafePointer<Float>, _ outputGradient: UnsafePointer<Float>, _ g: ConvolutionGeometry)
        -> TensorStorage
    {
        usesReference
            ? ReferenceBackend.convolutionWeightGradient(input, outputGradient, g)
            : ConvolutionKernels.weightGradient(input, outputGradient, g)
    }

    /// `convolution` and `convolutionWeightGradient` of the same input
    /// together (the fast backend transforms the input once).
    static func convolutionAndWeightGradient(
        _ input: UnsafePointer<Float>, _ weight: TensorStorage, _ outputGradient: UnsafePointer<Float>, _ g: ConvolutionGeometry
    ) -> (output: TensorStorage, weightGradient: TensorStorage) {
        if usesReference {
            return (
                ReferenceBackend.convolution(input, weight.pointer, g),
                ReferenceBackend.convolutionWeightGradient(input, outputGradient, g)
            )
        }
        return ConvolutionKernels.forwardAndWeightGradient(input, weight, outputGradient, g)
    }

    // MARK: Batch normalisation

    /// Per-channel mean and biased variance of `x` viewed as `[outer, channels, inner]`.
    static func batchStatistics(_ x: UnsafePointer<Float>, _ view: NormalizationKernels.View) -> (mean: [Float], variance: [Float]) {
        usesReference ? ReferenceBackend.batchStatistics(x, view) : NormalizationKernels.statistics(x, view)
    }

    /// `y = (x - mean[c]) * scale[c] + shift[c]` into `y`.
    static func channelAffine(
        _ x: UnsafePointer<Float>, _ view: NormalizationKernels.View, mean: [Float], scale: [Float], shift: [Float],
        into y: UnsafeMutablePointer<Float>
    ) {
        if usesReference {
            ReferenceBackend.channelAffine(x, view, mean: mean, scale: scale, shift: shift, into: y)
        } else {
            NormalizationKernels.affine(x, view, mean: mean, scale: scale, shift: shift, into: y)
        }
    }

    /// Batch normalisation's first-order backward pass given `dy`: `dx` into
    /// `dx` when given, and per channel `Σ dy` and `Σ dy · x̂`.
    static func batchNormalizationBackward(
        _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ view: NormalizationKernels.View,
        mean: [Float], invStd: [Float], weight: [Float]?, into dx: UnsafeMutablePointer<Float>?
    ) -> (biasGradient: [Float], weightGradient: [Float]) {
        usesReference
            ? ReferenceBackend.batchNormalizationBackward(x, dy, view, mean: mean, invStd: invStd, weight: weight, into: dx)
            : NormalizationKernels.backward(x, dy, view, mean: mean, invStd: invStd, weight: weight, into: dx)
    }
}

/// The primitives by name, for the generic fast-against-reference test (an
/// exhaustive switch over these makes a new primitive need a case there).
enum Primitive: String, CaseIterable, Sendable {
    case map, zip, zip3, tanh, dropoutMask, sum, max, stridedCopy, gather, scatterAdd, copyBlocks, matmul
    case convolution, convolutionInputGradient, convolutionWeightGradient, convolutionAndWeightGradient
    case batchStatistics, channelAffine, batchNormalizationBackward
}
