// MARK: - Constant and random tensors

extension Tensor {
    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], value: Float) -> Tensor {
        let count = Shape.elementCount(shape, op: "full")
        return Tensor(shape: shape, storage: TensorStorage(count: count, repeating: value))
    }

    /// Zeros of `shape`.
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, value: 0) }

    /// Ones of `shape`.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, value: 1) }

    /// Zeros shaped like `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// `[start, start + step, ...]` below `end` (1-D, like `torch.arange`).
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        require(step != 0, "arange: step must not be 0")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<count).map { start + Float($0) * step })
    }

    /// Uniform samples in `[low, high)` from `random`.
    public static func uniform(
        _ shape: [Int], low: Float = 0, high: Float = 1,
        random: inout RandomGenerator
    ) -> Tensor {
        require(low <= high, "uniform: low \(low) is greater than high \(high)")
        let count = Shape.elementCount(shape, op: "uniform")
        let storage = TensorStorage(uninitializedCount: count)
        let scale = high - low
        for index in 0..<count { storage.pointer[index] = low + scale * random.nextUniform() }
        return Tensor(shape: shape, storage: storage)
    }

    /// Normal samples with `mean` and standard deviation `std` from `random`.
    public static func normal(
        _ shape: [Int], mean: Float = 0, std: Float = 1,
        random: inout RandomGenerator
    ) -> Tensor {
        require(std >= 0, "normal: std \(std) must not be negative")
        let count = Shape.elementCount(shape, op: "normal")
        let storage = TensorStorage(uninitializedCount: count)
        if count == 0 { return Tensor(shape: shape, storage: storage) }
        // The random bits are drawn in order (the stream of `nextNormalPair`, two draws per
        // pair); the transform, about 25 ns a pair (log, sin, cos), is split across the workers.
        let pairs = (count + 1) / 2
        var bits = [UInt64](repeating: 0, count: 2 * pairs)
        for index in bits.indices { bits[index] = random.next() }
        bits.withUnsafeBufferPointer { raw in
            let raw = raw.baseAddress!
            let out = storage.pointer
            Parallel.forEachChunk(count: pairs, costPerElement: 64) { range in
                for pair in range {
                    let (first, second) = RandomGenerator.normalPair(raw[2 * pair], raw[2 * pair + 1])
                    out[2 * pair] = mean + std * first
                    if 2 * pair + 1 < count { out[2 * pair + 1] = mean + std * second }
                }
            }
        }
        return Tensor(shape: shape, storage: storage)
    }

    /// Bernoulli(p) samples of 0 and 1.
    public static func bernoulli(_ shape: [Int], probability: Float, random: inout RandomGenerator) -> Tensor {
        require(probability >= 0 && probability <= 1, "bernoulli: probability \(probability) is outside [0, 1]")
        let count = Shape.elementCount(shape, op: "bernoulli")
        let storage = TensorStorage(uninitializedCount: count)
        for index in 0..<count { storage.pointer[index] = random.nextUniform() < probability ? 1 : 0 }
        return Tensor(shape: shape, storage: storage)
    }

    /// Inverted dropout: zeroes each element with `probability` and scales
    /// the rest by `1 / (1 - probability)`; identity when not `training`.
    ///
    /// Each call takes one 64-bit draw from `random` and seeds with it the
    /// 16 vectorised streams that draw the mask (`VectorMath.dropoutMask`),
    /// so the mask does not depend on the CPU or the thread count.
    public func dropout(probability: Float, training: Bool = true, random: inout RandomGenerator) -> Tensor {
        require(probability >= 0 && probability <= 1, "dropout: probability \(probability) is outside [0, 1]")
        guard training, probability > 0 else { return self }
        if probability == 1 { return self * Tensor.zeros(shape) }
        let mask = TensorStorage(uninitializedCount: count)
        Primitives.dropoutMask(
            seed: random.next(), count: count, keepProbability: 1 - probability,
            scale: 1 / (1 - probability), into: mask.pointer)
        return self * Tensor(shape: shape, storage: mask)
    }
}
