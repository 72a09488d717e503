import SwiftGANTensor

/// `max(x, 0)` (PyTorch `nn.ReLU`).
public final class ReLU: Module {
    public override init() {}
    public override var treatsSamplesIndependently: Bool { true }
    public override func forward(_ input: Tensor) -> Tensor { input.relu() }
}

/// `x` if positive, else `negativeSlope * x` (PyTorch `nn.LeakyReLU`, default slope 0.01; GANs use 0.2).
public final class LeakyReLU: Module {
    public let negativeSlope: Float
    public init(_ negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public override var treatsSamplesIndependently: Bool { true }
    public override func forward(_ input: Tensor) -> Tensor { input.leakyRelu(negativeSlope) }
}

/// Hyperbolic tangent (PyTorch `nn.Tanh`), the usual generator output.
public final class Tanh: Module {
    public override init() {}
    public override var treatsSamplesIndependently: Bool { true }
    public override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Logistic sigmoid (PyTorch `nn.Sigmoid`).
public final class Sigmoid: Module {
    public override init() {}
    public override var treatsSamplesIndependently: Bool { true }
    public override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// Exponential linear unit (PyTorch `nn.ELU`, default alpha 1).
public final class ELU: Module {
    public let alpha: Float
    public init(alpha: Float = 1) { self.alpha = alpha }
    public override var treatsSamplesIndependently: Bool { true }
    public override func forward(_ input: Tensor) -> Tensor { input.elu(alpha: alpha) }
}

/// `log(1 + e^(βx)) / β` (PyTorch `nn.Softplus`). Computed stably for all
/// inputs, so PyTorch's linear `threshold` shortcut is not needed (it
/// changes results by less than 1e-8 at its default of 20).
public final class Softplus: Module {
    public let beta: Float
    public init(beta: Float = 1) {
        require(beta > 0, "Softplus: beta \(beta) must be positive")
        self.beta = beta
    }
    public override var treatsSamplesIndependently: Bool { true }
    public override func forward(_ input: Tensor) -> Tensor {
        beta == 1 ? input.softplus() : (input * beta).softplus() / beta
    }
}

/// `x` if positive, else `a_c · x` with a learned slope per channel (PyTorch
/// `nn.PReLU(num_parameters)`, He et al. 2015; SRGAN's activation). The
/// slopes, `weight` `[numParameters]`, start at `initial` (0.25). Channels
/// are axis 1; one parameter shares a slope across all of them.
public final class PReLU: Module {
    public let weight: Parameter

    public init(numParameters: Int = 1, initial: Float = 0.25) {
        require(numParameters >= 1, "PReLU: numParameters \(numParameters) must be at least 1")
        weight = Parameter(Tensor(Array(repeating: initial, count: numParameters), shape: [numParameters]))
    }

    public override var treatsSamplesIndependently: Bool { true }

    public override func forward(_ input: Tensor) -> Tensor {
        let count = weight.shape[0]
        let slope: Tensor
        if count == 1 {
            slope = weight.value.reshaped([])
        } else {
            require(
                input.rank >= 2 && input.shape[1] == count,
                "PReLU: \(count) slopes for an input of shape \(input.shape) (channels are axis 1)")
            var shape = [Int](repeating: 1, count: input.rank)
            shape[1] = count
            slope = weight.value.reshaped(shape)
        }
        let positive = input.relu()
        return positive + slope * (input - positive)
    }
}
