import SwiftGANTensor

/// 2-D convolution (PyTorch `nn.Conv2d`): input `[N, in, H, W]`, weight
/// `[out, in, kH, kW]`, bias `[out]`, PyTorch's default initialisation.
public final class Conv2d: WeightedLayer {
    public let stride: SpatialSize
    public let padding: SpatialSize
    public let dilation: SpatialSize

    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: SpatialSize, stride: SpatialSize = 1,
        padding: SpatialSize = 0, dilation: SpatialSize = 1, bias: Bool = true,
        random: inout RandomGenerator
    ) {
        require(
            inChannels > 0 && outChannels > 0 && kernelSize.height > 0 && kernelSize.width > 0,
            "Conv2d: channels and kernel size must be positive, got \(inChannels) -> \(outChannels), kernel \(kernelSize)")
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        let shape = [outChannels, inChannels, kernelSize.height, kernelSize.width]
        let weight = Initializer.kaimingUniform(shape, random: &random)
        let biasValue = bias ? Initializer.defaultBias(count: outChannels, weightShape: shape, random: &random) : nil
        super.init(weight: weight, bias: biasValue)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        conv2d(input, weight: effectiveWeight(), bias: bias?.value, stride: stride, padding: padding, dilation: dilation)
    }
}

/// 2-D transposed convolution (PyTorch `nn.ConvTranspose2d`): input
/// `[N, in, H, W]`, weight `[in, out, kH, kW]`, bias `[out]`, PyTorch's
/// default initialisation (whose fan-in is `out * kH * kW` for this layout).
public final class ConvTranspose2d: WeightedLayer {
    public let stride: SpatialSize
    public let padding: SpatialSize
    public let outputPadding: SpatialSize
    public let dilation: SpatialSize

    public init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: SpatialSize, stride: SpatialSize = 1,
        padding: SpatialSize = 0, outputPadding: SpatialSize = 0, dilation: SpatialSize = 1,
        bias: Bool = true, random: inout RandomGenerator
    ) {
        require(
            inChannels > 0 && outChannels > 0 && kernelSize.height > 0 && kernelSize.width > 0,
            "ConvTranspose2d: channels and kernel size must be positive, got \(inChannels) -> \(outChannels), kernel \(kernelSize)")
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        let shape = [inChannels, outChannels, kernelSize.height, kernelSize.width]
        let weight = Initializer.kaimingUniform(shape, random: &random)
        let biasValue = bias ? Initializer.defaultBias(count: outChannels, weightShape: shape, random: &random) : nil
        super.init(weight: weight, bias: biasValue)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        convTranspose2d(
            input, weight: effectiveWeight(), bias: bias?.value, stride: stride, padding: padding,
            outputPadding: outputPadding, dilation: dilation)
    }
}
