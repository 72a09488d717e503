import ArgumentParser
import Foundation
import SwiftGANDashboard
import SwiftGANData
import SwiftGANTensor
import SwiftGANTraining

/// The runs a report or plot covers, named by their directories.
struct ReportRuns: ParsableArguments {
    @Option(name: .customLong("run"), help: "A run directory (repeat to overlay several runs).")
    var runDirectories: [String] = []

    @Option(help: "Smoothing of the training curves, 0 (raw) to 0.99 (exponential moving average; evaluations stay raw).")
    var smoothing: Double = 0

    func validate() throws {
        guard !runDirectories.isEmpty else { throw ValidationError("give at least one --run DIR") }
        guard (0...0.99).contains(smoothing) else { throw ValidationError("--smoothing \(smoothing) must be in 0...0.99") }
    }

    /// Each run's name (its directory's, made unique) and directory.
    func runs() throws -> [(name: String, directory: String)] {
        var seen: [String: Int] = [:]
        return try runDirectories.map { directory in
            guard TrainingRun.isRunDirectory(directory) || FileManager.default.fileExists(atPath: "\(directory)/metrics.jsonl") else {
                throw CLIError("\(directory): not a SwiftGAN run directory (no .swiftgan-run, checkpoint or metrics.jsonl)")
            }
            let base = RunCatalog.name(of: directory)
            seen[base, default: 0] += 1
            return (seen[base]! == 1 ? base : "\(base)-\(seen[base]!)", directory)
        }
    }
}

/// `gan report`: one self-contained HTML file.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML report of runs: curves, evaluations, sample grids, config and command.",
        discussion: """
            The file has inline SVG charts and embedded PNG grids, and opens offline (no script, no external file).

            Examples:
              gan report --run runs/dcgan-quick --out report.html
              gan report --run runs/a --run runs/b --smoothing 0.6 --out compare.html
            """
    )

    @OptionGroup var selection: ReportRuns

    @Option(help: "The HTML file to write (atomically).")
    var out: String = "report.html"

    func run() throws {
        let runs = try selection.runs()
        try checkOutputs(out)
        let html = RunReport.html(runs: runs, smoothing: selection.smoothing)
        do { try AtomicFile.write(Array(html.utf8), to: out) } catch { throw CLIError("\(error)") }
        print("wrote \(out)")
    }
}

/// `gan plot`: the curves as a PNG.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw runs' curves as a PNG (axes, labels, legend), for READMEs.",
        discussion: """
            Examples:
              gan plot --run runs/dcgan-quick --out curves.png
              gan plot --run runs/a --run runs/b --charts loss,eval/fid --smoothing 0.6 --out compare.png
            """
    )

    @OptionGroup var selection: ReportRuns

    @Option(help: "The charts to draw, by group (loss, score, grad_norm, penalty, lr, speed, eval/fid, ...); default: all.")
    var charts: String?

    @Option(parsing: .unconditional, help: "Charts per row.")
    var columns: Int = 2

    @Option(help: "The PNG file to write (atomically).")
    var out: String = "curves.png"

    func validate() throws {
        guard (1...8).contains(columns) else { throw ValidationError("--columns \(columns) must be 1 to 8") }
    }

    func run() throws {
        let runs = try selection.runs()
        try checkOutputs(out)
        let records = runs.map { (name: $0.name, records: MetricsReader.readAll("\($0.directory)/metrics.jsonl")) }
        var drawn = ChartPanels.charts(runs: records, smoothing: selection.smoothing)
        if let charts {
            let wanted = charts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let missing = wanted.filter { name in !drawn.contains { $0.key == name } }
            guard missing.isEmpty else {
                throw CLIError("--charts: no chart \(missing.joined(separator: ", ")) in these runs (they have \(drawn.map(\.key).joined(separator: ", ")))")
            }
            drawn = wanted.compactMap { name in drawn.first { $0.key == name } }
        }
        let picture = CurvePlot.render(drawn, columns: columns)
        do { try AtomicFile.write(try PNG.encode(picture), to: out) } catch { throw CLIError("\(error)") }
        print("wrote \(out) (\(drawn.count) charts)")
    }
}
