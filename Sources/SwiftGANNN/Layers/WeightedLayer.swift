import SwiftGANTensor

/// A layer with a `weight` and an optional `bias` (Linear, Conv2d,
/// ConvTranspose2d), which spectral normalisation can wrap.
open class WeightedLayer: Module {
    /// The weight in PyTorch's layout for the layer.
    public let weight: Parameter
    /// The bias `[out]`, if the layer has one.
    public let bias: Parameter?
    /// Spectral normalisation state, when enabled with `spectralNormalized`.
    public internal(set) var spectralNorm: SpectralNorm?

    init(weight: Tensor, bias: Tensor?) {
        self.weight = Parameter(weight)
        self.bias = bias.map(Parameter.init)
    }

    /// The weight used in the forward pass: `weight / σ(weight)` under
    /// spectral normalisation, otherwise `weight` itself.
    public func effectiveWeight() -> Tensor {
        guard let spectralNorm else { return weight.value }
        return spectralNorm.normalize(weight.value, powerIteration: isTraining)
    }

    /// PyTorch's key names: `weight`, `bias`; with spectral norm `bias`,
    /// `weight_orig` (the parameter is re-registered last, as PyTorch does).
    open override var localParameters: [(name: String, parameter: Parameter)] {
        var result: [(String, Parameter)] = []
        if spectralNorm == nil { result.append(("weight", weight)) }
        if let bias { result.append(("bias", bias)) }
        if spectralNorm != nil { result.append(("weight_orig", weight)) }
        return result
    }

    open override var localBuffers: [(name: String, buffer: Buffer)] {
        guard let spectralNorm else { return [] }
        return [("weight_u", spectralNorm.u), ("weight_v", spectralNorm.v)]
    }

    open override var children: [(name: String, module: Module)] { [] }

    /// True except in training under spectral normalisation, whose power
    /// iteration advances on every call.
    open override var treatsSamplesIndependently: Bool { spectralNorm == nil || !isTraining }
}

/// Spectral normalisation (Miyato et al. 2018): divides a weight by an
/// estimate of its largest singular value σ, kept by power iteration.
///
/// This follows PyTorch's classic `torch.nn.utils.spectral_norm` (not the
/// newer parametrization API) so checkpoints use the names PyTorch GAN code
/// has used for years: the trainable weight is `weight_orig` and the power
/// iteration vectors are the buffers `weight_u` `[h]` and `weight_v` `[w]`,
/// where the weight is viewed as an `h x w` matrix with `dim` first (dim 0;
/// dim 1 for ConvTranspose2d). Each training forward runs `powerIterations`
/// updates of u and v (without gradients); evaluation runs none. σ = uᵀ W v
/// is differentiated through W only.
public final class SpectralNorm: @unchecked Sendable {
    public let u: Buffer
    public let v: Buffer
    public let dimension: Int
    public let powerIterations: Int
    public let epsilon: Float

    init(weightShape: [Int], dimension: Int, powerIterations: Int, epsilon: Float, random: inout RandomGenerator) {
        require(powerIterations >= 1, "spectralNorm: powerIterations \(powerIterations) must be at least 1")
        self.dimension = dimension
        self.powerIterations = powerIterations
        self.epsilon = epsilon
        let height = weightShape[dimension]
        let width = weightShape.reduce(1, *) / Swift.max(height, 1)
        let u0 = Tensor.normal([height], random: &random)
        let v0 = Tensor.normal([width], random: &random)
        u = Buffer(SpectralNorm.normalized(u0, epsilon: epsilon))
        v = Buffer(SpectralNorm.normalized(v0, epsilon: epsilon))
    }

    static func normalized(_ x: Tensor, epsilon: Float) -> Tensor {
        x / x.norm().maximum(Tensor(epsilon))
    }

    /// The weight as an `[h, w]` matrix with `dimension` first.
    func matrix(_ weight: Tensor) -> Tensor {
        var order = Array(0..<weight.rank)
        if dimension != 0 {
            order.remove(at: dimension)
            order.insert(dimension, at: 0)
        }
        return weight.permuted(order).reshaped([weight.shape[dimension], -1])
    }

    /// `weight / σ`, updating u and v first when `powerIteration`.
    func normalize(_ weight: Tensor, powerIteration: Bool) -> Tensor {
        let weightMatrix = matrix(weight)
        if powerIteration {
            withoutGradients {
                let constant = weightMatrix.detached()
                var uValue = u.value
                var vValue = v.value
                for _ in 0..<powerIterations {
                    vValue = SpectralNorm.normalized(matmul(constant, uValue, transposeA: true), epsilon: epsilon)
                    uValue = SpectralNorm.normalized(matmul(constant, vValue), epsilon: epsilon)
                }
                u.value = uValue
                v.value = vValue
            }
        }
        let sigma = (u.value * matmul(weightMatrix, v.value)).sum()
        return weight / sigma
    }

    /// The current estimate of the largest singular value.
    public func sigma(of weight: Tensor) -> Float {
        withoutGradients { (u.value * matmul(matrix(weight), v.value)).sum().item }
    }
}

/// Enables spectral normalisation on `layer` (PyTorch
/// `torch.nn.utils.spectral_norm(layer)`) and returns it.
///
/// - Parameters:
///   - powerIterations: power-iteration steps per training forward (PyTorch default 1).
///   - epsilon: added to norms to avoid division by zero (PyTorch default 1e-12).
@discardableResult
public func spectralNormalized<Layer: WeightedLayer>(
    _ layer: Layer, powerIterations: Int = 1, epsilon: Float = 1e-12, random: inout RandomGenerator
) -> Layer {
    require(layer.spectralNorm == nil, "spectralNormalized: \(type(of: layer)) is already spectrally normalised")
    let dimension = layer is ConvTranspose2d ? 1 : 0
    layer.spectralNorm = SpectralNorm(
        weightShape: layer.weight.shape, dimension: dimension,
        powerIterations: powerIterations, epsilon: epsilon, random: &random)
    return layer
}
