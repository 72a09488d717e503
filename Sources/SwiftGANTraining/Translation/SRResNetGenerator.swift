import SwiftGANNN
import SwiftGANTensor

/// SRGAN's generator (Ledig et al. 2017, SRResNet): a 9x9 convolution and
/// PReLU, `residualBlocks` blocks of (3x3 convolution, norm, PReLU, 3x3
/// convolution, norm) with identity skips, a 3x3 convolution and norm added
/// to the head's output, then per factor of 2 a 3x3 convolution to 4x the
/// width, a pixel shuffle and PReLU, and a 9x9 convolution with Tanh.
///
/// Keys: `head.0.weight`, `head.1.weight` (PReLU), `blocks.0.body.0.weight`,
/// …, `trunk.0.weight`, `upsample.0.weight`, `tail.0.weight`.
public final class SRResNetGenerator: TranslationGenerator {
    let head: Sequential
    let blocks: [Module]
    let trunk: Sequential
    let upsample: Sequential
    let tail: Sequential

    public init(_ config: TranslationModelConfig, random: inout RandomGenerator) {
        let width = config.width
        let bias = config.convolutionBias
        head = Sequential([Conv2d(config.inputShape[0], width, kernelSize: 9, padding: 4, random: &random), PReLU()])
        blocks = (0..<config.residualBlocks).map { _ in
            Residual([
                Conv2d(width, width, kernelSize: 3, padding: 1, bias: bias, random: &random), config.normalization(width), PReLU(),
                Conv2d(width, width, kernelSize: 3, padding: 1, bias: bias, random: &random), config.normalization(width)
            ])
        }
        trunk = Sequential([Conv2d(width, width, kernelSize: 3, padding: 1, bias: bias, random: &random), config.normalization(width)])
        var stages: [Module] = []
        var scale = config.upscale
        while scale > 1 {
            stages += [Conv2d(width, width * 4, kernelSize: 3, padding: 1, random: &random), PixelShuffle(2), PReLU()]
            scale /= 2
        }
        upsample = Sequential(stages)
        tail = Sequential([Conv2d(width, config.outputShape[0], kernelSize: 9, padding: 4, random: &random), Tanh()])
        super.init(config: config)
    }

    public override var treatsSamplesIndependently: Bool {
        ([head, trunk, upsample, tail] + blocks).allSatisfy(\.treatsSamplesIndependently)
    }

    public override func translate(_ inputs: Tensor) -> Tensor {
        checkInputs(inputs)
        let features = head(inputs)
        let body = blocks.reduce(features) { $1($0) }
        return tail(upsample(features + trunk(body)))
    }
}
