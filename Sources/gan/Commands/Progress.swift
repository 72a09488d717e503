import ArgumentParser
import Foundation
import SwiftGANTensor
import SwiftGANTraining

/// The terminal the progress display draws on (standard error).
enum Terminal {
    /// Whether standard error is a terminal (else progress is plain periodic lines).
    static var isInteractive: Bool { isatty(STDERR_FILENO) != 0 }

    /// Its width in columns: the terminal's own (`TIOCGWINSZ`), else `COLUMNS`, else 80.
    static var width: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        return 80
    }

    /// `line` cut to fit in `width - 1` columns (the last column left free, so the cursor never wraps).
    static func fitted(_ line: String, width: Int) -> String {
        line.count < width ? line : String(line.prefix(Swift.max(1, width - 1)))
    }

    /// Redraws the current line of standard error with `line` (fitted to the terminal), ending it with `finished`.
    static func redraw(_ line: String, finished: Bool = false) {
        FileHandle.standardError.write(Data(("\r" + fitted(line, width: width) + "\u{1B}[K" + (finished ? "\n" : "")).utf8))
    }

    /// `20%` of a bar `width` wide.
    static func bar(_ fraction: Double, width: Int) -> String {
        let filled = Swift.max(0, Swift.min(width, Int(Double(width) * fraction)))
        return "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "]"
    }

    /// `1m05s`, `2h03m`, `?`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%dh%02dm", total / 3600, (total % 3600) / 60) : String(format: "%dm%02ds", total / 60, total % 60)
    }
}

/// `--quiet`, and the progress display the command's long loops report to.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "No progress display (results and errors are still printed).")
    var quiet = false

    /// Runs `body` with its loops' progress shown (on a terminal: one line
    /// redrawn to fit its width; otherwise a line every 10 seconds), or not at all with --quiet.
    /// With `quietInLogs`, nothing is shown when standard error is not a terminal (`--json` output read by a program).
    func show<Result>(quietInLogs: Bool = false, _ body: () throws -> Result) rethrows -> Result {
        let silent = quiet || (quietInLogs && !Terminal.isInteractive)
        return try ProgressReporting.withObserver(silent ? nil : ProgressDisplay(), body)
    }
}

/// What the library's loops report (`extracting features 3000/10000`), drawn on standard error.
final class ProgressDisplay: ProgressObserver, @unchecked Sendable {
    private let lock = NSLock()
    private let interactive = Terminal.isInteractive
    private var task = ""
    private var began = Date()
    private var lastDrawn = Date.distantPast

    func update(_ task: String, done: Int, total: Int) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        if task != self.task || done < 1 || done > total {
            self.task = task
            began = now
            lastDrawn = .distantPast
        }
        let finished = done >= total
        // Redraw at most 10 times a second on a terminal, once every 10 s in a log.
        guard finished || now.timeIntervalSince(lastDrawn) >= (interactive ? 0.1 : 10) else { return }
        lastDrawn = now
        let elapsed = now.timeIntervalSince(began)
        let rate = Double(done) / Swift.max(elapsed, 1e-9)
        let timing =
            finished
            ? String(format: "done in %.1f s", elapsed) : elapsed >= 0.2 ? "ETA " + Terminal.duration(Double(total - done) / Swift.max(rate, 1e-9)) : ""
        let counts = "\(done.formatted())/\(total.formatted())"
        if interactive {
            // A rate from the first fraction of a second says nothing.
            let speed = elapsed >= 0.2 ? "  \(String(format: "%.0f", rate))/s" : ""
            let text = "\(counts)\(speed)  \(timing)"
            let barWidth = Swift.max(10, Swift.min(30, Terminal.width - task.count - text.count - 5))
            Terminal.redraw("\(task) \(Terminal.bar(Double(done) / Double(Swift.max(total, 1)), width: barWidth)) \(text)", finished: finished)
        } else {
            FileHandle.standardError.write(Data("\(task): \(counts)  \(timing)\n".utf8))
        }
        if finished { self.task = "" }
    }
}

/// `gan train`'s step line: a bar on a terminal (fitted to its width), plain periodic lines otherwise.
struct ProgressReporter {
    let total: Int
    let start: Int
    let batchesPerEpoch: Int
    let quiet: Bool
    let interactive = Terminal.isInteractive
    let began = Date()
    var lastLine = Date.distantPast

    init(total: Int, start: Int, batchesPerEpoch: Int, quiet: Bool = false) {
        self.total = total
        self.start = start
        self.batchesPerEpoch = batchesPerEpoch
        self.quiet = quiet
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
        guard !quiet else { return }
        let now = Date()
        let elapsed = now.timeIntervalSince(began)
        let done = step - start
        let rate = Double(done) / Swift.max(elapsed, 1e-9)
        let remaining = Double(total - step) / Swift.max(rate, 1e-9)
        let epoch = Double(epochStep ?? step) / Double(Swift.max(batchesPerEpoch, 1))
        let timing = String(format: "%.2f it/s  ETA %@", rate, Terminal.duration(remaining))
        let text = String(format: "step %d/%d  epoch %.2f  %@  %@", step, total, epoch, timing, losses)
        if interactive {
            // The bar takes what the terminal leaves, 10 to 24 columns; the line is cut to fit.
            let barWidth = Swift.max(10, Swift.min(24, Terminal.width - text.count - 3))
            Terminal.redraw("\(Terminal.bar(Double(step) / Double(Swift.max(total, 1)), width: barWidth)) \(text)", finished: step == total)
        } else if now.timeIntervalSince(lastLine) >= 10 || step == total || step == start + 1 {
            lastLine = now
            print(text)
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

    static func duration(_ seconds: Double) -> String { Terminal.duration(seconds) }
}
