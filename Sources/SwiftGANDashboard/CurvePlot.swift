import Foundation
import SwiftGANData

/// `gan plot`: charts drawn into an RGB picture (for a PNG), with the same
/// layout as the SVG charts: a frame, round ticks with labels, one line
/// per series in the palette's colours, dashed markers and a legend.
public enum CurvePlot {
    /// Legend entries a row (the 5x7 font at twice its size is wider than the page's).
    static let legendColumns = 2

    /// The charts in a grid of `columns`, each `panelWidth` x `panelHeight` pixels.
    public static func render(_ charts: [Chart], columns: Int = 2, panelWidth: Int = 560, panelHeight: Int = 280) -> RasterImage {
        precondition(columns >= 1 && panelWidth >= 160 && panelHeight >= 120, "CurvePlot: panels must be at least 160 x 120")
        let rows = max(1, (charts.count + columns - 1) / columns)
        let shown = min(columns, max(charts.count, 1))
        var canvas = Canvas(width: shown * panelWidth, height: rows * panelHeight)
        if charts.isEmpty { canvas.text("no metrics logged yet", x: 20, y: panelHeight / 2, colour: (80, 80, 80)) }
        for (index, chart) in charts.enumerated() {
            draw(chart, on: &canvas, x: (index % columns) * panelWidth, y: (index / columns) * panelHeight, width: panelWidth, height: panelHeight)
        }
        return RasterImage(width: canvas.width, height: canvas.height, channels: 3, pixels: canvas.pixels)
    }

    static func draw(_ chart: Chart, on canvas: inout Canvas, x originX: Int, y originY: Int, width: Int, height: Int) {
        var layout = ChartLayout(chart: chart, width: Double(width), height: Double(height), legendColumns: legendColumns)
        // Room for the widest value label (the ticks do not depend on the left margin).
        let widest = layout.yTicks.map { Canvas.textWidth(ChartLayout.label($0, step: ChartLayout.step(of: layout.yTicks))) }.max() ?? 0
        if Double(widest + 8) > layout.left {
            layout = ChartLayout(chart: chart, width: Double(width), height: Double(height), legendColumns: legendColumns, left: Double(widest + 8))
        }
        func px(_ value: Double) -> Int { originX + Int(layout.x(value).rounded()) }
        func py(_ value: Double) -> Int { originY + Int(layout.y(value).rounded()) }
        let left = originX + Int(layout.left)
        let right = originX + Int(layout.right)
        let top = originY + Int(layout.top)
        let bottom = originY + Int(layout.bottom)
        canvas.text(chart.title, x: left, y: originY + 3, colour: (20, 20, 20))
        for tick in layout.yTicks {
            canvas.line(left, py(tick), right, py(tick), colour: (235, 235, 235))
            let label = ChartLayout.label(tick, step: ChartLayout.step(of: layout.yTicks))
            canvas.text(label, x: left - 4 - Canvas.textWidth(label), y: py(tick) - 7, colour: (60, 60, 60))
        }
        for tick in layout.xTicks {
            canvas.line(px(tick), bottom, px(tick), bottom + 4, colour: (150, 150, 150))
            let label = ChartLayout.label(tick, step: ChartLayout.step(of: layout.xTicks))
            // Centred under the tick, but inside the panel.
            let x = min(max(px(tick) - Canvas.textWidth(label) / 2, originX + 2), originX + width - 2 - Canvas.textWidth(label))
            canvas.text(label, x: x, y: bottom + 6, colour: (60, 60, 60))
        }
        canvas.rectangle(left, top, right, bottom, colour: (150, 150, 150))
        for mark in chart.marks {
            var y = top
            while y < bottom {
                canvas.line(px(mark.x), y, px(mark.x), min(y + 4, bottom), colour: (70, 70, 70))
                y += 7
            }
            let text = "\(mark.label) (\(Int(mark.x)))"
            let nearRight = px(mark.x) > (left + right) / 2
            canvas.text(text, x: nearRight ? px(mark.x) - 4 - Canvas.textWidth(text) : px(mark.x) + 4, y: top + 3, colour: (70, 70, 70))
        }
        canvas.clip = (left, top, right, bottom)
        for (index, series) in chart.series.enumerated() {
            let colour = chartPalette[index % chartPalette.count]
            let points = series.points.filter { $0.y.isFinite }
            for (a, b) in zip(points, points.dropFirst()) {
                canvas.line(px(a.x), py(a.y), px(b.x), py(b.y), colour: colour, thickness: 2)
            }
            if points.count == 1 { canvas.fill(px(points[0].x) - 2, py(points[0].y) - 2, 5, 5, colour: colour) }
        }
        canvas.clip = nil
        if chart.series.count > 1 {
            for (index, series) in chart.series.enumerated() {
                let colour = chartPalette[index % chartPalette.count]
                let x = left + (index % legendColumns) * (right - left) / legendColumns
                let y = bottom + 24 + (index / legendColumns) * 14
                canvas.fill(x, y + 5, 12, 3, colour: colour)
                canvas.text(series.label, x: x + 16, y: y, colour: (40, 40, 40))
            }
        }
    }
}

