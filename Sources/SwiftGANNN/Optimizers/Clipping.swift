import SwiftGANTensor

/// Gradient and weight clipping, and an exponential moving average of weights.
public enum Clipping {
    /// Scales all gradients so their global L2 norm is at most `maxNorm`
    /// (`torch.nn.utils.clip_grad_norm_`, same 1e-6 guard).
    /// - Returns: the global norm before clipping.
    @discardableResult
    public static func clipGradientNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
        require(maxNorm > 0, "clipGradientNorm: maxNorm \(maxNorm) must be positive")
        let gradients = parameters.compactMap(\.grad)
        let total = gradients.reduce(0.0) { sum, gradient in
            sum + gradient.withUnsafeBufferPointer { $0.reduce(0.0) { $0 + Double($1) * Double($1) } }
        }.squareRoot()
        let coefficient = Float(Double(maxNorm) / (total + 1e-6))
        if coefficient < 1 {
            for parameter in parameters {
                if let gradient = parameter.grad { parameter.grad = withoutGradients { gradient * coefficient } }
            }
        }
        return Float(total)
    }

    /// Clamps every gradient element into `[-limit, limit]` (`clip_grad_value_`).
    public static func clipGradientValue(_ parameters: [Parameter], limit: Float) {
        require(limit > 0, "clipGradientValue: limit \(limit) must be positive")
        for parameter in parameters {
            if let gradient = parameter.grad { parameter.grad = withoutGradients { gradient.clamp(min: -limit, max: limit) } }
        }
    }

    /// Clamps every weight into `[-limit, limit]` in place (WGAN's critic
    /// weight clipping, Arjovsky et al. 2017, limit 0.01).
    public static func clipWeights(_ parameters: [Parameter], limit: Float) {
        require(limit > 0, "clipWeights: limit \(limit) must be positive")
        for parameter in parameters {
            parameter.update { values in
                for i in 0..<values.count { values[i] = Swift.min(Swift.max(values[i], -limit), limit) }
            }
        }
    }
}

/// An exponential moving average of a module's parameters kept in a second
/// module of the same architecture (the "EMA generator" of progressive GANs,
/// StyleGAN and BigGAN): `target = decay·target + (1 − decay)·source`, with
/// buffers (BatchNorm statistics) copied as they are.
public final class ExponentialMovingAverage: @unchecked Sendable {
    public let source: Module
    public let target: Module
    public let decay: Float
    private let pairs: [(source: Parameter, target: Parameter)]
    private let bufferPairs: [(source: Buffer, target: Buffer)]

    /// - Throws: `StateDictError` when the two modules differ in keys or shapes.
    public init(source: Module, target: Module, decay: Float = 0.999) throws {
        require(decay >= 0 && decay <= 1, "ExponentialMovingAverage: decay \(decay) must be in [0, 1]")
        try target.loadStateDict(source.stateDict())
        self.source = source
        self.target = target
        self.decay = decay
        pairs = zip(source.namedParameters(), target.namedParameters()).map { ($0.parameter, $1.parameter) }
        bufferPairs = zip(source.namedBuffers(), target.namedBuffers()).map { ($0.buffer, $1.buffer) }
    }

    /// Moves the average one step toward the source's current values.
    public func update() {
        let keep = decay
        for (from, into) in pairs {
            from.value.withUnsafeBufferPointer { source in
                into.update { target in
                    for i in 0..<target.count { target[i] = keep * target[i] + (1 - keep) * source[i] }
                }
            }
        }
        for (from, into) in bufferPairs { into.value = from.value }
    }
}
