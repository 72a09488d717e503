import Foundation

// MARK: - Elementwise math

extension Tensor {
    /// Elementwise `e^x`.
    public func exp() -> Tensor {
        let storage = Primitives.map(self, cost: 8) { Foundation.exp($0) }
        return Tensor.result("exp", shape: shape, storage: storage, inputs: [self], savesOutput: true) { context in
            [context.gradient * context.output!]
        }
    }

    /// Elementwise natural logarithm.
    public func log() -> Tensor {
        let x = self
        let storage = Primitives.map(x, cost: 8) { Foundation.log($0) }
        return Tensor.result("log", shape: shape, storage: storage, inputs: [x]) { context in
            [context.gradient / x]
        }
    }

    /// Elementwise square root.
    public func sqrt() -> Tensor {
        let storage = Primitives.map(self, cost: 4) { $0.squareRoot() }
        return Tensor.result("sqrt", shape: shape, storage: storage, inputs: [self], savesOutput: true) { context in
            [context.gradient / (2 * context.output!)]
        }
    }

    /// Elementwise absolute value; the gradient at 0 is 0, as in PyTorch.
    public func abs() -> Tensor {
        let x = self
        let storage = Primitives.map(x) { Swift.abs($0) }
        return Tensor.result("abs", shape: shape, storage: storage, inputs: [x]) { context in
            [context.gradient * x.sign()]
        }
    }

    /// Elementwise sign: -1, 0 or 1. Not differentiable (constant).
    public func sign() -> Tensor {
        Tensor(shape: shape, storage: Primitives.map(self) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) })
    }

    /// Elementwise clamp into `[min, max]` (either bound may be omitted).
    /// The gradient passes where the input lies inside the bounds (inclusive).
    public func clamp(min lower: Float? = nil, max upper: Float? = nil) -> Tensor {
        let x = self
        let low = lower ?? -.infinity
        let high = upper ?? .infinity
        require(low <= high, "clamp: min \(low) is greater than max \(high)")
        let storage = Primitives.map(x) { Swift.min(Swift.max($0, low), high) }
        return Tensor.result("clamp", shape: shape, storage: storage, inputs: [x]) { context in
            let inside = Tensor(shape: x.shape, storage: Primitives.map(x) { $0 >= low && $0 <= high ? 1 : 0 })
            return [context.gradient * inside]
        }
    }
}

// MARK: - Activations

extension Tensor {
    /// `max(x, 0)`.
    public func relu() -> Tensor {
        let x = self
        let storage = Primitives.map(x, ReLUOperation())
        return Tensor.result("relu", shape: shape, storage: storage, inputs: [x]) { context in
            [context.gradient * Tensor(shape: x.shape, storage: Primitives.map(x, LeakyReLUSlopeOperation(slope: 0)))]
        }
    }

    /// `x` for positive inputs, `negativeSlope * x` otherwise.
    public func leakyRelu(_ negativeSlope: Float = 0.01) -> Tensor {
        let x = self
        let storage = Primitives.map(x, LeakyReLUOperation(slope: negativeSlope))
        return Tensor.result("leakyRelu", shape: shape, storage: storage, inputs: [x]) { context in
            let slope = Tensor(shape: x.shape, storage: Primitives.map(x, LeakyReLUSlopeOperation(slope: negativeSlope)))
            return [context.gradient * slope]
        }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let count = self.count
        let storage = TensorStorage(uninitializedCount: count)
        let source = self.storage.pointer
        let destination = storage.pointer
        Primitives.tanh(source, destination, count: count)
        return Tensor.result("tanh", shape: shape, storage: storage, inputs: [self], savesOutput: true) { context in
            let y = context.output!
            return [context.gradient * (1 - y * y)]
        }
    }

    /// Logistic sigmoid `1 / (1 + e^-x)`, computed without overflow.
    public func sigmoid() -> Tensor {
        let storage = Primitives.map(self, cost: 8) { x in
            if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
            let e = Foundation.exp(x)
            return e / (1 + e)
        }
        return Tensor.result("sigmoid", shape: shape, storage: storage, inputs: [self], savesOutput: true) { context in
            let y = context.output!
            return [context.gradient * (y * (1 - y))]
        }
    }

    /// `log(1 + e^x)`, stable for large `|x|`.
    public func softplus() -> Tensor {
        let x = self
        let storage = Primitives.map(x, cost: 16) { Swift.max($0, 0) + Foundation.log1p(Foundation.exp(-Swift.abs($0))) }
        return Tensor.result("softplus", shape: shape, storage: storage, inputs: [x]) { context in
            [context.gradient * x.sigmoid()]
        }
    }

    /// `log(sigmoid(x)) = -softplus(-x)`, stable for large `|x|`.
    public func logSigmoid() -> Tensor { -(-self).softplus() }

    /// Exponential linear unit: `x` for positive inputs, `alpha * (e^x - 1)` otherwise.
    public func elu(alpha: Float = 1) -> Tensor {
        let x = self
        let storage = Primitives.map(x, cost: 8) { $0 > 0 ? $0 : alpha * Foundation.expm1($0) }
        return Tensor.result("elu", shape: shape, storage: storage, inputs: [x]) { context in
            let positive = x.greater(0)
            let negativeSlope = alpha * x.minimum(Tensor(0)).exp()
            return [context.gradient * (positive + (1 - positive) * negativeSlope)]
        }
    }

    /// `log(sum(exp(x)))` over `axes`, computed stably by subtracting the maximum.
    public func logSumExp(axes: [Int], keepDims: Bool = false) -> Tensor {
        let shift = withoutGradients { self.max(axes: axes, keepDims: true) }
        let shiftedSum = (self - shift).exp().sum(axes: axes, keepDims: true)
        let value = shiftedSum.log() + shift
        return keepDims ? value : value.squeezing(axes: axes)
    }

    /// `x - logSumExp(x)` along `axis`: log-probabilities that never overflow.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        self - logSumExp(axes: [axis], keepDims: true)
    }

    /// `e^x / sum(e^x)` along `axis`, computed stably.
    public func softmax(axis: Int = -1) -> Tensor {
        logSoftmax(axis: axis).exp()
    }
}
