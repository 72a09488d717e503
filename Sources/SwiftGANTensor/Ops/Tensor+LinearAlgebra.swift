// MARK: - Matrix multiplication

/// Matrix product with NumPy/PyTorch `matmul` semantics, optionally
/// transposing either operand's last two axes without copying it.
///
/// - `a: [M, K]`, `b: [K, N]` → `[M, N]`;
/// - batched: `a: [..., M, K]`, `b: [..., K, N]` with broadcast batch axes → `[..., M, N]`;
/// - a 1-D operand is a vector (its unit axis is removed from the result).
///
/// `transposeA` / `transposeB` read the operand as its transpose (`Aᵀ`),
/// passing BLAS a flag instead of materialising it: `matmul(x, weight,
/// transposeB: true)` is PyTorch's `x @ weight.T` for a Linear layer.
///
/// - Precondition: inner dimensions agree; batch axes broadcast.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    require(a.rank >= 1 && b.rank >= 1, "matmul: operands must have rank >= 1, got \(a.shape) and \(b.shape)")
    if a.rank == 1 {
        require(!transposeA, "matmul: transposeA needs a matrix, got \(a.shape)")
        return matmul(a.unsqueezed(axis: 0), b, transposeB: transposeB).squeezing(axes: [-2])
    }
    if b.rank == 1 {
        require(!transposeB, "matmul: transposeB needs a matrix, got \(b.shape)")
        return matmul(a, b.unsqueezed(axis: 1), transposeA: transposeA).squeezing(axes: [-1])
    }
    return MatrixProduct.apply(a, b, transposeA: transposeA, transposeB: transposeB)
}

/// The 2-D-or-more product and its backward rule, closed under
/// differentiation (gradients are again `MatrixProduct`s).
enum MatrixProduct {
    static func apply(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
        let (m, kA) = transposeA ? (a.shape[a.rank - 1], a.shape[a.rank - 2]) : (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (kB, n) = transposeB ? (b.shape[b.rank - 1], b.shape[b.rank - 2]) : (b.shape[b.rank - 2], b.shape[b.rank - 1])
        require(kA == kB, "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") x \(b.shape)\(transposeB ? "ᵀ" : "")")
        let batchA = Array(a.shape.dropLast(2))
        let batchB = Array(b.shape.dropLast(2))
        let batch = Shape.broadcast(batchA, batchB, op: "matmul (batch axes)")
        let outShape = batch + [m, n]
        let out = TensorStorage(uninitializedCount: outShape.reduce(1, *))
        let rowsA = a.shape[a.rank - 2]
        let colsA = a.shape[a.rank - 1]
        let rowsB = b.shape[b.rank - 2]
        let colsB = b.shape[b.rank - 1]

        if batchB.reduce(1, *) == 1 && !transposeA && batchA == batch {
            // [..., M, K] x [K, N]: one GEMM over all rows of A.
            let rows = batchA.reduce(1, *) * m
            Primitives.matmul(
                transposeA: false, transposeB: transposeB, m: rows, n: n, k: kA,
                a: a.storage.pointer, lda: colsA, b: b.storage.pointer, ldb: colsB,
                c: out.pointer, ldc: n)
        } else {
            let batchCount = batch.reduce(1, *)
            let stridesA = Shape.broadcastStrides(batchA, to: batch)
            let stridesB = Shape.broadcastStrides(batchB, to: batch)
            let matrixA = rowsA * colsA
            let matrixB = rowsB * colsB
            for index in 0..<batchCount {
                var remaining = index
                var offsetA = 0
                var offsetB = 0
                for axis in stride(from: batch.count - 1, through: 0, by: -1) {
                    let coordinate = remaining % batch[axis]
                    remaining /= batch[axis]
                    offsetA += coordinate * stridesA[axis]
                    offsetB += coordinate * stridesB[axis]
                }
                Primitives.matmul(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: kA,
                    a: a.storage.pointer + offsetA * matrixA, lda: colsA,
                    b: b.storage.pointer + offsetB * matrixB, ldb: colsB,
                    c: out.pointer + index * m * n, ldc: n)
            }
        }
        return Tensor.result("matmul", shape: outShape, storage: out, inputs: [a, b]) { context in
            let g = context.gradient
            // C = op(A) op(B). dA = G op(B)ᵀ (or its transpose), dB = op(A)ᵀ G (or its transpose).
            var gradientA: Tensor? = nil
            var gradientB: Tensor? = nil
            if context.needs(0) {
                let full =
                    transposeA
                    ? apply(b, g, transposeA: transposeB, transposeB: true)
                    : apply(g, b, transposeA: false, transposeB: !transposeB)
                gradientA = full.sum(toShape: a.shape)
            }
            if context.needs(1) {
                let full =
                    transposeB
                    ? apply(g, a, transposeA: true, transposeB: transposeA)
                    : apply(a, g, transposeA: !transposeA, transposeB: false)
                gradientB = full.sum(toShape: b.shape)
            }
            return [gradientA, gradientB]
        }
    }
}

/// A fully connected layer's product, `input · weightᵀ + bias` (PyTorch
/// `F.linear`), as one op: the output rows start as copies of the bias and
/// the GEMM adds the product to them (`beta = 1`), so the bias costs no
/// separate pass over the output.
///
/// - Parameters:
///   - input: `[..., in]`.
///   - weight: `[out, in]`.
///   - bias: `[out]`, optional.
/// - Returns: `[..., out]`.
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
    guard let bias else { return matmul(input, weight, transposeB: true) }
    require(
        input.rank >= 1 && weight.rank == 2 && input.shape.last == weight.shape[1],
        "linear: input \(input.shape) does not match weight \(weight.shape) ([out, in])")
    let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
    require(bias.shape == [outFeatures], "linear: bias \(bias.shape) does not match \(outFeatures) output features")
    let rows = input.shape.dropLast().reduce(1, *)
    let outShape = Array(input.shape.dropLast()) + [outFeatures]
    let out = TensorStorage(uninitializedCount: rows * outFeatures)
    Primitives.matmul(
        transposeA: false, transposeB: true, m: rows, n: outFeatures, k: inFeatures,
        a: input.storage.pointer, lda: inFeatures, b: weight.storage.pointer, ldb: inFeatures,
        bias: bias.storage.pointer, c: out.pointer, ldc: outFeatures)
    let matrixShape = [rows, inFeatures]
    return Tensor.result("linear", shape: outShape, storage: out, inputs: [input, weight, bias]) { context in
        let gradient = context.gradient.reshaped([rows, outFeatures])
        return [
            context.needs(0) ? matmul(gradient, weight).reshaped(input.shape) : nil,
            context.needs(1) ? matmul(gradient, input.reshaped(matrixShape), transposeA: true) : nil,
            context.needs(2) ? gradient.sum(axes: [0]) : nil
        ]
    }
}
