import SwiftGANNN
import SwiftGANTensor

// The reference architectures of Scripts/make_nn_fixtures.py, built with
// SwiftGAN's modules: their state-dict keys must equal PyTorch's.

final class MLPGenerator: Module {
    let model: Sequential
    init(latent: Int = 100, generator: inout RandomGenerator) {
        model = Sequential([
            Linear(latent, 256, generator: &generator), LeakyReLU(0.2),
            Linear(256, 512, generator: &generator), LeakyReLU(0.2),
            Linear(512, 1024, generator: &generator), LeakyReLU(0.2),
            Linear(1024, 784, generator: &generator), Tanh(),
        ])
    }
    override func forward(_ input: Tensor) -> Tensor { model(input) }
}

final class MLPDiscriminator: Module {
    let model: Sequential
    init(generator: inout RandomGenerator) {
        model = Sequential([
            Linear(784, 1024, generator: &generator), LeakyReLU(0.2), Dropout(0.3, generator: &generator),
            Linear(1024, 512, generator: &generator), LeakyReLU(0.2), Dropout(0.3, generator: &generator),
            Linear(512, 256, generator: &generator), LeakyReLU(0.2), Dropout(0.3, generator: &generator),
            Linear(256, 1, generator: &generator), Sigmoid(),
        ])
    }
    override func forward(_ input: Tensor) -> Tensor { model(input) }
}

final class DCGANGenerator: Module {
    let main: Sequential
    init(latent: Int = 100, width: Int = 64, generator: inout RandomGenerator) {
        main = Sequential([
            ConvTranspose2d(latent, width * 4, kernelSize: 7, bias: false, generator: &generator),
            BatchNorm2d(width * 4), ReLU(),
            ConvTranspose2d(width * 4, width * 2, kernelSize: 4, stride: 2, padding: 1, bias: false, generator: &generator),
            BatchNorm2d(width * 2), ReLU(),
            ConvTranspose2d(width * 2, 1, kernelSize: 4, stride: 2, padding: 1, bias: false, generator: &generator),
            Tanh(),
        ])
    }
    override func forward(_ input: Tensor) -> Tensor { main(input) }
}

final class DCGANDiscriminator: Module {
    let main: Sequential
    init(width: Int = 64, spectral: Bool = false, generator: inout RandomGenerator) {
        func wrap(_ layer: Conv2d, _ generator: inout RandomGenerator) -> Module {
            spectral ? spectralNormalized(layer, generator: &generator) : layer
        }
        var layers: [Module] = [
            wrap(Conv2d(1, width, kernelSize: 4, stride: 2, padding: 1, bias: false, generator: &generator), &generator),
            LeakyReLU(0.2),
            wrap(Conv2d(width, width * 2, kernelSize: 4, stride: 2, padding: 1, bias: false, generator: &generator), &generator),
        ]
        if !spectral { layers.append(BatchNorm2d(width * 2)) }
        layers += [
            LeakyReLU(0.2),
            wrap(Conv2d(width * 2, 1, kernelSize: 7, bias: false, generator: &generator), &generator),
            Sigmoid(),
        ]
        main = Sequential(layers)
    }
    override func forward(_ input: Tensor) -> Tensor { main(input) }
}
