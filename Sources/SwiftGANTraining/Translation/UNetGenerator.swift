import SwiftGANNN
import SwiftGANTensor

/// pix2pix's U-Net generator (Isola et al. 2017): `depth` 4x4 stride-2
/// convolutions down to 1x1, as many 4x4 stride-2 transposed convolutions
/// back, each decoder level joined by its encoder level's output (channel
/// concatenation). Widths double from `width` up to 8·`width`. The encoder
/// uses LeakyReLU(0.2), the decoder ReLU, both the configured normalisation
/// (none on the outermost and innermost encoder levels), dropout 0.5 on the
/// three decoder levels after the innermost, never on the outermost
/// (pix2pix's three at 256 px; two at 16 px, where there are four levels),
/// Tanh on the output.
///
/// Inputs smaller than the output (super-resolution) are first upsampled
/// bilinearly; sizes that are not a power of two (28) are reflection-padded
/// to the next one and the output cropped back.
///
/// Keys: `down.0.0.weight` (level 0's convolution), `down.1.2.weight` (its
/// norm), …, `up.0.1.weight` (the output convolution), ….
public final class UNetGenerator: TranslationGenerator {
    /// Level `i`'s encoder: its input at size s → its output at s/2.
    let down: [Module]
    /// Level `i`'s decoder: the concatenated skip and inner output → level `i - 1`'s width at size s.
    let up: [Module]

    public init(_ config: TranslationModelConfig, random: inout RandomGenerator) {
        let depth = config.depth
        let widths = (0..<depth).map { config.width * (1 << Swift.min($0, 3)) }
        let bias = config.convolutionBias
        var down: [Module] = []
        for level in 0..<depth {
            let inputs = level == 0 ? config.inputShape[0] : widths[level - 1]
            let conv = Conv2d(inputs, widths[level], kernelSize: 4, stride: 2, padding: 1, bias: bias, random: &random)
            if level == 0 {
                down.append(Sequential([conv]))
            } else if level == depth - 1 {
                down.append(Sequential([LeakyReLU(0.2), conv]))
            } else {
                down.append(Sequential([LeakyReLU(0.2), conv, config.normalization(widths[level])]))
            }
        }
        var up: [Module] = []
        for level in 0..<depth {
            let inputs = level == depth - 1 ? widths[level] : 2 * widths[level]
            if level == 0 {
                let conv = ConvTranspose2d(inputs, config.outputShape[0], kernelSize: 4, stride: 2, padding: 1, bias: true, random: &random)
                up.append(Sequential([ReLU(), conv, Tanh()]))
                continue
            }
            let conv = ConvTranspose2d(inputs, widths[level - 1], kernelSize: 4, stride: 2, padding: 1, bias: bias, random: &random)
            var layers: [Module] = [ReLU(), conv, config.normalization(widths[level - 1])]
            if level < depth - 1 && level >= depth - 4 { layers.append(Dropout(0.5, random: &random)) }
            up.append(Sequential(layers))
        }
        self.down = down
        self.up = up
        super.init(config: config)
    }

    public override var treatsSamplesIndependently: Bool {
        (down + up).allSatisfy(\.treatsSamplesIndependently)
    }

    public override func translate(_ inputs: Tensor) -> Tensor {
        checkInputs(inputs)
        var x = inputs
        if config.upscale > 1 { x = x.upsampleBilinear(scale: config.upscale) }
        let size = config.outputShape[1]
        let padding = config.paddedSize - size
        if padding > 0 {
            x = x.reflectionPadded(left: padding / 2, right: padding - padding / 2, top: padding / 2, bottom: padding - padding / 2)
        }
        var skips: [Tensor] = []
        for level in down {
            x = level(x)
            skips.append(x)
        }
        var y = up[up.count - 1](skips[skips.count - 1])
        for level in stride(from: up.count - 2, through: 0, by: -1) {
            y = up[level](concat([skips[level], y], axis: 1))
        }
        if padding > 0 {
            y = y.slice(axis: 2, start: padding / 2, end: padding / 2 + size).slice(axis: 3, start: padding / 2, end: padding / 2 + size)
        }
        return y
    }
}
