/// A height/width pair for kernel sizes, strides, padding and dilation;
/// an integer literal means the same value for both.
public struct SpatialSize: Equatable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    /// The vertical size (rows).
    public var height: Int
    /// The horizontal size (columns).
    public var width: Int

    /// Different sizes per direction.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The same size in both directions.
    public init(_ both: Int) { self.init(height: both, width: both) }
    /// `3` means 3 x 3.
    public init(integerLiteral value: Int) { self.init(value) }
    /// `3` or `(3, 5)`.
    public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
}

// MARK: - Public convolution API

/// 2-D convolution (PyTorch `F.conv2d`, cross-correlation).
///
/// - Parameters:
///   - input: `[N, C, H, W]`.
///   - weight: `[O, C, kH, kW]`.
///   - bias: `[O]`, optional.
/// - Returns: `[N, O, (H + 2p - d(kH-1) - 1)/s + 1, (same for W)]`.
/// - Precondition: ranks, channel counts and sizes are consistent; the output is not empty.
public func conv2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
    stride: SpatialSize = 1, padding: SpatialSize = 0, dilation: SpatialSize = 1
) -> Tensor {
    require(
        input.rank == 4 && weight.rank == 4,
        "conv2d: expected input [N, C, H, W] and weight [O, C, kH, kW], got \(input.shape) and \(weight.shape)")
    require(
        input.shape[1] == weight.shape[1],
        "conv2d: input \(input.shape) has \(input.shape[1]) channels but weight \(weight.shape) expects \(weight.shape[1])")
    let geometry = ConvolutionOps.geometry(
        input: input.shape, weight: weight.shape, stride: stride,
        padding: padding, dilation: dilation, op: "conv2d")
    require(
        geometry.outHeight > 0 && geometry.outWidth > 0,
        "conv2d: input \(input.shape) is too small for kernel \(weight.shape) with padding \(padding), dilation \(dilation)")
    let output = ConvolutionOps.forward(input, weight, geometry)
    return ConvolutionOps.addingBias(output, bias, op: "conv2d")
}

/// 2-D transposed convolution (PyTorch `F.conv_transpose2d`): the gradient
/// of `conv2d` with respect to its input.
///
/// - Parameters:
///   - input: `[N, Cin, H, W]`.
///   - weight: `[Cin, Cout, kH, kW]` (PyTorch's ConvTranspose2d layout).
///   - bias: `[Cout]`, optional.
///   - outputPadding: extra rows/columns on one side, less than stride or dilation.
/// - Returns: `[N, Cout, (H-1)s - 2p + d(kH-1) + outputPadding + 1, (same for W)]`.
public func convTranspose2d(
    _ input: Tensor, weight: Tensor, bias: Tensor? = nil,
    stride: SpatialSize = 1, padding: SpatialSize = 0, outputPadding: SpatialSize = 0, dilation: SpatialSize = 1
) -> Tensor {
    require(
        input.rank == 4 && weight.rank == 4,
        "convTranspose2d: expected input [N, Cin, H, W] and weight [Cin, Cout, kH, kW], got \(input.shape) and \(weight.shape)")
    require(
        input.shape[1] == weight.shape[0],
        "convTranspose2d: input \(input.shape) has \(input.shape[1]) channels but weight \(weight.shape) expects \(weight.shape[0])")
    require(
        outputPadding.height >= 0 && outputPadding.width >= 0
            && (outputPadding.height < stride.height || outputPadding.height < dilation.height)
            && (outputPadding.width < stride.width || outputPadding.width < dilation.width),
        "convTranspose2d: outputPadding \(outputPadding) must be smaller than stride \(stride) or dilation \(dilation)")
    let height =
        (input.shape[2] - 1) * stride.height - 2 * padding.height
        + dilation.height * (weight.shape[2] - 1) + outputPadding.height + 1
    let width =
        (input.shape[3] - 1) * stride.width - 2 * padding.width
        + dilation.width * (weight.shape[3] - 1) + outputPadding.width + 1
    require(
        height > 0 && width > 0,
        "convTranspose2d: output size \(height)x\(width) is not positive for input \(input.shape), weight \(weight.shape), padding \(padding)")
    // The equivalent forward convolution maps [N, Cout, height, width] to the input's shape.
    var geometry = ConvolutionOps.geometry(
        input: [input.shape[0], weight.shape[1], height, width], weight: weight.shape,
        stride: stride, padding: padding, dilation: dilation, op: "convTranspose2d")
    // With output padding of a stride or more (allowed below the dilation)
    // the extra rows are reached by no tap; fix the forward output size.
    geometry.fixedOutHeight = input.shape[2]
    geometry.fixedOutWidth = input.shape[3]
    let output = ConvolutionOps.inputGradient(input, weight, geometry)
    return ConvolutionOps.addingBias(output, bias, op: "convTranspose2d")
}

