import SwiftGANTensor

/// A fully connected layer `y = x Wᵀ + b` (PyTorch `nn.Linear`).
///
/// Weight `[out, in]` and bias `[out]`, initialised as in PyTorch:
/// Kaiming-uniform (a = √5) and U(-1/√in, 1/√in).
/// Input `[..., in]`, output `[..., out]`.
public final class Linear: WeightedLayer {
    public let inFeatures: Int
    public let outFeatures: Int

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, random: inout RandomGenerator) {
        require(
            inFeatures > 0 && outFeatures > 0,
            "Linear: features must be positive, got in \(inFeatures), out \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let weight = Initializer.kaimingUniform([outFeatures, inFeatures], random: &random)
        let biasValue = bias ? Initializer.defaultBias(count: outFeatures, weightShape: weight.shape, random: &random) : nil
        super.init(weight: weight, bias: biasValue)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        require(
            input.shape.last == inFeatures,
            "Linear: input \(input.shape) does not end in \(inFeatures) features")
        return linear(input, weight: effectiveWeight(), bias: bias?.value)
    }
}
