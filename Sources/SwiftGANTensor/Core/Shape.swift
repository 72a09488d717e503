/// Shape arithmetic shared by the ops: element counts, strides, broadcasting
/// and axis normalisation. Every check names the op and the shapes.
@usableFromInline
enum Shape {
    /// The product of the dimensions.
    @usableFromInline
    static func elementCount(_ shape: [Int], op: String) -> Int {
        var count = 1
        for dimension in shape {
            require(dimension >= 0, "\(op): negative dimension in shape \(shape)")
            count *= dimension
        }
        return count
    }

    /// Row-major strides (in elements) of a contiguous tensor.
    @usableFromInline
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    static func flatIndex(_ index: [Int], shape: [Int]) -> Int {
        require(
            index.count == shape.count,
            "Tensor subscript: \(index.count) indices for a tensor of rank \(shape.count) (shape \(shape))")
        var flat = 0
        for axis in 0..<shape.count {
            require(
                index[axis] >= 0 && index[axis] < shape[axis],
                "Tensor subscript: index \(index) out of range for shape \(shape)")
            flat = flat * shape[axis] + index[axis]
        }
        return flat
    }

    /// The NumPy/PyTorch broadcast of two shapes: align trailing dimensions;
    /// each pair must be equal or contain a 1.
    @usableFromInline
    static func broadcast(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        if a == b { return a }
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for offset in 0..<rank {
            let da = offset < a.count ? a[a.count - 1 - offset] : 1
            let db = offset < b.count ? b[b.count - 1 - offset] : 1
            require(
                da == db || da == 1 || db == 1,
                "\(op): shapes \(a) and \(b) cannot be broadcast together")
            result[rank - 1 - offset] = da == 1 ? db : da
        }
        return result
    }

    /// Strides for reading a tensor of `shape` as if it had `target` shape
    /// (0 on broadcast dimensions).
    @usableFromInline
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let own = strides(shape)
        let offset = target.count - shape.count
        var result = [Int](repeating: 0, count: target.count)
        for axis in 0..<shape.count where shape[axis] != 1 || target[axis + offset] == 1 {
            result[axis + offset] = shape[axis] == 1 ? 0 : own[axis]
        }
        return result
    }

    /// Maps a possibly negative axis into `0..<rank`.
    @usableFromInline
    static func normalizeAxis(_ axis: Int, rank: Int, op: String) -> Int {
        let normalized = axis < 0 ? axis + rank : axis
        require(
            normalized >= 0 && normalized < max(rank, 1) && (rank > 0 || normalized == 0),
            "\(op): axis \(axis) is out of range for a tensor of rank \(rank)")
        return normalized
    }

    /// Sorted, de-duplicated, normalised axes.
    static func normalizeAxes(_ axes: [Int], rank: Int, op: String) -> [Int] {
        let normalized = axes.map { normalizeAxis($0, rank: rank, op: op) }
        require(Set(normalized).count == normalized.count, "\(op): repeated axis in \(axes)")
        return normalized.sorted()
    }
}