// MARK: - Differentiable primitives

/// Three primitives closed under differentiation: forward convolution, its
/// input gradient and its weight gradient. Each one's backward rule is
/// written with the other two, so convolutions differentiate to any order.
enum ConvolutionOps {
    static func geometry(
        input: [Int], weight: [Int], stride: SpatialSize, padding: SpatialSize,
        dilation: SpatialSize, op: String
    ) -> ConvolutionGeometry {
        require(stride.height > 0 && stride.width > 0, "\(op): stride \(stride) must be positive")
        require(dilation.height > 0 && dilation.width > 0, "\(op): dilation \(dilation) must be positive")
        require(padding.height >= 0 && padding.width >= 0, "\(op): padding \(padding) must not be negative")
        return ConvolutionGeometry(
            batch: input[0], inChannels: input[1], height: input[2], width: input[3],
            outChannels: weight[0], kernelHeight: weight[2], kernelWidth: weight[3],
            strideH: stride.height, strideW: stride.width, padH: padding.height, padW: padding.width,
            dilationH: dilation.height, dilationW: dilation.width)
    }

    static func addingBias(_ output: Tensor, _ bias: Tensor?, op: String) -> Tensor {
        guard let bias else { return output }
        require(
            bias.shape == [output.shape[1]],
            "\(op): bias \(bias.shape) does not match \(output.shape[1]) output channels")
        return output + bias.reshaped([1, output.shape[1], 1, 1])
    }

    /// `[N, C, H, W] * [O, C, kH, kW] -> [N, O, outH, outW]`.
    static func forward(_ input: Tensor, _ weight: Tensor, _ g: ConvolutionGeometry) -> Tensor {
        let storage = Primitives.convolution(input.storage.pointer, weight.storage, g)
        return Tensor.result("conv2d", shape: g.outputShape, storage: storage, inputs: [input, weight]) { context in
            [
                context.needs(0) ? inputGradient(context.gradient, weight, g) : nil,
                context.needs(1) ? weightGradient(input, context.gradient, g) : nil
            ]
        }
    }

    /// `[N, O, outH, outW]`, `[O, C, kH, kW]` -> `[N, C, H, W]`.
    static func inputGradient(_ outputGradient: Tensor, _ weight: Tensor, _ g: ConvolutionGeometry) -> Tensor {
        let storage = Primitives.convolutionInputGradient(outputGradient.storage.pointer, weight.storage, g)
        return Tensor.result(
            "conv2dInputGradient", shape: g.inputShape, storage: storage,
            inputs: [outputGradient, weight]
        ) { context in
            if context.needs(0) && context.needs(1) && FusedGradient.transposedConvolution.isChosen {
                // Both products from one im2col of the incoming gradient.
                let both = Primitives.convolutionAndWeightGradient(
                    context.gradient.storage.pointer, weight.storage, outputGradient.storage.pointer, g)
                return withExtendedLifetime((context.gradient, weight, outputGradient)) {
                    [Tensor(shape: g.outputShape, storage: both.output), Tensor(shape: g.weightShape, storage: both.weightGradient)]
                }
            }
            return [
                context.needs(0) ? forward(context.gradient, weight, g) : nil,
                context.needs(1) ? weightGradient(context.gradient, outputGradient, g) : nil
            ]
        }
    }

    /// `[N, C, H, W]`, `[N, O, outH, outW]` -> `[O, C, kH, kW]`.
    static func weightGradient(_ input: Tensor, _ outputGradient: Tensor, _ g: ConvolutionGeometry) -> Tensor {
        let storage = Primitives.convolutionWeightGradient(input.storage.pointer, outputGradient.storage.pointer, g)
        return Tensor.result(
            "conv2dWeightGradient", shape: g.weightShape, storage: storage,
            inputs: [input, outputGradient]
        ) { context in
            [
                context.needs(0) ? inputGradient(outputGradient, context.gradient, g) : nil,
                context.needs(1) ? forward(input, context.gradient, g) : nil
            ]
        }
    }
}
