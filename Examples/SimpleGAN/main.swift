// The classic MLP GAN on Fashion-MNIST, written as your own training loop
// with SwiftGAN's library API (the shape of the textbook PyTorch example).
// Run: swift run -c release simple-gan [steps]
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

let steps = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 2_000 : 2_000
var random = RandomGenerator(seed: 0)

// Data: 60,000 images [N, 1, 28, 28] in [-1, 1], batches of 64.
let data = try IDXDataset.load(name: "fashion-mnist", split: .train)
let loader = DataLoader(data, batchSize: 64, dropLast: true, seed: 1)

// G: z(100) → 256 → 512 → 1024 → 784, D: 784 → 512 → 256 → 1 (logits).
let generator = Sequential([
    Linear(100, 256, random: &random), LeakyReLU(0.2),
    Linear(256, 512, random: &random), LeakyReLU(0.2),
    Linear(512, 1024, random: &random), LeakyReLU(0.2),
    Linear(1024, 784, random: &random), Tanh()
])
let discriminator = Sequential([
    Linear(784, 512, random: &random), LeakyReLU(0.2),
    Linear(512, 256, random: &random), LeakyReLU(0.2),
    Linear(256, 1, random: &random)
])
let optimizerG = Adam(generator.parameters(), learningRate: 2e-4, betas: (0.5, 0.999))
let optimizerD = Adam(discriminator.parameters(), learningRate: 2e-4, betas: (0.5, 0.999))
let ones = Tensor.ones([64, 1])
let zeros = Tensor.zeros([64, 1])

for step in 1...steps {
    let real = loader.next().images.reshaped([64, 784])
    let z = Tensor.normal([64, 100], random: &random)

    // D step: real labelled 1, G(z) (detached) labelled 0.
    let fake = generator(z)
    let lossD =
        Loss.binaryCrossEntropyWithLogits(discriminator(real), ones)
        + Loss.binaryCrossEntropyWithLogits(discriminator(fake.detached()), zeros)
    optimizerD.zeroGrad()
    lossD.backward()
    optimizerD.step()

    // G step: make D call G(z) real (non-saturating loss).
    let lossG = Loss.binaryCrossEntropyWithLogits(discriminator(fake), ones)
    optimizerG.zeroGrad()
    lossG.backward()
    optimizerG.step()

    if step % 200 == 0 || step == steps {
        print("step \(step)  D \(lossD.item)  G \(lossG.item)")
    }
}
let samples = withoutGradients { generator(Tensor.normal([64, 100], random: &random)) }
try ImageGrid.write(samples.reshaped([64, 1, 28, 28]), to: "simple-gan.png")
print("wrote simple-gan.png")
