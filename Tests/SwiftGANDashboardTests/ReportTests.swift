import Foundation
import SwiftGANData
import SwiftGANTestSupport
import Testing

@testable import SwiftGANDashboard

/// `gan report` and `gan plot` on a finished run, end to end.
@Suite("Reports and plots")
struct ReportTests {
    @Test func theReportIsOneSelfContainedFile() throws {
        let run = try finishedMixtureRun()
        let out = temporaryDirectory("report") + "/report.html"
        let (status, output) = try runGAN(["report", "--run", run, "--out", out, "--smoothing", "0.5"])
        #expect(status == 0, "\(output)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let records = MetricsReader.readAll("\(run)/metrics.jsonl")
        let charts = ChartPanels.charts(runs: [("ring", records)])
        #expect(html.components(separatedBy: "<svg ").count - 1 == charts.count)
        #expect(charts.map(\.key).contains("loss") && charts.map(\.key).contains("eval/reverse_kl"))
        #expect(html.contains("data-chart=\"loss\" data-points=\"12\""))
        // Grids embedded, the evaluations tabled, the command and config shown; nothing external, no script.
        #expect(html.components(separatedBy: "data:image/png;base64,").count - 1 == 3)
        #expect(html.contains("<table class=\"evaluations\">"))
        #expect(html.contains("gan train --data ring8"))
        #expect(html.contains("&quot;ring8&quot;") || html.contains("\"ring8\""))
        #expect(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"))
        // The best step is marked on the evaluation chart.
        #expect(html.contains("class=\"mark\""))
    }

    @Test func thePlotIsAPNGWithTheCurvesDrawn() throws {
        let run = try finishedMixtureRun()
        let out = temporaryDirectory("plot") + "/curves.png"
        let (status, output) = try runGAN(["plot", "--run", run, "--out", out, "--charts", "loss,score,eval/reverse_kl", "--columns", "3"])
        #expect(status == 0, "\(output)")
        let picture = try PNG.decode(Array(try Data(contentsOf: URL(fileURLWithPath: out))), file: out)
        #expect(picture.width == 3 * 560 && picture.height == 280 && picture.channels == 3)
        // Inside the first chart's plot area: the palette's first two colours (D and G losses).
        let layout = ChartLayout(
            chart: Chart(key: "loss", title: "", series: [.init(label: "a", points: []), .init(label: "b", points: [])]), width: 560, height: 280)
        var seen: Set<[UInt8]> = []
        for y in Int(layout.top) + 2..<Int(layout.bottom) - 1 {
            for x in Int(layout.left) + 2..<Int(layout.right) - 1 {
                let offset = (y * picture.width + x) * 3
                seen.insert(Array(picture.pixels[offset..<offset + 3]))
            }
        }
        for colour in chartPalette.prefix(2) { #expect(seen.contains([colour.red, colour.green, colour.blue])) }
        // Text was drawn: the title row holds dark pixels.
        var darkTitlePixels = 0
        for y in 8..<18 {
            for x in 0..<(picture.width / 3) where picture.pixels[(y * picture.width + x) * 3] < 60 { darkTitlePixels += 1 }
        }
        #expect(darkTitlePixels > 20)
    }

    @Test func badRunsAndChartsAreNamed() throws {
        let missing = temporaryDirectory("nothing") + "/none"
        let (status, output) = try runGAN(["plot", "--run", missing, "--out", temporaryDirectory("plot") + "/x.png"])
        #expect(status != 0 && output.contains(missing))
        let run = try finishedMixtureRun()
        let (chartStatus, chartOutput) = try runGAN(["plot", "--run", run, "--charts", "loss,eval/fid", "--out", temporaryDirectory("plot") + "/x.png"])
        #expect(chartStatus != 0 && chartOutput.contains("eval/fid") && chartOutput.contains("eval/reverse_kl"))
        let (smoothStatus, _) = try runGAN(["report", "--run", run, "--smoothing", "1.5"])
        #expect(smoothStatus != 0)
    }
}
