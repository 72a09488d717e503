import Foundation
import SwiftGANTensor

/// Weight initialisers, PyTorch-compatible (`torch.nn.init`), all drawing
/// from a seeded `RandomGenerator`.
public enum Initializer {
    /// PyTorch's fan-in and fan-out: `size(1) * receptive field` and
    /// `size(0) * receptive field` (so a ConvTranspose2d weight
    /// `[in, out, k, k]` has fan-in `out * k * k`, exactly as in PyTorch).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        require(shape.count >= 2, "Initializer.fans: need a shape of rank >= 2, got \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Kaiming (He) uniform with negative slope `a` in fan-in mode:
    /// U(-b, b) with b = √(6 / ((1 + a²) · fanIn)). PyTorch's default for
    /// Linear and convolution weights uses a = √5, giving b = 1/√fanIn.
    public static func kaimingUniform(
        _ shape: [Int], a: Float = Float(5).squareRoot(),
        random: inout RandomGenerator
    ) -> Tensor {
        let fanIn = fans(shape).fanIn
        let gain = (2 / (1 + a * a)).squareRoot()
        let bound = Float(3).squareRoot() * gain / Float(fanIn).squareRoot()
        return Tensor.uniform(shape, low: -bound, high: bound, random: &random)
    }

    /// Kaiming normal (fan-in): N(0, gain² / fanIn) with gain = √(2 / (1 + a²)).
    public static func kaimingNormal(_ shape: [Int], a: Float = 0, random: inout RandomGenerator) -> Tensor {
        let gain = (2 / (1 + a * a)).squareRoot()
        return Tensor.normal(shape, std: gain / Float(fans(shape).fanIn).squareRoot(), random: &random)
    }

    /// PyTorch's default bias: U(-1/√fanIn, 1/√fanIn) with the weight's fan-in.
    public static func defaultBias(count: Int, weightShape: [Int], random: inout RandomGenerator) -> Tensor {
        let fanIn = fans(weightShape).fanIn
        let bound = fanIn > 0 ? 1 / Float(fanIn).squareRoot() : 0
        return Tensor.uniform([count], low: -bound, high: bound, random: &random)
    }

    /// Xavier/Glorot uniform: U(-b, b), b = gain · √(6 / (fanIn + fanOut)).
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, random: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        let bound = gain * (6 / Float(fanIn + fanOut)).squareRoot()
        return Tensor.uniform(shape, low: -bound, high: bound, random: &random)
    }

    /// Xavier/Glorot normal: N(0, gain² · 2 / (fanIn + fanOut)).
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, random: inout RandomGenerator) -> Tensor {
        let (fanIn, fanOut) = fans(shape)
        return Tensor.normal(shape, std: gain * (2 / Float(fanIn + fanOut)).squareRoot(), random: &random)
    }

    /// N(mean, std²), e.g. DCGAN's N(0, 0.02).
    public static func normal(
        _ shape: [Int], mean: Float = 0, std: Float = 0.02,
        random: inout RandomGenerator
    ) -> Tensor {
        Tensor.normal(shape, mean: mean, std: std, random: &random)
    }

    /// A (semi-)orthogonal matrix scaled by `gain`, viewed as `[shape[0], rest]`
    /// (Saxe et al. 2014): the Q factor of a Gaussian matrix with the signs
    /// of R's diagonal made positive, as in PyTorch.
    public static func orthogonal(_ shape: [Int], gain: Float = 1, random: inout RandomGenerator) -> Tensor {
        require(shape.count >= 2, "Initializer.orthogonal: need a shape of rank >= 2, got \(shape)")
        let rows = shape[0]
        let columns = shape.dropFirst().reduce(1, *)
        // Orthonormalise the longer side's vectors: work on a tall matrix.
        let tall = rows >= columns
        let (m, n) = tall ? (rows, columns) : (columns, rows)
        let gaussian = Tensor.normal([m, n], random: &random).scalars.map(Double.init)
        // Modified Gram–Schmidt on the n columns of the m x n matrix.
        var q = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
        for column in 0..<n {
            var vector = (0..<m).map { gaussian[$0 * n + column] }
            for previous in 0..<column {
                let projection = zip(q[previous], vector).reduce(0) { $0 + $1.0 * $1.1 }
                for index in 0..<m { vector[index] -= projection * q[previous][index] }
            }
            let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            q[column] = vector.map { $0 / Swift.max(norm, 1e-12) }
        }
        var values = [Float](repeating: 0, count: rows * columns)
        for row in 0..<rows {
            for column in 0..<columns {
                let value = tall ? q[column][row] : q[row][column]
                values[row * columns + column] = gain * Float(value)
            }
        }
        return Tensor(values, shape: shape)
    }

    /// Keras's default initialisation: every dense, convolution and
    /// transposed convolution weight Glorot-uniform (`glorot_uniform`, the
    /// same fans as `xavierUniform`), every bias 0. BatchNorm keeps weight 1
    /// and bias 0; other layers keep their initialisation.
    public static func keras(_ module: Module, random: inout RandomGenerator) {
        for (_, layer) in module.namedModules() {
            guard let weighted = layer as? WeightedLayer, weighted is Linear || weighted is Conv2d || weighted is ConvTranspose2d else { continue }
            weighted.weight.assign(xavierUniform(weighted.weight.shape, random: &random))
            if let bias = weighted.bias { bias.assign(Tensor.zeros(bias.shape)) }
        }
    }

    /// DCGAN's initialisation (Radford et al. 2016): convolution weights
    /// N(0, 0.02); BatchNorm weight N(1, 0.02) and bias 0. Other layers keep
    /// their initialisation. `zeroingBiases` also sets the convolutions'
    /// biases to 0 (pix2pix's `init_weights(net, "normal", 0.02)`).
    public static func dcgan(_ module: Module, zeroingBiases: Bool = false, random: inout RandomGenerator) {
        for (_, layer) in module.namedModules() {
            if let convolution = layer as? WeightedLayer, convolution is Conv2d || convolution is ConvTranspose2d {
                convolution.weight.assign(normal(convolution.weight.shape, random: &random))
                if zeroingBiases, let bias = convolution.bias { bias.assign(Tensor.zeros(bias.shape)) }
            } else if let norm = layer as? BatchNorm, let weight = norm.weight, let bias = norm.bias {
                weight.assign(normal(weight.shape, mean: 1, std: 0.02, random: &random))
                bias.assign(Tensor.zeros(bias.shape))
            }
        }
    }
}
