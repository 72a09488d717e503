import Foundation

// MARK: - Binary arithmetic with broadcasting

extension Tensor {
    /// Elementwise `a + b` with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let shape = Shape.broadcast(a.shape, b.shape, op: "add")
        let storage = Primitives.zip(a, b, shape: shape, AddOperation())
        let shapeA = a.shape
        let shapeB = b.shape  // the rule needs shapes only, not the inputs' buffers
        return result("add", shape: shape, storage: storage, inputs: [a, b]) { context in
            [
                context.needs(0) ? context.gradient.sum(toShape: shapeA) : nil,
                context.needs(1) ? context.gradient.sum(toShape: shapeB) : nil
            ]
        }
    }

    /// Elementwise `a - b` with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let shape = Shape.broadcast(a.shape, b.shape, op: "sub")
        let storage = Primitives.zip(a, b, shape: shape, SubtractOperation())
        let shapeA = a.shape
        let shapeB = b.shape
        return result("sub", shape: shape, storage: storage, inputs: [a, b]) { context in
            [
                context.needs(0) ? context.gradient.sum(toShape: shapeA) : nil,
                context.needs(1) ? (-context.gradient).sum(toShape: shapeB) : nil
            ]
        }
    }

    /// Elementwise `a * b` with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let shape = Shape.broadcast(a.shape, b.shape, op: "mul")
        let storage = Primitives.zip(a, b, shape: shape, MultiplyOperation())
        return result("mul", shape: shape, storage: storage, inputs: [a, b]) { context in
            [
                context.needs(0) ? (context.gradient * b).sum(toShape: a.shape) : nil,
                context.needs(1) ? (context.gradient * a).sum(toShape: b.shape) : nil
            ]
        }
    }

    /// Elementwise `a / b` with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let shape = Shape.broadcast(a.shape, b.shape, op: "div")
        let storage = Primitives.zip(a, b, shape: shape, DivideOperation())
        return result("div", shape: shape, storage: storage, inputs: [a, b]) { context in
            [
                context.needs(0) ? (context.gradient / b).sum(toShape: a.shape) : nil,
                context.needs(1) ? (-context.gradient * a / (b * b)).sum(toShape: b.shape) : nil
            ]
        }
    }

    /// Elementwise `-x`.
    public static prefix func - (x: Tensor) -> Tensor {
        let storage = Primitives.map(x, NegateOperation())
        return result("neg", shape: x.shape, storage: storage, inputs: [x]) { context in
            [-context.gradient]
        }
    }

    // MARK: Scalars (broadcast as rank-0 tensors; results keep the tensor's shape)

    /// `a + b` for every element of `a`.
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    /// `a + b` for every element of `b`.
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    /// `a - b` for every element of `a`.
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    /// `a - b` for every element of `b`.
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    /// `a * b` for every element of `a`.
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    /// `a * b` for every element of `b`.
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    /// `a / b` for every element of `a`.
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    /// `a / b` for every element of `b`.
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    /// Elementwise `x^exponent` with broadcasting (both operands differentiable).
    ///
    /// The gradient with respect to `exponent` uses `log(x)`, so it is only
    /// finite for positive `x`.
    public func pow(_ exponent: Tensor) -> Tensor {
        let base = self
        let shape = Shape.broadcast(base.shape, exponent.shape, op: "pow")
        let storage = Primitives.zip(base, exponent, shape: shape, cost: 8) { Foundation.pow($0, $1) }
        return Tensor.result(
            "pow", shape: shape, storage: storage, inputs: [base, exponent],
            savesOutput: true
        ) { context in
            let gradient = context.gradient
            return [
                context.needs(0) ? (gradient * exponent * base.pow(exponent - 1)).sum(toShape: base.shape) : nil,
                context.needs(1) ? (gradient * context.output! * base.log()).sum(toShape: exponent.shape) : nil
            ]
        }
    }

    /// Elementwise `x^exponent` for a constant exponent.
    public func pow(_ exponent: Float) -> Tensor {
        let base = self
        if exponent == 2 { return base * base }
        if exponent == 1 { return base }
        if exponent == 0 {
            // x⁰ = 1 with a zero gradient everywhere, also at x = 0.
            let inputShape = shape
            return Tensor.result(
                "pow", shape: shape, storage: TensorStorage(count: count, repeating: 1),
                inputs: [base]
            ) { _ in [Tensor.zeros(inputShape)] }
        }
        let storage = Primitives.map(base, cost: 8) { Foundation.pow($0, exponent) }
        return Tensor.result("pow", shape: shape, storage: storage, inputs: [base]) { context in
            [context.gradient * (exponent * base.pow(exponent - 1))]
        }
    }

    /// Elementwise `x * x`.
    public func square() -> Tensor { self * self }

    /// Elementwise minimum with broadcasting; where equal, each side gets
    /// half the gradient (as PyTorch's `torch.minimum`).
    public func minimum(_ other: Tensor) -> Tensor {
        let a = self
        let b = other
        let shape = Shape.broadcast(a.shape, b.shape, op: "minimum")
        let storage = Primitives.zip(a, b, shape: shape) { Swift.min($0, $1) }
        return Tensor.result("minimum", shape: shape, storage: storage, inputs: [a, b]) { context in
            let takeA = a.less(b) + 0.5 * a.equal(b)
            return [
                context.needs(0) ? (context.gradient * takeA).sum(toShape: a.shape) : nil,
                context.needs(1) ? (context.gradient * (1 - takeA)).sum(toShape: b.shape) : nil
            ]
        }
    }

    /// Elementwise maximum with broadcasting; where equal, each side gets
    /// half the gradient (as PyTorch's `torch.maximum`).
    public func maximum(_ other: Tensor) -> Tensor {
        let a = self
        let b = other
        let shape = Shape.broadcast(a.shape, b.shape, op: "maximum")
        let storage = Primitives.zip(a, b, shape: shape) { Swift.max($0, $1) }
        return Tensor.result("maximum", shape: shape, storage: storage, inputs: [a, b]) { context in
            let takeA = a.greater(b) + 0.5 * a.equal(b)
            return [
                context.needs(0) ? (context.gradient * takeA).sum(toShape: a.shape) : nil,
                context.needs(1) ? (context.gradient * (1 - takeA)).sum(toShape: b.shape) : nil
            ]
        }
    }
}

