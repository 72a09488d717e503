import SwiftGANNN
import SwiftGANTensor

/// TensorFlow's "same" padding of a convolution with `kernel` and `stride`
/// over a side of `size`: the output has ⌈size / stride⌉ positions, and the
/// padding that needs (`(output − 1)·stride + kernel − size`, at least 0)
/// is split with the smaller half before, the larger after.
func tensorFlowSamePadding(size: Int, kernel: Int, stride: Int) -> (before: Int, after: Int) {
    let output = (size + stride - 1) / stride
    let total = Swift.max((output - 1) * stride + kernel - size, 0)
    return (total / 2, total - total / 2)
}

/// A Keras `Conv2D(outputs, kernel, strides=stride, padding="same")` on
/// square `size`-pixel maps: zero padding as TensorFlow pads (`ZeroPad2d`,
/// omitted when none is needed), then the convolution without padding.
func tensorFlowSameConvolution(
    _ inputs: Int, _ outputs: Int, kernel: Int, stride: Int, size: Int, bias: Bool = true, random: inout RandomGenerator
) -> [Module] {
    let (before, after) = tensorFlowSamePadding(size: size, kernel: kernel, stride: stride)
    let convolution = Conv2d(inputs, outputs, kernelSize: SpatialSize(kernel), stride: SpatialSize(stride), bias: bias, random: &random)
    return (before + after == 0 ? [] : [ZeroPad2d(left: before, right: after, top: before, bottom: after)]) + [convolution]
}

/// A Keras `Conv2DTranspose(outputs, kernel, strides=stride, padding="same")`
/// from square `size`-pixel maps to `size · stride`: the transposed
/// convolution without padding, then the crop that undoes TensorFlow's
/// padding of the matching convolution (a `ZeroPad2d` of negative amounts).
func tensorFlowSameTransposedConvolution(
    _ inputs: Int, _ outputs: Int, kernel: Int, stride: Int, size: Int, bias: Bool = true, random: inout RandomGenerator
) -> [Module] {
    let (before, after) = tensorFlowSamePadding(size: size * stride, kernel: kernel, stride: stride)
    let convolution = ConvTranspose2d(
        inputs, outputs, kernelSize: SpatialSize(kernel), stride: SpatialSize(stride), bias: bias, random: &random)
    // The full transposed output is (size − 1)·stride + kernel; the crop leaves size · stride.
    let extra = (size - 1) * stride + kernel - size * stride - before - after
    return [convolution, ZeroPad2d(left: -before, right: -(after + extra), top: -before, bottom: -(after + extra))]
}

/// The Keras article's discriminator: `Conv2D(64, 5, strides=2,
/// padding="same")`, LeakyReLU(0.2), `Conv2D(128, 5, strides=2,
/// padding="same")`, LeakyReLU(0.2), Flatten, `Dense(1)` (a Sigmoid when
/// the config asks for probabilities). Keys `model.N.weight`/`bias`, with
/// the padding layers counted; Flatten runs over NCHW, not Keras's NHWC
/// (the same function with the dense weights' rows in another order).
public final class KerasConvDiscriminator: DiscriminatorModel {
    let model: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        let (channels, height, width) = (config.discriminatorInputShape[0], config.imageShape[1], config.imageShape[2])
        require(height == width, "KerasConvDiscriminator: square images only, got \(config.imageShape)")
        let half = (height + 1) / 2
        let quarter = (half + 1) / 2
        var layers = tensorFlowSameConvolution(channels, 64, kernel: 5, stride: 2, size: height, random: &random)
        layers.append(LeakyReLU(0.2))
        layers += tensorFlowSameConvolution(64, 128, kernel: 5, stride: 2, size: half, random: &random)
        layers += [LeakyReLU(0.2), Flatten(), Linear(128 * quarter * quarter, 1, random: &random)]
        model = Sequential(layers)
        super.init(config: config)
    }

    public override var treatsSamplesIndependently: Bool { model.treatsSamplesIndependently }

    public override func score(_ samples: Tensor, labels: [Int]?) -> Tensor { finish(model(samples)) }
}

/// TensorFlow's DCGAN tutorial generator for 28x28 images: `Dense(7·7·256,
/// use_bias=False)`, BatchNorm, LeakyReLU(0.3), reshape to 256x7x7,
/// `Conv2DTranspose(128, 5, 1, "same")`, BatchNorm, LeakyReLU,
/// `Conv2DTranspose(64, 5, 2, "same")`, BatchNorm, LeakyReLU,
/// `Conv2DTranspose(C, 5, 2, "same")`, Tanh; no biases; Keras's BatchNorm
/// (momentum 0.99, that is PyTorch's 0.01, and ε 1e-3). Keys `model.N.*`.
/// The reshape is NCHW, where Keras's is NHWC (the dense layer's outputs in
/// another order: the same family of functions).
public final class TensorFlowDCGANGenerator: GeneratorModel {
    let model: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        func norm2d(_ features: Int) -> Module { BatchNorm2d(features, epsilon: 1e-3, momentum: 0.01) }
        var layers: [Module] = [
            Linear(config.latentDimension, 7 * 7 * 256, bias: false, random: &random),
            BatchNorm1d(7 * 7 * 256, epsilon: 1e-3, momentum: 0.01), LeakyReLU(0.3), Unflatten(dim: 1, sizes: [256, 7, 7])
        ]
        layers += tensorFlowSameTransposedConvolution(256, 128, kernel: 5, stride: 1, size: 7, bias: false, random: &random)
        layers += [norm2d(128), LeakyReLU(0.3)]
        layers += tensorFlowSameTransposedConvolution(128, 64, kernel: 5, stride: 2, size: 7, bias: false, random: &random)
        layers += [norm2d(64), LeakyReLU(0.3)]
        layers += tensorFlowSameTransposedConvolution(64, config.imageShape[0], kernel: 5, stride: 2, size: 14, bias: false, random: &random)
        model = Sequential(layers + [Tanh()])
        super.init(config: config)
    }

    public override func generate(_ latents: Tensor, labels: [Int]?) -> Tensor {
        checkLatents(latents)
        return model(latents)
    }

    public override var latentWeights: Tensor? { inputWeights(of: model.layers[0], inputs: 0..<config.latentDimension) }
}

/// TensorFlow's DCGAN tutorial discriminator: `Conv2D(64, 5, 2, "same")`,
/// LeakyReLU(0.3), Dropout(0.3), `Conv2D(128, 5, 2, "same")`, LeakyReLU,
/// Dropout(0.3), Flatten, `Dense(1)` (a logit). Keys `model.N.*`.
public final class TensorFlowDCGANDiscriminator: DiscriminatorModel {
    let model: Sequential

    public init(_ config: ModelConfig, random: inout RandomGenerator) {
        var layers = tensorFlowSameConvolution(config.discriminatorInputShape[0], 64, kernel: 5, stride: 2, size: 28, random: &random)
        layers += [LeakyReLU(0.3), Dropout(0.3, random: &random)]
        layers += tensorFlowSameConvolution(64, 128, kernel: 5, stride: 2, size: 14, random: &random)
        layers += [LeakyReLU(0.3), Dropout(0.3, random: &random), Flatten(), Linear(128 * 7 * 7, 1, random: &random)]
        model = Sequential(layers)
        super.init(config: config)
    }

    public override var treatsSamplesIndependently: Bool { model.treatsSamplesIndependently }

    public override func score(_ samples: Tensor, labels: [Int]?) -> Tensor { finish(model(samples)) }
}
