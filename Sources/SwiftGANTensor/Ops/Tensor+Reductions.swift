// MARK: - Reductions

extension Tensor {
    /// The shape after reducing `axes` (kept as size 1 when `keepDims`).
    static func reducedShape(_ shape: [Int], axes: [Int], keepDims: Bool) -> [Int] {
        var result: [Int] = []
        for (axis, dimension) in shape.enumerated() {
            if axes.contains(axis) {
                if keepDims { result.append(1) }
            } else {
                result.append(dimension)
            }
        }
        return result
    }

    /// Sum over `axes`: `[2, 3, 4].sum(axes: [1])` is `[2, 4]` (`[2, 1, 4]`
    /// with `keepDims`). An empty `axes` reduces nothing; `sum()` reduces all.
    ///
    /// - Parameters:
    ///   - axes: axes to reduce; negative values count from the end.
    ///   - keepDims: keep reduced axes as size 1.
    /// - Precondition: every axis is in range and appears once.
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let normalized = Shape.normalizeAxes(axes, rank: rank, op: "sum")
        let keptShape = Tensor.reducedShape(shape, axes: normalized, keepDims: true)
        let outShape = keepDims ? keptShape : Tensor.reducedShape(shape, axes: normalized, keepDims: false)
        var storage = self.storage
        var currentShape = shape
        // Reduce runs of consecutive axes in one pass, last run first.
        var runs: [(start: Int, end: Int)] = []
        for axis in normalized {
            if let last = runs.last, last.end == axis { runs[runs.count - 1].end = axis + 1 } else { runs.append((axis, axis + 1)) }
        }
        for run in runs.reversed() {
            let outer = currentShape[..<run.start].reduce(1, *)
            let length = currentShape[run.start..<run.end].reduce(1, *)
            let inner = currentShape[run.end...].reduce(1, *)
            let source = storage
            storage = withExtendedLifetime(source) {
                Primitives.sum(source.pointer, outer: outer, length: length, inner: inner)
            }
            for axis in run.start..<run.end { currentShape[axis] = 1 }
        }
        if normalized.isEmpty { storage = storage.copy() }
        let inputShape = shape
        return Tensor.result("sum", shape: outShape, storage: storage, inputs: [self]) { context in
            [context.gradient.reshaped(keptShape).expanded(to: inputShape)]
        }
    }

    /// Sum of all elements, as a scalar tensor.
    public func sum() -> Tensor { sum(axes: Array(0..<rank)) }

    /// Mean over `axes`.
    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let normalized = Shape.normalizeAxes(axes, rank: rank, op: "mean")
        let reducedCount = normalized.reduce(1) { $0 * shape[$1] }
        return sum(axes: normalized, keepDims: keepDims) / Float(reducedCount)
    }

    /// Mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { mean(axes: Array(0..<rank)) }

    /// Variance over `axes` with `correction` (1: unbiased, PyTorch's
    /// default; 0: population variance).
    public func variance(axes: [Int], correction: Int = 1, keepDims: Bool = false) -> Tensor {
        let normalized = Shape.normalizeAxes(axes, rank: rank, op: "variance")
        let reducedCount = normalized.reduce(1) { $0 * shape[$1] }
        let centred = self - mean(axes: normalized, keepDims: true)
        let squares = (centred * centred).sum(axes: normalized, keepDims: keepDims)
        return squares / Float(Swift.max(reducedCount - correction, 0))
    }

    /// Variance of all elements.
    public func variance(correction: Int = 1) -> Tensor { variance(axes: Array(0..<rank), correction: correction) }

    /// Euclidean (L2) norm of all elements, as a scalar tensor.
    public func norm() -> Tensor { norm(axes: Array(0..<rank)) }

    /// Euclidean norm over `axes` (e.g. per-example gradient norms: `[N, D]`
    /// with axes `[1]` gives `[N]`).
    ///
    /// The gradient is `x / ‖x‖`, taken as 0 where the norm is 0 (as in
    /// PyTorch), so an all-zero row gives no NaN; it is differentiable again.
    public func norm(axes: [Int], keepDims: Bool = false) -> Tensor {
        let x = self
        let normalized = Shape.normalizeAxes(axes, rank: rank, op: "norm")
        let keptShape = Tensor.reducedShape(shape, axes: normalized, keepDims: true)
        let value = withoutGradients { (x * x).sum(axes: normalized, keepDims: true).sqrt() }
        let kept = Tensor.result("norm", shape: keptShape, storage: value.storage, inputs: [x], savesOutput: true) { context in
            let norm = context.output!
            let safeNorm = `where`(norm.equal(0), Tensor(1), norm)
            return [context.gradient.expanded(to: x.shape) * x / safeNorm]
        }
        return keepDims ? kept : kept.squeezing(axes: normalized)
    }

    /// Maximum along `axis` and the position of the first maximum.
    ///
    /// The gradient flows to the selected element only.
    /// - Returns: `values` of the reduced shape and `indices` (positions
    ///   along `axis`) in row-major order of that shape.
    public func max(axis: Int, keepDims: Bool = false) -> (values: Tensor, indices: [Int]) {
        if rank == 0 {
            require(axis == 0 || axis == -1, "max: axis \(axis) is out of range for a scalar")
            return (self, [0])
        }
        let normalized = Shape.normalizeAxis(axis, rank: rank, op: "max")
        let view = ReductionKernels.view(shape, axis: normalized)
        require(view.length > 0, "max: axis \(axis) of shape \(shape) is empty")
        let (_, flatIndices) = Primitives.max(storage.pointer, outer: view.outer, length: view.length, inner: view.inner)
        let outShape = Tensor.reducedShape(shape, axes: [normalized], keepDims: keepDims)
        let values = gathered(flatIndices: flatIndices, shape: outShape)
        let positions = flatIndices.map { ($0 / view.inner) % view.length }
        return (values, positions)
    }

    /// Maximum over `axes`; the gradient flows to one maximal element.
    public func max(axes: [Int], keepDims: Bool = false) -> Tensor {
        let normalized = Shape.normalizeAxes(axes, rank: rank, op: "max")
        var result = self
        for axis in normalized.reversed() { result = result.max(axis: axis, keepDims: true).values }
        return keepDims ? result : result.squeezing(axes: normalized)
    }

    /// Largest element, as a scalar tensor.
    public func max() -> Tensor { max(axes: Array(0..<rank)) }

    /// Smallest element over `axes`.
    public func min(axes: [Int], keepDims: Bool = false) -> Tensor { -((-self).max(axes: axes, keepDims: keepDims)) }

    /// Positions of the maxima along `axis`.
    public func argmax(axis: Int) -> [Int] {
        withoutGradients { max(axis: axis).indices }
    }

    /// Sums a broadcast gradient back to `target` shape: the adjoint of
    /// `expanded(to:)`.
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let offset = rank - target.count
        require(offset >= 0, "sum(toShape:): cannot reduce shape \(shape) to \(target)")
        var axes = Array(0..<offset)
        for (index, dimension) in target.enumerated() where dimension == 1 && shape[index + offset] != 1 {
            axes.append(index + offset)
        }
        for (index, dimension) in target.enumerated() {
            require(
                dimension == shape[index + offset] || dimension == 1,
                "sum(toShape:): cannot reduce shape \(shape) to \(target)")
        }
        return sum(axes: axes).reshaped(target)
    }
}
