import Foundation
import SwiftGANTraining

/// A progress bar on a terminal; plain periodic lines otherwise.
struct ProgressReporter {
    let total: Int
    let start: Int
    let batchesPerEpoch: Int
    let interactive = isatty(STDERR_FILENO) != 0
    let began = Date()
    var lastLine = Date.distantPast

    init(total: Int, start: Int, batchesPerEpoch: Int) {
        self.total = total
        self.start = start
        self.batchesPerEpoch = batchesPerEpoch
    }

    mutating func report(_ metrics: StepMetrics, criticSteps: Int) {
        report(
            step: metrics.step, epochStep: metrics.step * criticSteps,
            losses: String(
                format: "D %.3f  G %.3f  D(x) %.2f  D(G(z)) %.2f", metrics.discriminatorLoss,
                metrics.generatorLoss, metrics.realScore, metrics.fakeScore))
    }

    /// One step's line: `epochStep` batches drawn so far, `losses` already formatted.
    mutating func report(step: Int, epochStep: Int? = nil, losses: String) {
        let now = Date()
        let elapsed = now.timeIntervalSince(began)
        let done = step - start
        let rate = Double(done) / Swift.max(elapsed, 1e-9)
        let remaining = Double(total - step) / Swift.max(rate, 1e-9)
        let epoch = Double(epochStep ?? step) / Double(Swift.max(batchesPerEpoch, 1))
        let timing = String(format: "%.2f it/s  ETA %@", rate, Self.duration(remaining))
        if interactive {
            let width = 24
            let filled = Int(Double(width) * Double(step) / Double(total))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            let line = String(format: "\r[%@] step %d/%d  epoch %.2f  %@  %@", bar, step, total, epoch, timing, losses)
            FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
            if step == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if now.timeIntervalSince(lastLine) >= 10 || step == total || step == start + 1 {
            lastLine = now
            print(String(format: "step %d/%d  epoch %.2f  %@  %@", step, total, epoch, timing, losses))
            fflush(nil)
        }
    }

    /// Prints a line of its own (below the bar on a terminal).
    func note(_ line: String) {
        if interactive {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line + "\n").utf8))
        } else {
            print(line)
            fflush(nil)
        }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
            : String(format: "%dm%02ds", total / 60, total % 60)
    }
}
