import Foundation
import SwiftGANData
import SwiftGANTensor
import SwiftGANTraining

/// Times full training iterations of the trainer `gan train` uses: one D
/// update and one G update (losses, backward passes, optimizer steps, the
/// gradient norms and NaN checks the trainer logs), with data batches
/// already in memory; plus generator inference at batch 1,000. The
/// translation cases time `TranslationTrainer`'s step and the CycleGAN
/// cases `CycleGANTrainer`'s the same way.
struct TrainingBenchmark {
    /// The measured models (the GANs at batch 64 on 28x28 images).
    enum Case: String, CaseIterable, Codable {
        /// The classic MLP pair (`--preset mlp`): Sigmoid D and BCE.
        case mlp
        /// DCGAN (`--preset dcgan`, width 64): non-saturating BCE on logits.
        case dcgan
        /// WGAN-GP on DCGAN (`--preset wgan-gp` with one critic step): the double-backward path.
        case wganGP = "wgan-gp"
        /// pix2pix: U-Net and conditional PatchGAN of width 64 on 64x64 RGB pairs, batch 16, BCE + 100·L1.
        case pix2pix
        /// Super-resolution x4: SRResNet (width 64, 8 blocks) and a PatchGAN, 8x8 → 32x32 RGB, batch 16.
        case sr
        /// CycleGAN at batch 1 (the paper's): two ResNet generators (width 64, 6 blocks) and two PatchGANs
        /// on 64x64 RGB, both directions, LSGAN, cycle and identity losses, pools of 50.
        case cycleganB1 = "cyclegan-b1"
        /// The same at batch 4.
        case cycleganB4 = "cyclegan-b4"

        /// The batch size of the case.
        var batchSize: Int {
            switch self {
            case .pix2pix, .sr: 16
            case .cycleganB1: 1
            case .cycleganB4: 4
            default: TrainingBenchmark.batchSize
            }
        }

        /// The CycleGAN run configuration of the cyclegan cases.
        var cycleGANConfig: CycleGANConfig? {
            guard self == .cycleganB1 || self == .cycleganB4 else { return nil }
            var config = CycleGANConfig.preset(data: UnpairedDataSpec(name: "in-memory"))
            config.model = CycleGANModelConfig(shapeA: [3, 64, 64], shapeB: [3, 64, 64], residualBlocks: 6)
            config.training.batchSize = batchSize
            return config
        }

        /// The translation run configuration of the pix2pix and sr cases.
        var translationConfig: TranslationConfig? {
            switch self {
            case .pix2pix:
                var config = TranslationConfig.preset(.pix2pix, data: PairedDataSpec(name: "in-memory"))
                config.model = TranslationModelConfig(inputShape: [3, 64, 64], outputShape: [3, 64, 64])
                config.training.batchSize = batchSize
                return config
            case .sr:
                var config = TranslationConfig.preset(.sr, data: PairedDataSpec(name: "in-memory"))
                config.model = TranslationModelConfig(
                    generator: .srresnet, inputShape: [3, 8, 8], outputShape: [3, 32, 32], conditionalDiscriminator: false)
                config.training.batchSize = batchSize
                return config
            default: return nil
            }
        }
    }

    /// One case at one thread count.
    struct Result: Codable {
        var system = "swiftgan"
        var benchCase: String
        var threads: Int
        /// Median over the repeats.
        var iterationsPerSecond: Double
        var samplesPerSecond: Double
        /// Every repeat's rate.
        var repeatRates: [Double]
        /// GEMM floating-point operations (2 · multiply-adds) of one iteration.
        var gemmFLOPsPerIteration: Double
        /// The same process's `cblas_sgemm` rate on a 1024³ product.
        var peakSgemmGFLOPS: Double
        /// Achieved GEMM rate over the peak sgemm rate.
        var rooflineFraction: Double
        /// The engine's own GEMM rate on the same 1024³ product (`BLAS.sgemm`:
        /// the native AVX-512 kernel where the CPU has one).
        var peakEngineGEMMGFLOPS: Double
        /// Achieved GEMM rate over the higher of the two peak rates.
        var bestRooflineFraction: Double
        /// Generator inference at batch 1,000 (evaluation mode, no gradients).
        var inferenceSamplesPerSecond: Double
        /// The process's peak resident memory (VmHWM) after the training iterations.
        var peakResidentMB: Double

