import Foundation
import SwiftGANData
import SwiftGANTensor
import SwiftGANTraining

/// Times full training iterations of the trainer `gan train` uses: one D
/// update and one G update (losses, backward passes, optimizer steps, the
/// gradient norms and NaN checks the trainer logs), with data batches
/// already in memory; plus generator inference at batch 1,000.
struct TrainingBenchmark {
    /// The measured models (each at batch 64 on 28x28 images).
    enum Case: String, CaseIterable, Codable {
        /// The classic MLP pair (`--preset mlp`): Sigmoid D and BCE.
        case mlp
        /// DCGAN (`--preset dcgan`, width 64): non-saturating BCE on logits.
        case dcgan
        /// WGAN-GP on DCGAN (`--preset wgan-gp` with one critic step): the double-backward path.
        case wganGP = "wgan-gp"
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

    /// The run configuration of a case (the preset, batch 64, one critic step).
    static func config(_ benchCase: Case) -> RunConfig {
        var model = ModelConfig(kind: .mlp, imageShape: [1, 28, 28])
        var training = TrainingConfig()
        switch benchCase {
        case .mlp: Preset.mlp.apply(to: &model, &training)
        case .dcgan: Preset.dcgan.apply(to: &model, &training)
        case .wganGP: Preset.wganGP.apply(to: &model, &training)
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
        let images = Tensor.uniform([640, 1, 28, 28], low: -1, high: 1, random: &random)
        let dataset = ImageDataset(images: images, labels: Array(repeating: 0, count: 640), classNames: ["0"])
        let trainer = try Trainer(config: Self.config(benchCase), dataset: dataset)
        for _ in 0..<warmup { try trainer.trainStep() }
        var stepError: (any Error)?
        let multiplyAdds = ExecutionContext.countingMultiplyAdds {
            do { try trainer.trainStep() } catch { stepError = error }
        }
        if let stepError { throw stepError }
        var rates: [Double] = []
        for _ in 0..<repeats {
            let seconds = try Self.time { for _ in 0..<iterations { try trainer.trainStep() } }
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
            samplesPerSecond: rate * Double(Self.batchSize), repeatRates: rates, gemmFLOPsPerIteration: flops,
            peakSgemmGFLOPS: peak, rooflineFraction: flops * rate / 1e9 / peak,
            peakEngineGEMMGFLOPS: enginePeak, bestRooflineFraction: flops * rate / 1e9 / Swift.max(peak, enginePeak),
            inferenceSamplesPerSecond: inferenceRate(trainer.generator, repeats: Swift.max(1, repeats / 2)),
            peakResidentMB: peakResident)
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
