import Foundation

/// A chart as standalone SVG markup (for `gan report`): axes with round
/// ticks, one polyline per series, dashed markers, a legend. Each series'
/// path carries `data-points` (its point count) so tests can count them.
public enum SVGChart {
    public static func render(_ chart: Chart, width: Double = 560, height: Double = 260) -> String {
        let layout = ChartLayout(chart: chart, width: width, height: height)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="\(escape(chart.key))" \
            data-points="\(chart.pointCount)" viewBox="0 0 \(format(width)) \(format(height))" width="\(format(width))" height="\(format(height))">
            <text x="\(format(layout.left))" y="16" class="title">\(escape(chart.title))</text>

            """
        svg += "<rect x=\"\(format(layout.left))\" y=\"\(format(layout.top))\" width=\"\(format(layout.right - layout.left))\" "
        svg += "height=\"\(format(layout.bottom - layout.top))\" fill=\"none\" stroke=\"#999\"/>\n"
        for tick in layout.yTicks {
            let y = format(layout.y(tick))
            svg += "<line x1=\"\(format(layout.left))\" x2=\"\(format(layout.right))\" y1=\"\(y)\" y2=\"\(y)\" stroke=\"#eee\"/>"
            svg +=
                "<text x=\"\(format(layout.left - 4))\" y=\"\(y)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(ChartLayout.label(tick, step: ChartLayout.step(of: layout.yTicks)))</text>\n"
        }
        for tick in layout.xTicks {
            let x = format(layout.x(tick))
            svg += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(format(layout.bottom))\" y2=\"\(format(layout.bottom + 4))\" stroke=\"#999\"/>"
            svg +=
                "<text x=\"\(x)\" y=\"\(format(layout.bottom + 15))\" text-anchor=\"middle\">\(ChartLayout.label(tick, step: ChartLayout.step(of: layout.xTicks)))</text>\n"
        }
        for mark in chart.marks {
            let x = format(layout.x(mark.x))
            svg += "<line class=\"mark\" x1=\"\(x)\" x2=\"\(x)\" y1=\"\(format(layout.top))\" y2=\"\(format(layout.bottom))\" "
            let nearRight = layout.x(mark.x) > (layout.left + layout.right) / 2
            svg += "stroke=\"#444\" stroke-dasharray=\"4 3\"/><text x=\"\(x)\" y=\"\(format(layout.top + 10))\" "
            svg += nearRight ? "dx=\"-3\" text-anchor=\"end\">" : "dx=\"3\">"
            svg += "\(escape(mark.label)) (step \(Int(mark.x)))</text>\n"
        }
        for (index, series) in chart.series.enumerated() {
            let colour = chartPalette[index % chartPalette.count]
            let stroke = String(format: "#%02x%02x%02x", colour.red, colour.green, colour.blue)
            let points = series.points.filter { $0.y.isFinite }.map { "\(format(layout.x($0.x))),\(format(layout.y($0.y)))" }
            svg += "<polyline class=\"series\" data-series=\"\(escape(series.label))\" data-points=\"\(points.count)\" fill=\"none\" "
            svg += "stroke=\"\(stroke)\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>\n"
            if points.count == 1 {
                let point = series.points.first { $0.y.isFinite }!
                svg += "<circle cx=\"\(format(layout.x(point.x)))\" cy=\"\(format(layout.y(point.y)))\" r=\"3\" fill=\"\(stroke)\"/>\n"
            }
            if chart.series.count > 1 {
                let x = layout.left + Double(index % 3) * (layout.right - layout.left) / 3
                let y = layout.bottom + 30 + Double(index / 3) * 14
                svg += "<rect x=\"\(format(x))\" y=\"\(format(y - 7))\" width=\"10\" height=\"3\" fill=\"\(stroke)\"/>"
                svg += "<text x=\"\(format(x + 14))\" y=\"\(format(y))\">\(escape(series.label))</text>\n"
            }
        }
        return svg + "</svg>"
    }

    /// A bar chart of class fractions (the class histogram).
    public static func histogram(_ fractions: [Double], title: String, width: Double = 560, height: Double = 200) -> String {
        let left = 40.0
        let top = 24.0
        let right = width - 12
        let bottom = height - 24
        let highest = max(fractions.max() ?? 0, 1e-9)
        let slot = (right - left) / Double(max(fractions.count, 1))
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="histogram" data-bars="\(fractions.count)" \
            viewBox="0 0 \(format(width)) \(format(height))" width="\(format(width))" height="\(format(height))">
            <text x="\(format(left))" y="16" class="title">\(escape(title))</text>

            """
        for (index, fraction) in fractions.enumerated() {
            let barHeight = fraction / highest * (bottom - top)
            let x = left + Double(index) * slot
            svg += "<rect class=\"bar\" x=\"\(format(x + 2))\" y=\"\(format(bottom - barHeight))\" width=\"\(format(max(slot - 4, 1)))\" "
            svg += "height=\"\(format(barHeight))\" fill=\"#1f77b4\"><title>class \(index): \(String(format: "%.1f", fraction * 100))%</title></rect>"
            svg += "<text x=\"\(format(x + slot / 2))\" y=\"\(format(bottom + 14))\" text-anchor=\"middle\">\(index)</text>\n"
        }
        return svg + "<line x1=\"\(format(left))\" x2=\"\(format(right))\" y1=\"\(format(bottom))\" y2=\"\(format(bottom))\" stroke=\"#999\"/></svg>"
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text for XML: `&`, `<`, `>` and quotes escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
