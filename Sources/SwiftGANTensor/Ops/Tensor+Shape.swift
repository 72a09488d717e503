// MARK: - Views that keep the data order

extension Tensor {
    /// The same elements with a new shape; one dimension may be -1 (inferred).
    ///
    /// - Precondition: the element counts agree.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            require(newShape.filter { $0 == -1 }.count == 1, "reshape: more than one -1 in \(newShape)")
            let known = newShape.enumerated().reduce(1) { $1.offset == inferred ? $0 : $0 * $1.element }
            require(
                known > 0 && count % known == 0,
                "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
            resolved[inferred] = count / known
        }
        let newCount = Shape.elementCount(resolved, op: "reshape")
        require(newCount == count, "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if resolved == shape { return self }
        let inputShape = shape
        return Tensor.result("reshape", shape: resolved, storage: storage, inputs: [self]) { context in
            [context.gradient.reshaped(inputShape)]
        }
    }

    /// Merges axes `startAxis...endAxis` into one (PyTorch `flatten`).
    public func flattened(startAxis: Int = 0, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let start = Shape.normalizeAxis(startAxis, rank: rank, op: "flatten")
        let end = Shape.normalizeAxis(endAxis, rank: rank, op: "flatten")
        require(start <= end, "flatten: startAxis \(startAxis) is after endAxis \(endAxis) for shape \(shape)")
        let merged = shape[start...end].reduce(1, *)
        return reshaped(Array(shape[..<start]) + [merged] + Array(shape[(end + 1)...]))
    }

    /// Removes size-1 `axes` (all size-1 axes when `axes` is nil).
    public func squeezing(axes: [Int]? = nil) -> Tensor {
        let removed =
            axes.map { Shape.normalizeAxes($0, rank: rank, op: "squeeze") }
            ?? shape.indices.filter { shape[$0] == 1 }
        for axis in removed {
            require(shape[axis] == 1, "squeeze: axis \(axis) of shape \(shape) has size \(shape[axis]), not 1")
        }
        return reshaped(shape.enumerated().filter { !removed.contains($0.offset) }.map(\.element))
    }

    /// Inserts a size-1 axis at `axis` (in `0...rank`).
    public func unsqueezed(axis: Int) -> Tensor {
        let position = axis < 0 ? axis + rank + 1 : axis
        require(position >= 0 && position <= rank, "unsqueeze: axis \(axis) out of range for shape \(shape)")
        var newShape = shape
        newShape.insert(1, at: position)
        return reshaped(newShape)
    }
}

// MARK: - Copies that reorder data

extension Tensor {
    /// Reorders axes: result axis `i` is input axis `order[i]` (PyTorch `permute`).
    public func permuted(_ order: [Int]) -> Tensor {
        require(
            order.count == rank && Set(order.map { $0 < 0 ? $0 + rank : $0 }) == Set(0..<rank),
            "permute: \(order) is not a permutation of the axes of shape \(shape)")
        let axes = order.map { $0 < 0 ? $0 + rank : $0 }
        if axes == Array(0..<rank) { return self }
        let strides = Shape.strides(shape)
        let outShape = axes.map { shape[$0] }
        let storage = Primitives.stridedCopy(self.storage.pointer, outShape: outShape, readStrides: axes.map { strides[$0] })
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in axes.enumerated() { inverse[axis] = position }
        return Tensor.result("permute", shape: outShape, storage: storage, inputs: [self]) { context in
            [context.gradient.permuted(inverse)]
        }
    }

    /// Swaps two axes (the last two by default).
    public func transposed(_ first: Int = -2, _ second: Int = -1) -> Tensor {
        require(rank >= 2, "transpose: needs rank 2 or more, got shape \(shape)")
        let a = Shape.normalizeAxis(first, rank: rank, op: "transpose")
        let b = Shape.normalizeAxis(second, rank: rank, op: "transpose")
        var order = Array(0..<rank)
        order.swapAt(a, b)
        return permuted(order)
    }

    /// Broadcasts to `target` (NumPy rules: size-1 axes repeat, new leading axes are added).
    public func expanded(to target: [Int]) -> Tensor {
        if target == shape { return self }
        let check = Shape.broadcast(shape, target, op: "expand")
        require(check == target, "expand: shape \(shape) cannot be expanded to \(target)")
        let storage = Primitives.stridedCopy(
            self.storage.pointer, outShape: target,
            readStrides: Shape.broadcastStrides(shape, to: target))
        let inputShape = shape
        return Tensor.result("expand", shape: target, storage: storage, inputs: [self]) { context in
            [context.gradient.sum(toShape: inputShape)]
        }
    }
}

// MARK: - Sub-pixel rearrangement

extension Tensor {
    /// Moves `upscale²` channel groups into space (PyTorch `F.pixel_shuffle`,
    /// Shi et al. 2016): `[N, C·r², H, W]` → `[N, C, H·r, W·r]`, where output
    /// pixel `(h·r + i, w·r + j)` of channel `c` is input channel `c·r² + i·r + j`.
    public func pixelShuffled(upscale r: Int) -> Tensor {
        require(
            rank == 4 && r >= 1 && shape[1] % (r * r) == 0,
            "pixelShuffle: expected [N, C·\(r)², H, W] with upscale factor at least 1, got \(shape) and factor \(r)")
        let (n, c, h, w) = (shape[0], shape[1] / (r * r), shape[2], shape[3])
        return reshaped([n, c, r, r, h, w]).permuted([0, 1, 4, 2, 5, 3]).reshaped([n, c, h * r, w * r])
    }

    /// The inverse of `pixelShuffled` (PyTorch `F.pixel_unshuffle`):
    /// `[N, C, H·r, W·r]` → `[N, C·r², H, W]`.
    public func pixelUnshuffled(downscale r: Int) -> Tensor {
        require(
            rank == 4 && r >= 1 && shape[2] % r == 0 && shape[3] % r == 0,
            "pixelUnshuffle: expected [N, C, H·\(r), W·\(r)] with downscale factor at least 1, got \(shape) and factor \(r)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2] / r, shape[3] / r)
        return reshaped([n, c, h, r, w, r]).permuted([0, 1, 3, 5, 2, 4]).reshaped([n, c * r * r, h, w])
    }
}
