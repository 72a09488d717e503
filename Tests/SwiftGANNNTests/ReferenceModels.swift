import SwiftGANNN
import SwiftGANTensor

// The reference architectures of Scripts/make_nn_fixtures.py, built with
// SwiftGAN's modules: their state-dict keys must equal PyTorch's.

final class MLPGenerator: Module {
    let model: Sequential
    init(latent: Int = 100, random: inout RandomGenerator) {
        model = Sequential([
            Linear(latent, 256, random: &random), LeakyReLU(0.2),
            Linear(256, 512, random: &random), LeakyReLU(0.2),
            Linear(512, 1024, random: &random), LeakyReLU(0.2),
            Linear(1024, 784, random: &random), Tanh()
        ])
    }
    override func forward(_ input: Tensor) -> Tensor { model(input) }
}

final class MLPDiscriminator: Module {
    let model: Sequential
    init(random: inout RandomGenerator) {
        model = Sequential([
            Linear(784, 1024, random: &random), LeakyReLU(0.2), Dropout(0.3, random: &random),
            Linear(1024, 512, random: &random), LeakyReLU(0.2), Dropout(0.3, random: &random),
            Linear(512, 256, random: &random), LeakyReLU(0.2), Dropout(0.3, random: &random),
            Linear(256, 1, random: &random), Sigmoid()
        ])
    }
    override func forward(_ input: Tensor) -> Tensor { model(input) }
}

final class DCGANGenerator: Module {
    let main: Sequential
    init(latent: Int = 100, width: Int = 64, random: inout RandomGenerator) {
        main = Sequential([
            ConvTranspose2d(latent, width * 4, kernelSize: 7, bias: false, random: &random),
            BatchNorm2d(width * 4), ReLU(),
            ConvTranspose2d(width * 4, width * 2, kernelSize: 4, stride: 2, padding: 1, bias: false, random: &random),
            BatchNorm2d(width * 2), ReLU(),
            ConvTranspose2d(width * 2, 1, kernelSize: 4, stride: 2, padding: 1, bias: false, random: &random),
            Tanh()
        ])
    }
    override func forward(_ input: Tensor) -> Tensor { main(input) }
}

final class DCGANDiscriminator: Module {
    let main: Sequential
    init(width: Int = 64, spectral: Bool = false, random: inout RandomGenerator) {
        func wrap(_ layer: Conv2d, _ random: inout RandomGenerator) -> Module {
            spectral ? spectralNormalized(layer, random: &random) : layer
        }
        var layers: [Module] = [
            wrap(Conv2d(1, width, kernelSize: 4, stride: 2, padding: 1, bias: false, random: &random), &random),
            LeakyReLU(0.2),
            wrap(Conv2d(width, width * 2, kernelSize: 4, stride: 2, padding: 1, bias: false, random: &random), &random)
        ]
        if !spectral { layers.append(BatchNorm2d(width * 2)) }
        layers += [
            LeakyReLU(0.2),
            wrap(Conv2d(width * 2, 1, kernelSize: 7, bias: false, random: &random), &random),
            Sigmoid()
        ]
        main = Sequential(layers)
    }
    override func forward(_ input: Tensor) -> Tensor { main(input) }
}
