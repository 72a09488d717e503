import Foundation
import SwiftGANData
import SwiftGANTestSupport
import Testing

@testable import SwiftGANDashboard

/// The pages in a real browser (Debian's headless chromium over the
/// DevTools protocol): what their scripts draw from a live server, and
/// the lab driven through its own buttons and keys.
@Suite("Dashboard in a browser", .serialized)
struct BrowserTests {
    /// Non-white pixels of a screenshot inside the element `selector`'s box.
    static func inkInside(_ selector: String, browser: HeadlessBrowser, session: String) throws -> (ink: Int, colours: Int) {
        let png = try browser.screenshot(session: session)
        let picture = try PNG.decode(png, file: "screenshot")
        let box = try #require(
            try browser.evaluate(
                "(() => { const r = document.querySelector('\(selector)').getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()",
                session: session) as? [Double])
        var ink = 0
        var colours: Set<[UInt8]> = []
        let ratio = Double(picture.width) / ((try browser.evaluate("window.innerWidth", session: session) as? Double) ?? Double(picture.width))
        let top = max(0, Int(box[1] * ratio))
        let left = max(0, Int(box[0] * ratio))
        let bottom = min(picture.height, Int((box[1] + box[3]) * ratio))
        let right = min(picture.width, Int((box[0] + box[2]) * ratio))
        guard top < bottom && left < right else { return (0, 0) }
        for y in top..<bottom {
            for x in left..<right {
                let offset = (y * picture.width + x) * picture.channels
                let pixel = Array(picture.pixels[offset..<offset + 3])
                if pixel != [255, 255, 255] { ink += 1 }
                colours.insert(pixel)
            }
        }
        return (ink, colours.count)
    }

    @Test func theDashboardDrawsATrainingRunLive() throws {
        let directory = temporaryDirectory("browser") + "/live"
        let training = try GANProcess([
            "train", "--data", "ring8", "--steps", "100000", "--log-every", "10", "--sample-every", "100", "--checkpoint-every", "100",
            "--run-dir", directory, "--threads", "1"
        ])
        _ = try training.wait(for: #"step [0-9]+/100000"#)
        let served = try Served(["serve", "--run", directory])
        let browser = try HeadlessBrowser()
        let session = try browser.open(served.url)
        let loss = "document.querySelector('svg.chart[data-chart=\"loss\"]')"
        try browser.wait(until: "\(loss) && Number(\(loss).dataset.points) >= 20", session: session)
        let first = try #require(try browser.evaluate("Number(\(loss).dataset.points)", session: session) as? Int)
        // New points arrive without a reload while the run trains.
        try browser.wait(until: "Number(\(loss).dataset.points) > \(first + 10)", session: session)
        #expect(try browser.evaluate("performance.getEntriesByType('navigation').length", session: session) as? Int == 1)
        #expect(training.interrupt() == 130)
        // Once training stopped, the page holds exactly the logged points: two loss series.
        let logged = loggedLines(directory, key: "loss/discriminator")
        try browser.wait(until: "Number(\(loss).dataset.points) === \(2 * logged)", session: session)
        let series = try browser.evaluate("[...\(loss).querySelectorAll('polyline.series')].map(p => p.dataset.series)", session: session)
        #expect(series as? [String] == ["discriminator", "generator"])
        for chart in ["score", "grad_norm", "lr", "speed"] {
            #expect(try browser.evaluate("!!document.querySelector('svg.chart[data-chart=\"\(chart)\"]')", session: session) as? Bool == true, "\(chart)")
        }
        // The sample grid, the config and the command, the GAN Lab view of the 2-D run.
        try browser.wait(
            until: "document.getElementById('sample-latest').complete && document.getElementById('sample-latest').naturalWidth > 0", session: session)
        #expect((try browser.evaluate("document.getElementById('config').textContent", session: session) as? String)?.contains("ring8") == true)
        #expect(
            (try browser.evaluate("document.getElementById('command').textContent", session: session) as? String)?.contains("gan train --data ring8") == true)
        try browser.wait(until: "document.getElementById('mixture').dataset.real === '500'", session: session)
        let chart = try Self.inkInside("svg.chart[data-chart=\"loss\"]", browser: browser, session: session)
        #expect(chart.ink > 500 && chart.colours > 3, "the loss chart is blank in the screenshot")
        let plane = try Self.inkInside("#mixture", browser: browser, session: session)
        #expect(plane.colours > 50, "the GAN Lab view is blank in the screenshot")
        served.stop()
    }

    @Test func twoRunsAreOverlaid() throws {
        let folder = temporaryDirectory("compare")
        _ = try finishedMixtureRun(in: folder, name: "a")
        _ = try finishedMixtureRun(steps: 90, in: folder, name: "b")
        let served = try Served(["serve", "--runs", folder])
        let browser = try HeadlessBrowser()
        let session = try browser.open(served.url + "?compare=a,b")
        let loss = "document.querySelector('svg.chart[data-chart=\"loss\"]')"
        try browser.wait(until: "\(loss) && Number(\(loss).dataset.points) === \(2 * 6 + 2 * 9)", session: session)
        let series = try browser.evaluate("[...\(loss).querySelectorAll('polyline.series')].map(p => p.dataset.series)", session: session)
        #expect(series as? [String] == ["a: discriminator", "a: generator", "b: discriminator", "b: generator"])
        #expect(try browser.evaluate("document.querySelectorAll('#runs tr').length", session: session) as? Int == 2)
        let marks = try browser.evaluate("document.querySelectorAll('svg.chart[data-chart=\"eval/reverse_kl\"] line.mark').length", session: session)
        #expect(marks as? Int == 2, "each run's best step is marked")
        served.stop()
    }

    @Test func theLabPlaysFromItsOwnControls() throws {
        let served = try Served(["lab", "--threads", "1"])
        let browser = try HeadlessBrowser(width: 1200, height: 900)
        let session = try browser.open(served.url)
        try browser.wait(until: "document.body.dataset.generatorUpdates === '0'", session: session)
        try browser.click("#play", session: session)
        try browser.wait(until: "Number(document.body.dataset.generatorUpdates) > 20", session: session)
        #expect(try browser.evaluate("document.getElementById('play').textContent", session: session) as? String == "Pause")
        // The keyboard: space pauses (focus on the page), d takes one D step.
        _ = try browser.evaluate("document.activeElement.blur()", session: session)
        try browser.press(" ", session: session)
        try browser.wait(until: "document.body.dataset.playing === 'false'", session: session)
        let before = try #require(try served.client.get("/api/lab").json() as? [String: Any])
        try browser.press("d", session: session)
        let deadline = Date().addingTimeInterval(30)
        var after = before
        while Date() < deadline, (after["discriminatorUpdates"] as? Int) == (before["discriminatorUpdates"] as? Int) {
            usleep(100_000)
            after = try #require(try served.client.get("/api/lab").json() as? [String: Any])
        }
        #expect(after["discriminatorUpdates"] as? Int == (before["discriminatorUpdates"] as? Int ?? -10) + 1)
        #expect(after["generatorUpdates"] as? Int == before["generatorUpdates"] as? Int)
        let plane = try Self.inkInside("#plane", browser: browser, session: session)
        #expect(plane.colours > 50, "the lab's plane is blank in the screenshot")
        #expect(try browser.evaluate("Number(document.querySelector('#loss-chart svg').dataset.points)", session: session) as? Int ?? 0 > 40)

        // Drawing a distribution from the keyboard: the pen moves with the arrows, Enter puts a point.
        try browser.click("#draw", session: session)
        for (key, code) in [("Enter", 13), ("ArrowRight", 39), ("ArrowRight", 39), ("Enter", 13), ("ArrowUp", 38), ("Enter", 13)] {
            try browser.press(key: key, code: code, session: session)
        }
        try browser.wait(until: "document.getElementById('plane').dataset.drawn === '3'", session: session)
        try browser.click("#train-drawing", session: session)
        #expect(eventually { ((try? served.client.get("/api/lab").json() as? [String: Any])?["settings"] as? [String: Any])?["data"] as? String == "custom" })
        let drawnPoints = ((try served.client.get("/api/lab").json() as? [String: Any])?["settings"] as? [String: Any])?["customPoints"] as? [Double]
        #expect(drawnPoints?.count == 6)
        served.stop()
    }
}
