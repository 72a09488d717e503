import ArgumentParser
import Foundation
import SwiftGANTensor

/// `gan bench`: release-mode throughput benchmarks.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure engine throughput (matmul, convolution) against raw sgemm in one run.",
        discussion: "Build in release first: swift run -c release gan bench"
    )

    @Option(name: .long, help: "Thread counts to measure, comma-separated.")
    var threads: String = "1,2"

    @Option(name: .long, help: "Timed repeats per case (the median is reported).")
    var repeats: Int = 7

    @Option(name: .long, help: "Calls per timed repeat.")
    var iterations: Int = 10

    @Flag(name: .long, help: "A few iterations only: checks that the benchmark runs (for CI).")
    var smoke = false

    func validate() throws {
        guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        guard iterations > 0 else { throw ValidationError("--iterations must be positive, got \(iterations)") }
        guard !threadCounts.isEmpty, threadCounts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--threads must list positive integers, got '\(threads)'")
        }
    }

    var threadCounts: [Int] { threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() throws {
        let benchmark = EngineBenchmark(warmup: smoke ? 1 : 5, iterations: smoke ? 1 : iterations, repeats: smoke ? 1 : repeats)
        for threadCount in threadCounts {
            ComputeThreads.set(threadCount)
            print("threads: \(threadCount) (the sgemm column is OpenBLAS's own \(threadCount)-thread cblas_sgemm)")
            print(pad("case", 32) + pad("engine GFLOP/s", 16) + pad("sgemm GFLOP/s", 16) + "engine/sgemm")
            for row in benchmark.run() {
                print(pad(row.name, 32) + pad(String(format: "%.1f", row.engineGFLOPS), 16)
                      + pad(String(format: "%.1f", row.sgemmGFLOPS), 16) + String(format: "%.2f", row.ratio))
            }
            print("")
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