/// An RGB pixel buffer with the few drawing operations the plots need.
struct Canvas {
    let width: Int
    let height: Int
    var pixels: [UInt8]
    /// Drawing outside this rectangle (left, top, right, bottom) is dropped, when set.
    var clip: (Int, Int, Int, Int)?
    /// Pixels per font pixel.
    static let scale = 2

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 255, count: width * height * 3)
    }

    mutating func set(_ x: Int, _ y: Int, _ colour: (red: UInt8, green: UInt8, blue: UInt8)) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        if let (left, top, right, bottom) = clip, x < left || x > right || y < top || y > bottom { return }
        let offset = (y * width + x) * 3
        pixels[offset] = colour.red
        pixels[offset + 1] = colour.green
        pixels[offset + 2] = colour.blue
    }

    mutating func fill(_ x: Int, _ y: Int, _ w: Int, _ h: Int, colour: (red: UInt8, green: UInt8, blue: UInt8)) {
        for row in y..<(y + h) { for column in x..<(x + w) { set(column, row, colour) } }
    }

    /// A line from (x0, y0) to (x1, y1), `thickness` pixels wide.
    mutating func line(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, colour: (red: UInt8, green: UInt8, blue: UInt8), thickness: Int = 1) {
        let steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        guard steps < 100_000 else { return }
        for index in 0...steps {
            let x = x0 + (x1 - x0) * index / steps
            let y = y0 + (y1 - y0) * index / steps
            fill(x - (thickness - 1) / 2, y - (thickness - 1) / 2, thickness, thickness, colour: colour)
        }
    }

    mutating func rectangle(_ left: Int, _ top: Int, _ right: Int, _ bottom: Int, colour: (red: UInt8, green: UInt8, blue: UInt8)) {
        line(left, top, right, top, colour: colour)
        line(left, bottom, right, bottom, colour: colour)
        line(left, top, left, bottom, colour: colour)
        line(right, top, right, bottom, colour: colour)
    }

    static func textWidth(_ text: String) -> Int { text.count * (BitmapFont.width + 1) * scale }

    /// `text` with its top-left corner at (x, y), in the 5x7 font at twice its size.
    mutating func text(_ text: String, x: Int, y: Int, colour: (red: UInt8, green: UInt8, blue: UInt8)) {
        for (index, character) in text.enumerated() {
            let glyph = BitmapFont.glyph(character)
            let left = x + index * (BitmapFont.width + 1) * Self.scale
            for (row, bits) in glyph.enumerated() {
                for column in 0..<BitmapFont.width where bits & (1 << (BitmapFont.width - 1 - column)) != 0 {
                    fill(left + column * Self.scale, y + row * Self.scale, Self.scale, Self.scale, colour: colour)
                }
            }
        }
    }
}