        enum CodingKeys: String, CodingKey {
            case system, benchCase = "case", threads, iterationsPerSecond = "iterations_per_second"
            case samplesPerSecond = "samples_per_second", repeatRates = "repeat_rates"
            case gemmFLOPsPerIteration = "gemm_flops_per_iteration", peakSgemmGFLOPS = "peak_sgemm_gflops"
            case rooflineFraction = "roofline_fraction", inferenceSamplesPerSecond = "inference_samples_per_second"
            case peakResidentMB = "peak_resident_mb", peakEngineGEMMGFLOPS = "peak_engine_gemm_gflops"
            case bestRooflineFraction = "best_roofline_fraction"
        }
    }

    var warmup: Int
    var iterations: Int
    var repeats: Int

    static let batchSize = 64

    /// The GAN run configuration of a case (the preset, batch 64, one critic step); nil for translation cases.
    static func config(_ benchCase: Case) -> RunConfig? {
        var model = ModelConfig(kind: .mlp, imageShape: [1, 28, 28])
        var training = TrainingConfig()
        switch benchCase {
        case .mlp: Preset.mlp.apply(to: &model, &training)
        case .dcgan: Preset.dcgan.apply(to: &model, &training)
        case .wganGP: Preset.wganGP.apply(to: &model, &training)
        case .pix2pix, .sr, .cycleganB1, .cycleganB4: return nil
        }
        training.batchSize = batchSize
        training.criticSteps = 1
        return RunConfig(model: model, training: training, data: DataSpec(name: "in-memory"))
    }

    func run(_ benchCase: Case, threads: Int) throws -> Result {
        try withExecutionContext(threads: threads) { try measure(benchCase, threads: threads) }
    }

    private func measure(_ benchCase: Case, threads: Int) throws -> Result {
        // Each case's peak memory is its own: the previous case's pooled
        // buffers go back to the system and the high-water mark restarts.
        ExecutionContext.current.releaseCaches()
        Self.resetPeakResident()
        var random = RandomGenerator(seed: 3)
        let trainStep: () throws -> Void
        let inference: () -> Double
        if let config = benchCase.cycleGANConfig {
            let images = { Tensor.uniform([40] + config.model.shapeA, low: -1, high: 1, random: &random) }
            let domains = UnpairedDataset(
                domainA: images(), domainB: images(), labelsA: Array(repeating: 0, count: 40), labelsB: Array(repeating: 0, count: 40),
                classNames: ["0"])
            let trainer = try CycleGANTrainer(config: config, dataset: domains)
            trainStep = { try trainer.trainStep() }
            inference = { cycleGANInferenceRate(trainer, domains.domainA, batchSize: config.training.batchSize) }
        } else if let config = benchCase.translationConfig {
            let (input, output) = (config.model.inputShape, config.model.outputShape)
            let pairs = PairedDataset(
                inputs: Tensor.uniform([160] + input, low: -1, high: 1, random: &random),
                targets: Tensor.uniform([160] + output, low: -1, high: 1, random: &random),
                labels: Array(repeating: 0, count: 160), classNames: ["0"])
            let trainer = try TranslationTrainer(config: config, dataset: pairs)
            trainStep = { try trainer.trainStep() }
            inference = { translationInferenceRate(trainer, pairs.inputs) }
        } else if let config = Self.config(benchCase) {
            let images = Tensor.uniform([640, 1, 28, 28], low: -1, high: 1, random: &random)
            let dataset = ImageDataset(images: images, labels: Array(repeating: 0, count: 640), classNames: ["0"])
            let trainer = try Trainer(config: config, dataset: dataset)
            trainStep = { try trainer.trainStep() }
            inference = { inferenceRate(trainer.generator, repeats: Swift.max(1, repeats / 2)) }
        } else {
            fatalError("TrainingBenchmark: case \(benchCase.rawValue) has no configuration")
        }
        for _ in 0..<warmup { try trainStep() }
        var stepError: (any Error)?
        let multiplyAdds = ExecutionContext.countingMultiplyAdds {
            do { try trainStep() } catch { stepError = error }
        }
        if let stepError { throw stepError }
        var rates: [Double] = []
        for _ in 0..<repeats {
            let seconds = try Self.time { for _ in 0..<iterations { try trainStep() } }
            rates.append(Double(iterations) / seconds)
        }
        let rate = Timing.median(rates)
        let flops = 2 * Double(multiplyAdds)
        // The training peak, before the batch-1,000 inference and the 1024³ product below.
        let peakResident = Self.peakResidentMB()
        let peak = Self.peakSgemmGFLOPS(repeats: Swift.max(3, repeats))
        let enginePeak = Self.peakSgemmGFLOPS(repeats: Swift.max(3, repeats), openBLAS: false)
        return Result(
            benchCase: benchCase.rawValue, threads: threads, iterationsPerSecond: rate,
            samplesPerSecond: rate * Double(benchCase.batchSize), repeatRates: rates, gemmFLOPsPerIteration: flops,
            peakSgemmGFLOPS: peak, rooflineFraction: flops * rate / 1e9 / peak,
            peakEngineGEMMGFLOPS: enginePeak, bestRooflineFraction: flops * rate / 1e9 / Swift.max(peak, enginePeak),
            inferenceSamplesPerSecond: inference(), peakResidentMB: peakResident)
    }

