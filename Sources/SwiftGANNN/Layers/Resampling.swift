import SwiftGANTensor

/// Pads H and W by reflection (PyTorch `nn.ReflectionPad2d`), as CycleGAN's
/// ResNet generator does before its convolutions. `[N, C, H, W]` →
/// `[N, C, H + top + bottom, W + left + right]`; no parameters.
public final class ReflectionPad2d: Module {
    public let left: Int
    public let right: Int
    public let top: Int
    public let bottom: Int

    /// The same `padding` on all four sides.
    public convenience init(_ padding: Int) { self.init(left: padding, right: padding, top: padding, bottom: padding) }

    public init(left: Int, right: Int, top: Int, bottom: Int) {
        require(
            [left, right, top, bottom].allSatisfy { $0 >= 0 },
            "ReflectionPad2d: padding (\(left), \(right), \(top), \(bottom)) must be non-negative")
        (self.left, self.right, self.top, self.bottom) = (left, right, top, bottom)
    }

    public override var treatsSamplesIndependently: Bool { true }

    public override func forward(_ input: Tensor) -> Tensor {
        require(input.rank == 4, "ReflectionPad2d: expected [N, C, H, W], got \(input.shape)")
        return input.reflectionPadded(left: left, right: right, top: top, bottom: bottom)
    }
}

/// Sub-pixel upsampling (PyTorch `nn.PixelShuffle`, Shi et al. 2016), SRGAN's
/// upsampler: `[N, C·r², H, W]` → `[N, C, H·r, W·r]`; no parameters.
public final class PixelShuffle: Module {
    public let upscaleFactor: Int

    public init(_ upscaleFactor: Int) {
        require(upscaleFactor >= 1, "PixelShuffle: upscale factor \(upscaleFactor) must be at least 1")
        self.upscaleFactor = upscaleFactor
    }

    public override var treatsSamplesIndependently: Bool { true }

    public override func forward(_ input: Tensor) -> Tensor { input.pixelShuffled(upscale: upscaleFactor) }
}
