import SwiftGANTensor

/// Stochastic gradient descent with momentum, dampening, Nesterov momentum
/// and weight decay, exactly as `torch.optim.SGD`. State: `momentum_buffer`.
public final class SGD: Optimizer, @unchecked Sendable {
    public let momentum: Float, dampening: Float, weightDecay: Float
    public let nesterov: Bool

    /// - Precondition: learning rate, momentum and weight decay ≥ 0;
    ///   Nesterov needs momentum > 0 and zero dampening.
    public init(
        _ parameters: [Parameter], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
        weightDecay: Float = 0, nesterov: Bool = false
    ) {
        require(momentum >= 0, "SGD: momentum \(momentum) must not be negative")
        require(weightDecay >= 0, "SGD: weight decay \(weightDecay) must not be negative")
        require(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum requires momentum > 0 and zero dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        super.init(parameters, learningRate: learningRate)
    }

    public override var keepsStatePerParameter: Bool { momentum != 0 }

    public override func update(index: Int, parameter: Parameter, gradient: Tensor) {
        let (mu, damp, decay, rate, useNesterov) = (momentum, dampening, weightDecay, learningRate, nesterov)
        var buffer = state[index]["momentum_buffer"]
        let firstStep = buffer == nil
        if momentum != 0 && buffer == nil { buffer = Tensor.zeros(parameter.shape) }
        state[index] = [:]
        var momentumBuffer = buffer ?? Tensor(0)
        gradient.withUnsafeBufferPointer { g in
            momentumBuffer.withUnsafeMutableBufferPointer { b in
                parameter.update { p in
                    for i in 0..<p.count {
                        var direction = g[i] + decay * p[i]
                        if mu != 0 {
                            b[i] = firstStep ? direction : mu * b[i] + (1 - damp) * direction
                            direction = useNesterov ? direction + mu * b[i] : b[i]
                        }
                        p[i] -= rate * direction
                    }
                }
            }
        }
        if momentum != 0 { state[index]["momentum_buffer"] = momentumBuffer }
    }
}

/// RMSprop (Tieleman & Hinton 2012) as `torch.optim.RMSprop`: smoothing
/// `alpha`, optional momentum and centring. State: `step`, `square_avg`
/// (`momentum_buffer`, `grad_avg` when used). WGAN's optimizer.
public final class RMSprop: Optimizer, @unchecked Sendable {
    public let alpha: Float, epsilon: Float, weightDecay: Float, momentum: Float
    public let centered: Bool

    /// - Precondition: learning rate, ε, weight decay and momentum ≥ 0; α in [0, 1].
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-2, alpha: Float = 0.99, epsilon: Float = 1e-8,
        weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false
    ) {
        require(alpha >= 0 && alpha <= 1, "RMSprop: alpha \(alpha) must be in [0, 1]")
        require(epsilon >= 0, "RMSprop: epsilon \(epsilon) must not be negative")
        require(weightDecay >= 0, "RMSprop: weight decay \(weightDecay) must not be negative")
        require(momentum >= 0, "RMSprop: momentum \(momentum) must not be negative")
        self.alpha = alpha
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        super.init(parameters, learningRate: learningRate)
    }

    public override var keepsStatePerParameter: Bool { true }

    public override func update(index: Int, parameter: Parameter, gradient: Tensor) {
        let zeros = { Tensor.zeros(parameter.shape) }
        let step = Tensor(stateTensor("step", index: index) { Tensor(0) }.item + 1)
        var squareAverage = stateTensor("square_avg", index: index, initial: zeros)
        var gradientAverage = centered ? stateTensor("grad_avg", index: index, initial: zeros) : Tensor(0)
        var momentumBuffer = momentum > 0 ? stateTensor("momentum_buffer", index: index, initial: zeros) : Tensor(0)
        state[index] = [:]
        let (a, eps, decay, mu, rate, isCentered) = (alpha, epsilon, weightDecay, momentum, learningRate, centered)
        gradient.withUnsafeBufferPointer { g in
            squareAverage.withUnsafeMutableBufferPointer { s in
                gradientAverage.withUnsafeMutableBufferPointer { ga in
                    momentumBuffer.withUnsafeMutableBufferPointer { b in
                        parameter.update { p in
                            for i in 0..<p.count {
                                let grad = g[i] + decay * p[i]
                                s[i] = a * s[i] + (1 - a) * grad * grad
                                var average: Float
                                if isCentered {
                                    ga[i] = a * ga[i] + (1 - a) * grad
                                    average = (s[i] - ga[i] * ga[i]).squareRoot() + eps
                                } else {
                                    average = s[i].squareRoot() + eps
                                }
                                if mu > 0 {
                                    b[i] = mu * b[i] + grad / average
                                    p[i] -= rate * b[i]
                                } else {
                                    p[i] -= rate * grad / average
                                }
                            }
                        }
                    }
                }
            }
        }
        state[index] = ["step": step, "square_avg": squareAverage]
        if centered { state[index]["grad_avg"] = gradientAverage }
        if momentum > 0 { state[index]["momentum_buffer"] = momentumBuffer }
    }
}
