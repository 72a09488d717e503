import Foundation
import SwiftGANNN
import SwiftGANTensor
import Testing

/// The README's model example, kept compiling and checked.
final class ReadmeGenerator: Module {
    let main: Sequential
    init(random: inout RandomGenerator) {
        main = Sequential([
            ConvTranspose2d(100, 256, kernelSize: 7, bias: false, random: &random), BatchNorm2d(256), ReLU(),
            ConvTranspose2d(256, 128, kernelSize: 4, stride: 2, padding: 1, bias: false, random: &random),
            BatchNorm2d(128), ReLU(),
            ConvTranspose2d(128, 1, kernelSize: 4, stride: 2, padding: 1, bias: false, random: &random), Tanh()
        ])
    }
    override func forward(_ z: Tensor) -> Tensor { main(z) }
}

@Test func readmeModelExample() throws {
    var random = RandomGenerator(seed: 0)
    let model = ReadmeGenerator(random: &random)
    Initializer.dcgan(model, random: &random)
    let optimizer = Adam(model.parameters(), learningRate: 2e-4, betas: (0.5, 0.999))
    let summary = model.summary(input: Tensor.zeros([1, 100, 1, 1]))
    #expect(summary.contains("[1, 1, 28, 28]"))
    let path = NSTemporaryDirectory() + "readme-generator-\(UUID().uuidString).safetensors"
    try model.save(to: path)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let reloaded = ReadmeGenerator(random: &random)
    try reloaded.load(from: path)
    #expect(reloaded.stateDict() == model.stateDict())
    #expect(optimizer.parameters.count == 7)
}
