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

/// Pads H and W with zeros (PyTorch `nn.ZeroPad2d((left, right, top,
/// bottom))`); a negative amount crops that side instead, as PyTorch's does.
/// TensorFlow's "same" padding is this before a convolution (1 top and left,
/// 2 bottom and right for a 5x5 kernel of stride 2 on an even side), and a
/// crop of the same amounts after a transposed one. No parameters.
public final class ZeroPad2d: Module {
    public let left: Int
    public let right: Int
    public let top: Int
    public let bottom: Int

    public init(left: Int, right: Int, top: Int, bottom: Int) {
        (self.left, self.right, self.top, self.bottom) = (left, right, top, bottom)
    }

    public override var treatsSamplesIndependently: Bool { true }

    /// `[N, C, H, W]` → `[N, C, H + top + bottom, W + left + right]`.
    public override func forward(_ input: Tensor) -> Tensor {
        require(input.rank == 4, "ZeroPad2d: expected [N, C, H, W], got \(input.shape)")
        let (height, width) = (input.shape[2], input.shape[3])
        require(
            height + Swift.min(top, 0) + Swift.min(bottom, 0) > 0 && width + Swift.min(left, 0) + Swift.min(right, 0) > 0,
            "ZeroPad2d: padding (\(left), \(right), \(top), \(bottom)) crops all of input \(input.shape)")
        var output = input
        if top < 0 || bottom < 0 { output = output.slice(axis: 2, start: Swift.max(-top, 0), end: height - Swift.max(-bottom, 0)) }
        if left < 0 || right < 0 { output = output.slice(axis: 3, start: Swift.max(-left, 0), end: width - Swift.max(-right, 0)) }
        if [left, right, top, bottom].contains(where: { $0 > 0 }) {
            output = output.padded([(Swift.max(top, 0), Swift.max(bottom, 0)), (Swift.max(left, 0), Swift.max(right, 0))])
        }
        return output
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
