import SwiftGANTensor
import Testing

/// The README's engine example, kept compiling and checked.
@Test func readmeExample() {
    var random = RandomGenerator(seed: 0)
    let x = Tensor.normal([64, 100], random: &random)
    let w = Tensor.normal([256, 100], std: 0.02, random: &random).requiringGradient()
    let y = matmul(x, w, transposeB: true).leakyRelu(0.2)
    let loss = y.square().mean()
    let dw = gradients(of: loss, withRespectTo: [w])[0]
    #expect(y.shape == [64, 256] && dw.shape == [256, 100])

    let xHat = x.requiringGradient()
    let score = matmul(xHat, w, transposeB: true).tanh().sum()
    let g = gradients(of: score, withRespectTo: [xHat], createGraph: true)[0]
    let penalty = (g.norm(axes: [1]) - 1).square().mean()
    penalty.backward()
    #expect(w.grad?.shape == [256, 100])
    #expect(w.grad!.norm().item > 0)
}
