// MARK: - Slicing, joining and gathering

extension Tensor {
    /// Elements `start..<end` along `axis` (PyTorch `narrow` / `x[:, a:b]`).
    ///
    /// - Precondition: `0 <= start <= end <= shape[axis]`.
    public func slice(axis: Int, start: Int, end: Int) -> Tensor {
        let axis = Shape.normalizeAxis(axis, rank: rank, op: "slice")
        require(
            start >= 0 && start <= end && end <= shape[axis],
            "slice: range \(start)..<\(end) is out of bounds for axis \(axis) of shape \(shape)")
        if start == 0 && end == shape[axis] { return self }
        let view = ReductionKernels.view(shape, axis: axis)
        var outShape = shape
        outShape[axis] = end - start
        let out = TensorStorage(uninitializedCount: outShape.reduce(1, *))
        Primitives.copyBlocks(
            from: storage.pointer, sourceLength: view.length, sourceStart: start,
            to: out.pointer, destinationLength: end - start, destinationStart: 0,
            outer: view.outer, sliceLength: end - start, inner: view.inner)
        let fullLength = shape[axis]
        return Tensor.result("slice", shape: outShape, storage: out, inputs: [self]) { context in
            [context.gradient.embedded(axis: axis, start: start, length: fullLength)]
        }
    }

    /// Places this tensor at `start` along `axis` inside zeros of size
    /// `length` on that axis: the adjoint of `slice`.
    func embedded(axis: Int, start: Int, length: Int) -> Tensor {
        let view = ReductionKernels.view(shape, axis: axis)
        var outShape = shape
        outShape[axis] = length
        let out = TensorStorage(count: outShape.reduce(1, *), repeating: 0)
        Primitives.copyBlocks(
            from: storage.pointer, sourceLength: view.length, sourceStart: 0,
            to: out.pointer, destinationLength: length, destinationStart: start,
            outer: view.outer, sliceLength: view.length, inner: view.inner)
        let end = start + shape[axis]
        return Tensor.result("embed", shape: outShape, storage: out, inputs: [self]) { context in
            [context.gradient.slice(axis: axis, start: start, end: end)]
        }
    }

    /// Splits along `axis` into pieces of the given sizes (which must sum to `shape[axis]`).
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let axis = Shape.normalizeAxis(axis, rank: rank, op: "split")
        require(
            sizes.reduce(0, +) == shape[axis] && sizes.allSatisfy { $0 >= 0 },
            "split: sizes \(sizes) do not add up to \(shape[axis]) on axis \(axis) of shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return slice(axis: axis, start: start, end: start + size)
        }
    }

    /// Splits along `axis` into `count` equal pieces.
    public func chunked(_ count: Int, axis: Int = 0) -> [Tensor] {
        let normalized = Shape.normalizeAxis(axis, rank: rank, op: "chunk")
        require(
            count > 0 && shape[normalized] % count == 0,
            "chunk: axis \(axis) of shape \(shape) does not split into \(count) equal pieces")
        return split(sizes: Array(repeating: shape[normalized] / count, count: count), axis: normalized)
    }

    /// Rows `indices` along axis 0 (PyTorch `index_select(0, …)`, embedding lookup).
    ///
    /// - Returns: shape `[indices.count] + shape[1...]`.
    public func indexSelect(_ indices: [Int]) -> Tensor {
        require(rank >= 1, "indexSelect: needs rank 1 or more, got a scalar")
        let rowSize = shape.dropFirst().reduce(1, *)
        var flat: [Int] = []
        flat.reserveCapacity(indices.count * rowSize)
        for index in indices {
            require(index >= 0 && index < shape[0], "indexSelect: index \(index) out of range for shape \(shape)")
            flat.append(contentsOf: (index * rowSize)..<((index + 1) * rowSize))
        }
        return gathered(flatIndices: flat, shape: [indices.count] + shape.dropFirst())
    }

    /// `out[i] = self.flat[flatIndices[i]]` (0 for a negative index), shaped
    /// `shape`. The building block of max, pooling, upsampling and padding;
    /// its adjoint is `scatterAdded`.
    package func gathered(flatIndices: [Int], shape outShape: [Int]) -> Tensor {
        require(
            flatIndices.count == outShape.reduce(1, *),
            "gather: \(flatIndices.count) indices for output shape \(outShape)")
        let storage = Primitives.gather(self.storage.pointer, indices: flatIndices)
        let inputShape = shape
        return Tensor.result("gather", shape: outShape, storage: storage, inputs: [self]) { context in
            [context.gradient.scatterAdded(flatIndices: flatIndices, shape: inputShape)]
        }
    }

    /// Zeros of `shape` with `self.flat[i]` added at `flatIndices[i]`: the adjoint of `gathered`.
    package func scatterAdded(flatIndices: [Int], shape outShape: [Int]) -> Tensor {
        let storage = Primitives.scatterAdd(self.storage.pointer, indices: flatIndices, count: outShape.reduce(1, *))
        let inputShape = shape
        return Tensor.result("scatterAdd", shape: outShape, storage: storage, inputs: [self]) { context in
            [context.gradient.gathered(flatIndices: flatIndices, shape: inputShape)]
        }
    }

    /// Pads with a constant: `padding[i] = (before, after)` for the last
    /// `padding.count` axes, innermost last (unlike PyTorch's reversed list).
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        require(padding.count <= rank, "pad: \(padding.count) padded axes for shape \(shape)")
        var result = self
        for (offset, pad) in padding.enumerated() {
            require(pad.before >= 0 && pad.after >= 0, "pad: negative padding \(pad) for shape \(shape)")
            let axis = rank - padding.count + offset
            if pad.before == 0 && pad.after == 0 { continue }
            let length = result.shape[axis] + pad.before + pad.after
            let unpaddedShape = result.shape
            result = result.embedded(axis: axis, start: pad.before, length: length)
            if value != 0 {
                let inside = Tensor.ones(unpaddedShape).embedded(axis: axis, start: pad.before, length: length)
                result = result + (1 - inside) * value
            }
        }
        return result
    }
}