    /// Outputs per second of a translation generator on 160 inputs in batches of 16 (evaluation mode).
    private func translationInferenceRate(_ trainer: TranslationTrainer, _ inputs: Tensor) -> Double {
        let translate = { _ = trainer.translate(inputs, batchSize: 16) }
        translate()
        let seconds = Timing.medianSeconds(warmup: 0, iterations: 1, repeats: Swift.max(1, repeats / 2), translate)
        return Double(inputs.shape[0]) / seconds
    }

    /// Images per second of the A→B generator on 40 inputs in batches of `batchSize`.
    private func cycleGANInferenceRate(_ trainer: CycleGANTrainer, _ inputs: Tensor, batchSize: Int) -> Double {
        let translate = { _ = CycleGANTrainer.translate(inputs, with: trainer.generatorAB, batchSize: batchSize) }
        translate()
        let seconds = Timing.medianSeconds(warmup: 0, iterations: 1, repeats: Swift.max(1, repeats / 2), translate)
        return Double(inputs.shape[0]) / seconds
    }

    private static func time(_ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Samples per second of the generator at batch 1,000.
    private func inferenceRate(_ generator: GeneratorModel, repeats: Int) -> Double {
        generator.eval()
        defer { generator.train() }
        var random = RandomGenerator(seed: 4)
        let latents = generator.config.sampleLatents(1_000, random: &random)
        let generate = { _ = withoutGradients { generator.generate(latents, labels: nil) } }
        generate()
        let seconds = Timing.medianSeconds(warmup: 0, iterations: 1, repeats: Swift.max(1, repeats), generate)
        return 1_000 / seconds
    }

    /// `cblas_sgemm` GFLOP/s on a 1024 x 1024 x 1024 product (median), or
    /// with `openBLAS` false the engine's `BLAS.sgemm` on the same product.
    static func peakSgemmGFLOPS(repeats: Int, openBLAS: Bool = true) -> Double {
        let n = 1024
        var random = RandomGenerator(seed: 5)
        let a = Tensor.normal([n, n], random: &random)
        let b = Tensor.normal([n, n], random: &random)
        var c = Tensor.zeros([n, n])
        let seconds = a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    Timing.medianSeconds(warmup: 1, iterations: 1, repeats: repeats) {
                        if openBLAS {
                            BLAS.openBLASSgemm(
                                transposeA: false, transposeB: false, m: n, n: n, k: n, a: pa.baseAddress!,
                                lda: n, b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
                        } else {
                            BLAS.sgemm(
                                transposeA: false, transposeB: false, m: n, n: n, k: n, a: pa.baseAddress!, lda: n,
                                b: pb.baseAddress!, ldb: n, c: pc.baseAddress!, ldc: n)
                        }
                    }
                }
            }
        }
        return 2 * Double(n * n * n) / seconds / 1e9
    }

    /// Restarts the kernel's high-water mark of resident memory at the
    /// current size (writing 5 to /proc/self/clear_refs; Linux 4.0 and later).
    static func resetPeakResident() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// VmHWM from /proc/self/status, in MiB (0 where unavailable).
    static func peakResidentMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kilobytes / 1024
        }
        return 0
    }
}
