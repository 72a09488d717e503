import Foundation
import SwiftGANTensor

/// `gan report`: one self-contained HTML file for one or more runs (inline
/// SVG charts, PNG sample grids embedded as data URLs, the evaluation
/// table, the config and the command), for sharing or attaching to a
/// paper. It opens offline: no script, no external file.
public enum RunReport {
    /// The most sample grids embedded per run (evenly spaced, the newest always included).
    public static let maximumGrids = 8

    /// The report of `runs` (name and directory each; the first run's grids and config are shown for each run in turn).
    public static func html(runs: [(name: String, directory: String)], smoothing: Double = 0, title: String? = nil) -> String {
        let records = runs.map { (name: $0.name, records: MetricsReader.readAll("\($0.directory)/metrics.jsonl")) }
        let heading = title ?? (runs.count == 1 ? "SwiftGAN run \(runs[0].name)" : "SwiftGAN runs " + runs.map(\.name).joined(separator: ", "))
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(SVGChart.escape(heading))</title>
            <style>
            body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
            h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
            .charts { display: flex; flex-wrap: wrap; gap: 12px; }
            svg text { font: 11px system-ui, sans-serif; fill: #333; } svg text.title { font-weight: 600; font-size: 12px; }
            pre { background: #f6f6f6; padding: 8px; overflow: auto; max-height: 420px; font-size: 12px; }
            table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
            figure { display: inline-block; margin: 4px; } figcaption { font-size: 12px; text-align: center; }
            img.grid { image-rendering: pixelated; width: 192px; }
            </style></head><body>
            <h1>\(SVGChart.escape(heading))</h1>

            """
        let charts = ChartPanels.charts(runs: records, smoothing: smoothing)
        html += "<h2>Curves</h2>\n<div class=\"charts\" data-charts=\"\(charts.count)\">\n"
        html += charts.map { SVGChart.render($0) }.joined(separator: "\n") + "\n</div>\n"
        if smoothing > 0 { html += "<p>Training curves smoothed (exponential moving average, weight \(smoothing)); evaluations are raw.</p>\n" }
        for (run, log) in zip(runs, records) {
            let summary = RunSummary(name: run.name, directory: run.directory)
            html += "<h2>\(SVGChart.escape(run.name))</h2>\n"
            html += "<p>Kind: \(summary.kind.rawValue)\(summary.isMixture ? " (2-D mixture)" : ""); "
            html += "checkpoint at step \(summary.checkpointStep.map(String.init) ?? "none") of \(summary.totalSteps.map(String.init) ?? "?")"
            if let bestStep = summary.bestStep {
                html += "; best evaluation at step \(bestStep) (score \(summary.bestScore.map { String(format: "%.4g", $0) } ?? "?"))"
            }
            html += ".</p>\n"
            html += evaluationTable(log.records)
            if let histogram = ChartPanels.latestClassHistogram(log.records) {
                html += SVGChart.histogram(histogram.fractions, title: "Predicted classes of the samples at step \(histogram.step)") + "\n"
            }
            html += grids(summary, directory: run.directory)
            if let sessions = summary.record?["sessions"], case .array(let list) = sessions {
                html += "<h3>Commands</h3>\n<pre>"
                for session in list {
                    if case .array(let words)? = session["command"] {
                        html += SVGChart.escape(words.compactMap(\.string).joined(separator: " "))
                        html += "   # \(SVGChart.escape(session["started"]?.string ?? "")), \(Int(session["threads"]?.number ?? 0)) threads\n"
                    }
                }
                html += "</pre>\n"
            }
            if let config = summary.config, let data = try? prettyJSON(config) {
                html += "<h3>config.json</h3>\n<pre>\(SVGChart.escape(data))</pre>\n"
            }
        }
        return html + "</body></html>\n"
    }

    /// The evaluations as a table: one row per evaluated step.
    static func evaluationTable(_ records: [MetricRecord]) -> String {
        let rows = records.filter { $0.values.keys.contains { $0.hasPrefix("eval/") && !$0.hasPrefix("eval/class/") } }
        guard !rows.isEmpty else { return "" }
        let keys = Set(rows.flatMap { $0.values.keys.filter { $0.hasPrefix("eval/") && !$0.hasPrefix("eval/class/") } }).sorted()
        var html = "<table class=\"evaluations\"><tr><th>step</th>" + keys.map { "<th>\(SVGChart.escape(String($0.dropFirst(5))))</th>" }.joined() + "</tr>\n"
        for row in rows {
            html += "<tr><td>\(row.step)</td>"
            for key in keys {
                let value = row.values[key].flatMap { $0 }
                html += "<td>\(value.map { String(format: "%.4g", $0) } ?? "")</td>"
            }
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// Up to `maximumGrids` sample grids, evenly spaced, as embedded PNGs.
    static func grids(_ summary: RunSummary, directory: String) -> String {
        let steps = summary.sampleSteps
        guard !steps.isEmpty else { return "" }
        let chosen: [Int] =
            steps.count <= maximumGrids
            ? steps : (0..<maximumGrids).map { steps[$0 * (steps.count - 1) / (maximumGrids - 1)] }
        var html = "<h3>Samples (fixed noise)</h3>\n<div class=\"grids\">"
        for step in chosen {
            guard let bytes = try? FileContents.read("\(directory)/\(RunSummary.sampleFile(step: step))"), bytes.count <= 16 << 20 else { continue }
            html += "<figure><img class=\"grid\" alt=\"samples at step \(step)\" src=\"data:image/png;base64,\(Data(bytes).base64EncodedString())\">"
            html += "<figcaption>step \(step)</figcaption></figure>"
        }
        return html + "</div>\n"
    }

    static func prettyJSON(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
