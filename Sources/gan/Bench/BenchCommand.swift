import ArgumentParser
import Foundation
import SwiftGANTensor

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
            """
    )

    @Option(name: .long, help: "Which benchmarks: engine, training or all.")
    var suite: String = "all"

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
        guard ["engine", "training", "all"].contains(suite) else {
            throw ValidationError("--suite must be engine, training or all, got '\(suite)'")
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

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        if suite != "training" && !json { runEngine() }
        if suite != "engine" || json { try runTraining() }
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

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