// MARK: - Comparisons (masks of 0 and 1, never differentiable)

extension Tensor {
    private func compare(_ other: Tensor, _ op: String, _ predicate: (Float, Float) -> Bool) -> Tensor {
        let shape = Shape.broadcast(self.shape, other.shape, op: op)
        return Tensor(
            shape: shape,
            storage: Primitives.zip(self, other, shape: shape) {
                predicate($0, $1) ? 1 : 0
            })
    }

    /// 1 where `self == other`, else 0 (broadcasting).
    public func equal(_ other: Tensor) -> Tensor { compare(other, "equal") { $0 == $1 } }
    /// 1 where `self != other`, else 0.
    public func notEqual(_ other: Tensor) -> Tensor { compare(other, "notEqual") { $0 != $1 } }
    /// 1 where `self < other`, else 0.
    public func less(_ other: Tensor) -> Tensor { compare(other, "less") { $0 < $1 } }
    /// 1 where `self <= other`, else 0.
    public func lessEqual(_ other: Tensor) -> Tensor { compare(other, "lessEqual") { $0 <= $1 } }
    /// 1 where `self > other`, else 0.
    public func greater(_ other: Tensor) -> Tensor { compare(other, "greater") { $0 > $1 } }
    /// 1 where `self >= other`, else 0.
    public func greaterEqual(_ other: Tensor) -> Tensor { compare(other, "greaterEqual") { $0 >= $1 } }

    /// 1 where an element equals `value`, else 0.
    public func equal(_ value: Float) -> Tensor { equal(Tensor(value)) }
    /// 1 where an element is less than `value`, else 0.
    public func less(_ value: Float) -> Tensor { less(Tensor(value)) }
    /// 1 where an element is at most `value`, else 0.
    public func lessEqual(_ value: Float) -> Tensor { lessEqual(Tensor(value)) }
    /// 1 where an element is greater than `value`, else 0.
    public func greater(_ value: Float) -> Tensor { greater(Tensor(value)) }
    /// 1 where an element is at least `value`, else 0.
    public func greaterEqual(_ value: Float) -> Tensor { greaterEqual(Tensor(value)) }
}

/// Elementwise selection: `a` where `mask` is non-zero, else `b`
/// (all three broadcast together). Differentiable in `a` and `b`.
public func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let shape = Shape.broadcast(Shape.broadcast(mask.shape, a.shape, op: "where"), b.shape, op: "where")
    let storage = Primitives.zip3(mask, a, b, shape: shape) { $0 != 0 ? $1 : $2 }
    let constantMask = mask.detached()
    return Tensor.result("where", shape: shape, storage: storage, inputs: [a, b]) { context in
        let zero = Tensor(0)
        return [
            context.needs(0) ? `where`(constantMask, context.gradient, zero).sum(toShape: a.shape) : nil,
            context.needs(1) ? `where`(constantMask, zero, context.gradient).sum(toShape: b.shape) : nil
        ]
    }
}