extension Tensor {
    /// Pads the last two axes by reflecting the edge (PyTorch
    /// `nn.ReflectionPad2d((left, right, top, bottom))`, which does not repeat
    /// the edge value): `[..., H, W]` → `[..., H + top + bottom, W + left + right]`.
    ///
    /// One gather, so its gradient (a scatter-add) differentiates again.
    /// - Precondition: rank ≥ 2; each padding below the size of its axis.
    public func reflectionPadded(left: Int, right: Int, top: Int, bottom: Int) -> Tensor {
        require(rank >= 2, "reflectionPad: needs rank 2 or more, got shape \(shape)")
        let (h, w) = (shape[rank - 2], shape[rank - 1])
        require(
            [left, right, top, bottom].allSatisfy { $0 >= 0 } && left < w && right < w && top < h && bottom < h,
            "reflectionPad: padding (left \(left), right \(right), top \(top), bottom \(bottom)) must be non-negative "
                + "and less than the padded size of input \(shape)")
        func reflect(_ index: Int, _ size: Int) -> Int {
            index < 0 ? -index : (index >= size ? 2 * (size - 1) - index : index)
        }
        let rows = (-top..<(h + bottom)).map { reflect($0, h) }
        let columns = (-left..<(w + right)).map { reflect($0, w) }
        let planes = count / Swift.max(h * w, 1)
        var indices: [Int] = []
        indices.reserveCapacity(planes * rows.count * columns.count)
        for plane in 0..<planes {
            for row in rows {
                let base = (plane * h + row) * w
                for column in columns { indices.append(base + column) }
            }
        }
        return gathered(flatIndices: indices, shape: Array(shape.dropLast(2)) + [rows.count, columns.count])
    }

    /// Equal reflection padding on all four sides.
    public func reflectionPadded(_ padding: Int) -> Tensor {
        reflectionPadded(left: padding, right: padding, top: padding, bottom: padding)
    }
}

/// Joins tensors along an existing `axis`; all other dimensions must agree.
public func concat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    require(!tensors.isEmpty, "concat: no tensors")
    let first = tensors[0]
    let axis = Shape.normalizeAxis(axis, rank: first.rank, op: "concat")
    for tensor in tensors {
        var a = tensor.shape
        var b = first.shape
        require(a.count == b.count, "concat: ranks differ: \(tensors.map(\.shape))")
        a[axis] = 0
        b[axis] = 0
        require(a == b, "concat: shapes \(tensors.map(\.shape)) differ off axis \(axis)")
    }
    var outShape = first.shape
    let lengths = tensors.map { $0.shape[axis] }
    outShape[axis] = lengths.reduce(0, +)
    let out = TensorStorage(uninitializedCount: outShape.reduce(1, *))
    let outer = first.shape[..<axis].reduce(1, *)
    let inner = first.shape[(axis + 1)...].reduce(1, *)
    var start = 0
    for tensor in tensors {
        Primitives.copyBlocks(
            from: tensor.storage.pointer, sourceLength: tensor.shape[axis], sourceStart: 0,
            to: out.pointer, destinationLength: outShape[axis], destinationStart: start,
            outer: outer, sliceLength: tensor.shape[axis], inner: inner)
        start += tensor.shape[axis]
    }
    return Tensor.result("concat", shape: outShape, storage: out, inputs: tensors) { context in
        var offset = 0
        return lengths.enumerated().map { index, length in
            defer { offset += length }
            return context.needs(index) ? context.gradient.slice(axis: axis, start: offset, end: offset + length) : nil
        }
    }
}

/// Stacks same-shaped tensors along a new `axis`.
public func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
    require(!tensors.isEmpty, "stack: no tensors")
    for tensor in tensors {
        require(tensor.shape == tensors[0].shape, "stack: shapes differ: \(tensors.map(\.shape))")
    }
    return concat(tensors.map { $0.unsqueezed(axis: axis) }, axis: axis)
}
