import Foundation
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTensor

/// The progress display: fitted to the terminal, plain lines in a log, nothing with --quiet.
@Suite("Progress display", .serialized)
struct ProgressDisplayTests {
    /// What a terminal shows: each redraw (between carriage returns and newlines), control sequences removed.
    func redraws(_ output: String) -> [String] {
        // By scalars: "\r\n" is one Character.
        output.replacingOccurrences(of: "\u{1B}[K", with: "").unicodeScalars.split { $0 == "\r" || $0 == "\n" }.map { String(String.UnicodeScalarView($0)) }
    }

    @Test func aTerminalOf80ColumnsIsNeverOverrun() throws {
        let work = temporaryDirectory("progress-pty")
        let train = try runInPseudoTerminal(
            ganExecutable(), ["train", "--data", "ring8", "--steps", "40", "--batch-size", "16", "--width", "8", "--run-dir", "run"], columns: 80,
            in: work)
        #expect(train.status == 0, "\(train.output)")
        let lines = redraws(train.output)
        #expect(lines.contains { $0.hasPrefix("[") && $0.contains("step 40/40") }, "\(lines)")
        // Every redraw of the bar (printed lines such as the run's summary may wrap as any output does).
        let bars = lines.filter { $0.hasPrefix("[") }
        #expect(bars.count >= 2 && bars.allSatisfy { $0.count <= 79 }, "\(bars.filter { $0.count > 79 })")
        // A narrower terminal still gets whole redraws.
        var random = RandomGenerator(seed: 1)
        try NPY.write(Tensor.uniform([600, 1, 28, 28], low: -1, high: 1, random: &random), to: "\(work)/x.npy")
        let eval = try runInPseudoTerminal(ganExecutable(), ["eval", "--samples", "x.npy"], columns: 60, in: work)
        #expect(eval.status == 0, "\(eval.output)")
        let evalLines = redraws(eval.output)
        #expect(evalLines.contains { $0.hasPrefix("extracting features [") && $0.contains("10,000/10,000") }, "\(evalLines)")
        #expect(evalLines.filter { $0.hasPrefix("extracting features") }.allSatisfy { $0.count <= 59 }, "\(evalLines)")
        let quiet = try runInPseudoTerminal(ganExecutable(), ["eval", "--samples", "x.npy", "--quiet"], columns: 80, in: work)
        #expect(quiet.status == 0 && !quiet.output.contains("extracting features") && quiet.output.contains("FID"), "\(quiet.output)")
    }

    @Test func aLogGetsPlainLines() throws {
        let work = temporaryDirectory("progress-log")
        var random = RandomGenerator(seed: 2)
        try NPY.write(Tensor.uniform([600, 1, 28, 28], low: -1, high: 1, random: &random), to: "\(work)/x.npy")
        let eval = try runGAN(["eval", "--samples", "x.npy"], in: work)
        #expect(eval.status == 0, "\(eval.output)")
        #expect(eval.output.contains("extracting features: 10,000/10,000  done in"), "\(eval.output)")
        #expect(!eval.output.contains("\r") && !eval.output.contains("\u{1B}["), "\(eval.output)")
        let quiet = try runGAN(["train", "--data", "ring8", "--steps", "3", "--batch-size", "16", "--width", "8", "--run-dir", "run", "--quiet"], in: work)
        #expect(quiet.status == 0 && !quiet.output.contains("step 3/3") && quiet.output.contains("done:"), "\(quiet.output)")
    }
}
