import SwiftGANNN
import SwiftGANTensor

/// CycleGAN's generator (Zhu et al. 2017, after Johnson et al. 2016): a
/// reflection-padded 7x7 convolution, two 3x3 stride-2 convolutions that
/// halve the size and double the width, `residualBlocks` residual blocks at
/// a quarter of the size, two 3x3 stride-2 transposed convolutions back up,
/// and a reflection-padded 7x7 convolution to the output channels with Tanh.
/// Each convolution but the last is followed by the configured normalisation
/// and ReLU.
///
/// Inputs `[N, Ci, H, W]` to outputs `[N, Co, H, W]` in [-1, 1], `H` and `W`
/// multiples of 4. Keys follow one `Sequential` as in the reference
/// implementation: `model.1.weight` (the first convolution), `model.4.weight`,
/// `model.7.weight` (the downsamplings), `model.10.conv_block.1.weight`, …
/// (the blocks), then the transposed convolutions and `model.{last}.weight`.
public final class ResNetGenerator: Module {
    public let inputChannels: Int
    public let outputChannels: Int
    let model: Sequential

    /// - Parameters:
    ///   - width: channels after the first convolution (ngf; the blocks run at 4x).
    ///   - residualBlocks: blocks at the bottleneck (CycleGAN: 9 at 256 px, 6 at 128 px).
    ///   - normalization: `.instance` (CycleGAN) or `.batch`; convolutions have biases only with InstanceNorm.
    public init(
        inputChannels: Int, outputChannels: Int, width: Int, residualBlocks: Int, normalization: TranslationModelConfig.Normalization,
        random: inout RandomGenerator
    ) {
        require(inputChannels > 0 && outputChannels > 0 && width > 0, "ResNetGenerator: channels and width must be positive")
        require(residualBlocks >= 0, "ResNetGenerator: residualBlocks \(residualBlocks) must be non-negative")
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        let bias = normalization == .instance
        func norm(_ features: Int) -> Module {
            normalization == .instance ? InstanceNorm2d(features) : BatchNorm2d(features)
        }
        var layers: [Module] = [
            ReflectionPad2d(3), Conv2d(inputChannels, width, kernelSize: 7, bias: bias, random: &random), norm(width), ReLU()
        ]
        for level in 0..<2 {
            let features = width << level
            layers += [
                Conv2d(features, features * 2, kernelSize: 3, stride: 2, padding: 1, bias: bias, random: &random), norm(features * 2), ReLU()
            ]
        }
        let bottleneck = width * 4
        for _ in 0..<residualBlocks {
            layers.append(ResNetBlock(bottleneck, bias: bias, norm: norm, random: &random))
        }
        for level in (0..<2).reversed() {
            let features = width << (level + 1)
            layers += [
                ConvTranspose2d(
                    features, features / 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, bias: bias, random: &random),
                norm(features / 2), ReLU()
            ]
        }
        layers += [ReflectionPad2d(3), Conv2d(width, outputChannels, kernelSize: 7, random: &random), Tanh()]
        model = Sequential(layers)
    }

    public override var treatsSamplesIndependently: Bool { model.treatsSamplesIndependently }

    /// Outputs `[N, outputChannels, H, W]` for inputs `[N, inputChannels, H, W]`.
    public override func forward(_ input: Tensor) -> Tensor {
        require(
            input.rank == 4 && input.shape[1] == inputChannels && input.shape[2] % 4 == 0 && input.shape[3] % 4 == 0,
            "ResNetGenerator: expected [N, \(inputChannels), H, W] with H and W multiples of 4, got \(input.shape)")
        return model(input)
    }
}

/// One residual block of the ResNet generator: x + (reflection pad 1, 3x3
/// convolution, norm, ReLU, reflection pad 1, 3x3 convolution, norm)(x).
/// Keys: `conv_block.1.weight`, `conv_block.5.weight`.
public final class ResNetBlock: Module {
    let convBlock: Sequential

    public override class var stateKeys: [String: String] { ["convBlock": "conv_block"] }

    init(_ features: Int, bias: Bool, norm: (Int) -> Module, random: inout RandomGenerator) {
        convBlock = Sequential([
            ReflectionPad2d(1), Conv2d(features, features, kernelSize: 3, bias: bias, random: &random), norm(features), ReLU(),
            ReflectionPad2d(1), Conv2d(features, features, kernelSize: 3, bias: bias, random: &random), norm(features)
        ])
    }

    public override var treatsSamplesIndependently: Bool { convBlock.treatsSamplesIndependently }

    public override func forward(_ input: Tensor) -> Tensor { input + convBlock(input) }
}
