import Foundation

/// How the metrics log's keys become charts, the same for the page
/// (`dashboard.js` follows these rules), the HTML report and the PNG plot:
/// keys are grouped by their prefix (`loss/discriminator` and
/// `loss/generator` in one chart), each `eval/...` key is a chart of its
/// own (scales differ), and `eval/class/K` (the class histogram) is drawn
/// as bars, not curves.
public enum ChartPanels {
    /// The chart a key belongs to, or nil for keys drawn elsewhere (the class histogram).
    public static func group(of key: String) -> String? {
        if key.hasPrefix("eval/class/") { return nil }
        if key.hasPrefix("eval/") { return key }
        if key == "loss/gradient_penalty" { return "penalty" }
        guard let slash = key.firstIndex(of: "/") else { return key }
        return String(key[..<slash])
    }

    /// A group's title.
    public static func title(of group: String) -> String {
        switch group {
        case "loss": "Losses"
        case "score": "D(x) and D(G(z))"
        case "grad_norm": "Gradient norms"
        case "penalty": "Gradient penalty"
        case "lr": "Learning rates"
        case "speed": "Samples per second"
        case "eval/fid": "FID (lower is better)"
        case "eval/reverse_kl": "Reverse KL of the modes (lower is better)"
        case "eval/modes": "Modes captured"
        case "eval/high_quality": "High-quality samples (fraction)"
        case "eval/classes_covered": "Classes with at least 1% of samples"
        case "eval/kid": "KID (lower is better)"
        case "eval/precision": "Precision (k = 3)"
        case "eval/recall": "Recall (k = 3)"
        case "eval/density": "Density (k = 5)"
        case "eval/coverage": "Coverage (k = 5)"
        default: group
        }
    }

    /// A key's label inside its chart.
    public static func label(of key: String) -> String {
        switch key {
        case "score/real": "D(x)"
        case "score/fake": "D(G(z))"
        case "loss/gradient_penalty": "penalty"
        default:
            key.firstIndex(of: "/").map { String(key[key.index(after: $0)...]) } ?? key
        }
    }

    /// The order groups are shown in: training curves first, then evaluations.
    static func rank(_ group: String) -> Int {
        ["loss", "score", "grad_norm", "penalty", "lr", "speed"].firstIndex(of: group) ?? (group.hasPrefix("eval/") ? 100 : 50)
    }

    /// The charts of one or more runs' records. With several runs, each
    /// series is labelled `run: key`. `bestScore` names the key whose
    /// minimum is marked as the best step (`eval/fid`, `eval/reverse_kl`).
    public static func charts(runs: [(name: String, records: [MetricRecord])], smoothing: Double = 0) -> [Chart] {
        var groups: [String: [ChartSeries]] = [:]
        var marks: [String: [ChartMark]] = [:]
        for run in runs {
            var byKey: [String: [(x: Double, y: Double)]] = [:]
            for record in run.records {
                for (key, value) in record.values {
                    guard let value, group(of: key) != nil else { continue }
                    byKey[key, default: []].append((Double(record.step), value))
                }
            }
            // A penalty that is not in the objective is logged as 0: no chart for it.
            if byKey["loss/gradient_penalty"]?.allSatisfy({ $0.y == 0 }) ?? false { byKey["loss/gradient_penalty"] = nil }
            for (key, points) in byKey.sorted(by: { $0.key < $1.key }) {
                let group = group(of: key)!
                let label = runs.count > 1 ? "\(run.name): \(label(of: key))" : label(of: key)
                let ordered = points.sorted { $0.x < $1.x }
                groups[group, default: []].append(ChartSeries(label: label, points: key.hasPrefix("eval/") ? ordered : smoothed(ordered, weight: smoothing)))
                if key == "eval/fid" || key == "eval/reverse_kl", let best = ordered.min(by: { $0.y < $1.y }) {
                    marks[group, default: []].append(ChartMark(x: best.x, label: runs.count > 1 ? "\(run.name) best" : "best"))
                }
            }
        }
        return groups.keys.sorted { (rank($0), $0) < (rank($1), $1) }.map {
            Chart(key: $0, title: title(of: $0), series: groups[$0]!, marks: marks[$0] ?? [])
        }
    }

    /// The class histogram of the latest evaluation that logged one:
    /// (step, fraction of samples per class), or nil.
    public static func latestClassHistogram(_ records: [MetricRecord]) -> (step: Int, fractions: [Double])? {
        for record in records.reversed() {
            let classes = record.values.compactMap { key, value -> (Int, Double)? in
                guard key.hasPrefix("eval/class/"), let index = Int(key.dropFirst(11)), let value else { return nil }
                return (index, value)
            }
            guard !classes.isEmpty else { continue }
            var fractions = [Double](repeating: 0, count: (classes.map(\.0).max() ?? 0) + 1)
            for (index, value) in classes where index >= 0 && index < 1000 { fractions[index] = value }
            return (record.step, fractions)
        }
        return nil
    }
}
