import SwiftGANNN
import SwiftGANTensor

/// pix2pix's PatchGAN discriminator (Isola et al. 2017, `NLayerDiscriminator`):
/// `patchLayers` 4x4 stride-2 convolutions (widths doubling from
/// `discriminatorWidth` up to 8x), a 4x4 stride-1 convolution and a final
/// 4x4 stride-1 convolution to one logit per patch; LeakyReLU(0.2) and the
/// configured normalisation (none on the first layer). Each logit sees a
/// `receptiveField`-pixel square (70 at 256 px with 3 layers).
///
/// Conditional (pix2pix), it scores the input and the output concatenated
/// on channels, the input upsampled bilinearly to the output's size when
/// smaller. Keys: `main.0.weight`, ….
public final class PatchDiscriminator: Module {
    public let config: TranslationModelConfig
    let main: Sequential

    public init(_ config: TranslationModelConfig, random: inout RandomGenerator) {
        self.config = config
        let channels = config.outputShape[0] + (config.conditionalDiscriminator ? config.inputShape[0] : 0)
        let width = config.discriminatorWidth
        let bias = config.convolutionBias
        var layers: [Module] = [Conv2d(channels, width, kernelSize: 4, stride: 2, padding: 1, random: &random), LeakyReLU(0.2)]
        var features = width
        for layer in 1...config.patchLayers {
            let next = width * Swift.min(1 << layer, 8)
            let stride = layer == config.patchLayers ? 1 : 2
            layers += [
                Conv2d(features, next, kernelSize: 4, stride: SpatialSize(stride), padding: 1, bias: bias, random: &random),
                config.normalization(next), LeakyReLU(0.2)
            ]
            features = next
        }
        layers.append(Conv2d(features, 1, kernelSize: 4, stride: 1, padding: 1, random: &random))
        main = Sequential(layers)
    }

    public override var treatsSamplesIndependently: Bool { main.treatsSamplesIndependently }

    /// Patch logits `[N, 1, h, w]` for images `[N] + outputShape` of an unconditional PatchGAN (CycleGAN's).
    public override func forward(_ input: Tensor) -> Tensor {
        require(!config.conditionalDiscriminator, "PatchDiscriminator: a conditional PatchGAN scores outputs with their inputs (score(_:inputs:))")
        return score(input, inputs: input)
    }

    /// Patch logits `[N, 1, h, w]` for outputs `[N] + outputShape` (and their inputs when conditional).
    public func score(_ outputs: Tensor, inputs: Tensor) -> Tensor {
        require(
            outputs.rank == 4 && Array(outputs.shape.dropFirst()) == config.outputShape,
            "PatchDiscriminator: expected outputs [N, \(config.outputShape.map(String.init).joined(separator: ", "))], got \(outputs.shape)")
        guard config.conditionalDiscriminator else { return main(outputs) }
        let condition = config.upscale > 1 ? inputs.upsampleBilinear(scale: config.upscale) : inputs
        return main(concat([condition, outputs], axis: 1))
    }
}
