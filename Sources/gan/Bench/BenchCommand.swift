import ArgumentParser
import Foundation
import SwiftGANTensor
import SwiftGANTraining

/// `gan bench`: release-mode throughput benchmarks.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure engine throughput (matmul, convolution) against raw sgemm, and full training iterations.",
        discussion: """
            Build in release first: swift build -c release && .build/release/gan bench
            The training suite times one D update and one G update of the trainer for the mlp, dcgan and wgan-gp
            presets at batch 64, and of the translation trainer for pix2pix (64x64, batch 16) and sr (8x8 to
            32x32, batch 16); Scripts/bench_compare.py runs it next to the same models in PyTorch.
            The mixtures suite (not part of all) is PacGAN's Table 1 protocol: gan train's defaults on ring8 and
            grid25 (with --packs, --steps and a --config file on top) from --trials seeds, 2,500 samples of each
            trained generator, modes captured, % high quality and reverse KL as mean ± standard error, beside
            PacGAN's published rows.
            """
    )

    @Option(name: .long, help: "Which benchmarks: engine, training, all (both) or mixtures (the PacGAN protocol).")
    var suite: String = "all"

    @Option(name: .long, help: "With --suite mixtures: the mixtures, comma-separated (ring8, grid25).")
    var mixtures: String = "ring8,grid25"

    @Option(name: .long, help: "With --suite mixtures: D's pack sizes to measure, comma-separated (1: no packing).")
    var packs: String = "1"

    @Option(name: .long, parsing: .unconditional, help: "With --suite mixtures: training runs per row, seeds 0, 1, …")
    var trials: Int = 10

    @Option(name: .long, parsing: .unconditional, help: "With --suite mixtures: training steps of each run (default: gan train's for the mixture).")
    var steps: Int?

    @Option(name: .long, help: "With --suite mixtures: a gan train config file (YAML or JSON) applied to every run.")
    var config: String?

    @Option(name: .long, help: "Training cases, comma-separated: mlp, dcgan, wgan-gp, pix2pix, sr, cyclegan-b1, cyclegan-b4.")
    var cases: String = TrainingBenchmark.Case.allCases.map(\.rawValue).joined(separator: ",")

    @Flag(name: .long, help: "Print the training results as JSON lines (one per case and thread count) instead of tables.")
    var json = false

    @Option(name: .long, help: "Thread counts to measure, comma-separated.")
    var threads: String = "1,2"

    @Option(name: .long, parsing: .unconditional, help: "Timed repeats per case (the median is reported).")
    var repeats: Int = 7

    @Option(name: .long, parsing: .unconditional, help: "Calls per timed repeat.")
    var iterations: Int = 10

    @Flag(name: .long, help: "A few iterations only: checks that the benchmark runs (for CI).")
    var smoke = false

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        guard iterations > 0 else { throw ValidationError("--iterations must be positive, got \(iterations)") }
        if json && suite == "engine" { throw ValidationError("--json prints the training suite; it does not apply to --suite engine") }
        guard ["engine", "training", "all", "mixtures"].contains(suite) else {
            throw ValidationError("--suite must be engine, training, all or mixtures, got '\(suite)'")
        }
        if suite == "mixtures" {
            guard trials > 0 else { throw ValidationError("--trials must be positive, got \(trials)") }
            if let steps, steps <= 0 { throw ValidationError("--steps must be positive, got \(steps)") }
            let names = mixtures.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty, names.allSatisfy({ ["ring8", "grid25"].contains($0) }) else {
                throw ValidationError("--mixtures must list ring8 or grid25 (the mixtures with modes to count), got '\(mixtures)'")
            }
            guard !packSizes.isEmpty, packSizes.count == packs.split(separator: ",").count,
                packSizes.allSatisfy({ (1...ModelConfig.maximumPack).contains($0) })
            else {
                throw ValidationError("--packs must list pack sizes in 1...\(ModelConfig.maximumPack), got '\(packs)'")
            }
        } else if let flag = [("--trials", trials != 10), ("--steps", steps != nil), ("--config", config != nil)].first(where: \.1) {
            throw ValidationError("\(flag.0) is for --suite mixtures")
        }
        guard selectedCases.count == cases.split(separator: ",").count, !selectedCases.isEmpty else {
            throw ValidationError("--cases must list mlp, dcgan, wgan-gp, pix2pix, sr, cyclegan-b1 or cyclegan-b4, got '\(cases)'")
        }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--threads must list positive integers, got '\(threads)'")
        }
    }

    var selectedCases: [TrainingBenchmark.Case] {
        cases.split(separator: ",").compactMap { TrainingBenchmark.Case(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    var packSizes: [Int] { packs.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        if suite == "mixtures" { return try runMixtures() }
        if suite != "training" && !json { runEngine() }
        if suite != "engine" || json { try runTraining() }
    }

    private func runMixtures() throws {
        var settings = RunSettings()
        if let config {
            do { settings = try RunSettings.read(config) } catch { throw CLIError("\(error)") }
        }
        if let steps { settings.set("steps", SettingValue(steps), origin: "--steps") }
        let names = mixtures.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let benchmark = MixtureBenchmark(mixtures: names, packs: packSizes, trials: trials, settings: settings, json: json)
        // One thread per run unless --threads says otherwise: the 2-D networks are too small to split.
        try withExecutionContext(threads: threadCounts.first ?? 1) { try benchmark.run() }
    }

    private func runTraining() throws {
        let benchmark = TrainingBenchmark(warmup: smoke ? 1 : 5, iterations: smoke ? 2 : iterations * 2, repeats: smoke ? 1 : repeats)
        if !json {
            print("training iterations (one D update + one G update; GANs at batch \(TrainingBenchmark.batchSize), translation at 16; data in memory)")
            print(
                pad("case", 13) + pad("threads", 9) + pad("it/s", 9) + pad("samples/s", 11) + pad("GFLOP/iter", 12)
                    + pad("GEMM GFLOP/s", 14) + pad("of cblas peak", 15) + pad("of engine peak", 16)
                    + pad("G inference/s", 15) + "peak RSS MB")
        }
        for benchCase in selectedCases {
            for threadCount in threadCounts {
                let result = try benchmark.run(benchCase, threads: threadCount)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    print(String(decoding: try encoder.encode(result), as: UTF8.self))
                } else {
                    print(
                        pad(benchCase.rawValue, 13) + pad(String(threadCount), 9)
                            + pad(String(format: "%.2f", result.iterationsPerSecond), 9)
                            + pad(String(format: "%.0f", result.samplesPerSecond), 11)
                            + pad(String(format: "%.3f", result.gemmFLOPsPerIteration / 1e9), 12)
                            + pad(String(format: "%.1f", result.gemmFLOPsPerIteration * result.iterationsPerSecond / 1e9), 14)
                            + pad(String(format: "%.0f%% of %.0f", 100 * result.rooflineFraction, result.peakSgemmGFLOPS), 15)
                            + pad(
                                String(
                                    format: "%.0f%% of %.0f",
                                    100 * result.rooflineFraction * result.peakSgemmGFLOPS
                                        / result.peakEngineGEMMGFLOPS, result.peakEngineGEMMGFLOPS), 16)
                            + pad(String(format: "%.0f", result.inferenceSamplesPerSecond), 15)
                            + String(format: "%.0f", result.peakResidentMB))
                }
                fflush(nil)
            }
        }
    }

    private func runEngine() {
        let benchmark = EngineBenchmark(warmup: smoke ? 1 : 5, iterations: smoke ? 1 : iterations, repeats: smoke ? 1 : repeats)
        for threadCount in threadCounts {
            withExecutionContext(threads: threadCount) { runEngine(benchmark, threads: threadCount) }
        }
    }

    private func runEngine(_ benchmark: EngineBenchmark, threads threadCount: Int) {
        do {
            print("threads: \(threadCount) (the sgemm column is cblas_sgemm split over \(threadCount) SwiftGAN worker(s), as the engine's own products are)")
            print(pad("case", 32) + pad("engine GFLOP/s", 16) + pad("sgemm GFLOP/s", 16) + "engine/sgemm")
            for row in benchmark.run() {
                print(
                    pad(row.name, 32) + pad(String(format: "%.1f", row.engineGFLOPS), 16)
                        + pad(String(format: "%.1f", row.sgemmGFLOPS), 16) + String(format: "%.2f", row.ratio))
            }
            print("")
        }
    }
}

/// `text` padded with spaces to `width` columns (one space after a longer text): the benchmark tables' cells.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
