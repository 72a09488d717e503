import Foundation

/// One line of a chart: `(step, value)` points in step order.
public struct ChartSeries: Equatable, Sendable {
    public var label: String
    public var points: [(x: Double, y: Double)]

    public init(label: String, points: [(x: Double, y: Double)]) {
        self.label = label
        self.points = points
    }

    public static func == (lhs: ChartSeries, rhs: ChartSeries) -> Bool {
        lhs.label == rhs.label && lhs.points.elementsEqual(rhs.points) { $0.x == $1.x && $0.y == $1.y }
    }
}

/// A vertical marker at a step (the best evaluation).
public struct ChartMark: Equatable, Sendable {
    public var x: Double
    public var label: String

    public init(x: Double, label: String) {
        self.x = x
        self.label = label
    }
}

/// A chart to draw: a title, its series against steps, and markers.
public struct Chart: Equatable, Sendable {
    /// The metrics-log group it shows (`loss`, `eval/fid`), for tests and the page.
    public var key: String
    public var title: String
    public var series: [ChartSeries]
    public var marks: [ChartMark]

    public init(key: String, title: String, series: [ChartSeries], marks: [ChartMark] = []) {
        self.key = key
        self.title = title
        self.series = series
        self.marks = marks
    }

    /// Points over all series.
    public var pointCount: Int { series.reduce(0) { $0 + $1.points.count } }
}

/// Where a chart's parts go in a `width` x `height` picture: the plot area,
/// the axes' ranges and their tick values (1, 2 or 5 times a power of ten).
public struct ChartLayout: Sendable {
    public var width: Double
    public var height: Double
    /// The plot area: left, top, right, bottom edges.
    public var left: Double, top: Double, right: Double, bottom: Double
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var xTicks: [Double]
    public var yTicks: [Double]

    /// - Parameters:
    ///   - legendColumns: legend entries a row (the PNG plot's larger font fits fewer).
    ///   - left: the width left of the plot area, for the value labels.
    public init(chart: Chart, width: Double, height: Double, legendColumns: Int = 3, left: Double = 72) {
        self.width = width
        self.height = height
        self.left = left
        top = 24
        right = width - 12
        // Tick labels, then (for several series) the legend's rows.
        let legendRows = chart.series.count > 1 ? (chart.series.count + legendColumns - 1) / legendColumns : 0
        bottom = height - 30 - 14 * Double(legendRows)
        let points = chart.series.flatMap(\.points).filter { $0.y.isFinite }
        let xs = points.map(\.x) + chart.marks.map(\.x)
        let ys = points.map(\.y)
        xRange = Self.padded(xs.min() ?? 0, xs.max() ?? 1, pad: false)
        yRange = Self.padded(ys.min() ?? 0, ys.max() ?? 1, pad: true)
        xTicks = Self.ticks(xRange, count: max(2, Int((right - left) / 90)))
        yTicks = Self.ticks(yRange, count: max(2, Int((bottom - top) / 40)))
    }

    /// The picture x of step `x`.
    public func x(_ value: Double) -> Double {
        left + (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * (right - left)
    }

    /// The picture y of value `y` (up is larger).
    public func y(_ value: Double) -> Double {
        bottom - (value - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * (bottom - top)
    }

    /// A range that is never empty, widened by 5% on each side when `pad` is set.
    static func padded(_ low: Double, _ high: Double, pad: Bool) -> ClosedRange<Double> {
        // A constant curve (float32 rounding leaves tiny differences) is centred, not magnified.
        if high - low <= 1e-6 * max(abs(low), abs(high)) {
            let half = low == 0 ? 0.5 : abs(low) * 0.1
            return (low - half)...(high + half)
        }
        let margin = pad ? (high - low) * 0.05 : 0
        return (low - margin)...(high + margin)
    }

    /// About `count` round values inside `range`.
    public static func ticks(_ range: ClosedRange<Double>, count: Int) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite, count >= 1 else { return [range.lowerBound] }
        let raw = span / Double(count)
        let power = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        var values: [Double] = []
        var index = (range.lowerBound / step).rounded(.up)
        while index * step <= range.upperBound + step * 1e-9 && values.count < 50 {
            // 3 x 0.2 is 0.6000000000000001 in binary: keep 12 significant digits.
            let value = Double(String(format: "%.12g", index * step)) ?? index * step
            values.append(abs(value) < step * 1e-9 ? 0 : value)
            index += 1
        }
        return values
    }

    /// A tick value as text, with the digits the ticks' spacing `step`
    /// needs to tell neighbours apart (exponent form for very large or
    /// small values): `label(0.25, step: 0.05)` is "0.25", `label(1.8e-4, step: 1e-5)` "1.8e-04".
    public static func label(_ value: Double, step: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        let stepPower = step > 0 && step.isFinite ? Int(floor(log10(step))) : 0
        if magnitude >= 1e5 || magnitude < 1e-3 {
            let digits = min(6, max(0, Int(floor(log10(magnitude))) - stepPower))
            return String(format: "%.\(digits)e", value)
        }
        return String(format: "%.\(min(6, max(0, -stepPower)))f", value)
    }

    /// The spacing of `ticks` (1 when there is only one).
    public static func step(of ticks: [Double]) -> Double { ticks.count > 1 ? ticks[1] - ticks[0] : 1 }
}

/// Exponential moving average with TensorBoard's debiasing: `weight` 0 is
/// the raw curve, 0.99 very smooth; the first points are not pulled to 0.
public func smoothed(_ points: [(x: Double, y: Double)], weight: Double) -> [(x: Double, y: Double)] {
    guard weight > 0 else { return points }
    var average = 0.0
    var count = 0
    return points.map { point in
        guard point.y.isFinite else { return point }
        count += 1
        average = average * weight + (1 - weight) * point.y
        return (point.x, average / (1 - pow(weight, Double(count))))
    }
}

/// The colours of a chart's series, in order (and the page's, in the same order).
public let chartPalette: [(red: UInt8, green: UInt8, blue: UInt8)] = [
    (0x1F, 0x77, 0xB4), (0xD6, 0x27, 0x28), (0x2C, 0xA0, 0x2C), (0xFF, 0x7F, 0x0E),
    (0x94, 0x67, 0xBD), (0x8C, 0x56, 0x4B), (0xE3, 0x77, 0xC2), (0x7F, 0x7F, 0x7F)
]
