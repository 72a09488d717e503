import Foundation
import SwiftGANServer
import SwiftGANTestSupport
import SwiftGANTraining
import Testing

@testable import SwiftGANDashboard

#if canImport(Glibc)
    import Glibc
#endif

/// `gan serve` as a client sees it: the JSON API, the live stream of a
/// concurrently training run, the files it serves and refuses, and the
/// token beyond loopback. Each test runs the real `gan` binary.
@Suite("Dashboard server", .serialized)
struct ServerTests {
    @Test func theAPIDescribesARunAndWritesNothingIntoIt() throws {
        let run = try finishedMixtureRun()
        let before = treeState(run)
        let served = try Served(["serve", "--run", run])
        let client = served.client

        let list = try #require(try client.get("/api/runs").json() as? [[String: Any]])
        #expect(list.count == 1)
        let summary = try #require(list.first)
        #expect(summary["name"] as? String == "ring")
        #expect(summary["kind"] as? String == "gan")
        #expect(summary["isMixture"] as? Bool == true)
        #expect(summary["sampleSteps"] as? [Int] == [0, 30, 60])
        #expect(summary["checkpointStep"] as? Int == 60)
        #expect(summary["totalSteps"] as? Int == 60)
        #expect([30, 60].contains(summary["bestStep"] as? Int ?? -1))
        let record = try #require((summary["record"] as? [String: Any])?["sessions"] as? [[String: Any]])
        #expect((record.first?["command"] as? [String])?.prefix(4) == ["gan", "train", "--data", "ring8"])
        #expect(record.first?["version"] as? String == SwiftGANVersion.current)
        #expect((summary["config"] as? [String: Any])?["data_name"] as? String == "ring8")

        let one = try #require(try client.get("/api/runs/ring").json() as? [String: Any])
        #expect(one["sampleSteps"] as? [Int] == [0, 30, 60])
        #expect(try client.get("/api/runs/other").status == 404)

        // The metrics log: every line, then nothing new after the cursor.
        let chunk = try #require(try client.get("/api/runs/ring/metrics").json() as? [String: Any])
        let records = try #require(chunk["records"] as? [[String: Any]])
        let lines = try String(contentsOfFile: "\(run)/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(records.count == lines.count)
        #expect(records.compactMap { ($0["values"] as? [String: Any])?["loss/discriminator"] }.count == 6)
        let cursor = try #require(chunk["cursor"] as? [String: Any])
        let size = try #require(try FileManager.default.attributesOfItem(atPath: "\(run)/metrics.jsonl")[.size] as? Int)
        #expect(cursor["offset"] as? Int == size)
        let inode = try #require(cursor["inode"] as? Int)
        let after = try #require(try client.get("/api/runs/ring/metrics?inode=\(inode)&offset=\(size)").json() as? [String: Any])
        #expect((after["records"] as? [Any])?.isEmpty == true)
        #expect(after["reset"] as? Bool == false)

        // A sample grid, the page and its files.
        let grid = try client.get("/api/runs/ring/file/samples/step-000060.png")
        #expect(grid.status == 200 && grid.headers["content-type"] == "image/png")
        #expect(Array(grid.body.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        let page = try client.get("/")
        #expect(page.status == 200 && page.text.contains("/site/dashboard.js"))
        for file in ["dashboard.js", "charts.js", "dashboard.css", "index.html", "lab.html", "lab.js"] {
            let response = try client.get("/site/\(file)")
            #expect(response.status == 200, "\(file)")
            // Offline: nothing the page loads comes from another host.
            let external = try NSRegularExpression(
                pattern: #"(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|fetch\(\s*["'`](https?:)?//|EventSource\(\s*["'`](https?:)?//"#)
            #expect(external.numberOfMatches(in: response.text, range: NSRange(response.text.startIndex..., in: response.text)) == 0, "\(file)")
        }

        // The GAN Lab view of the checkpoint.
        let view = try #require(try client.get("/api/runs/ring/mixture").json() as? [String: Any])
        #expect(view["step"] as? Int == 60)
        #expect((view["real"] as? [Any])?.count == 1000)
        #expect((view["generated"] as? [Any])?.count == 1000)
        let mapSize = try #require(view["mapSize"] as? Int)
        #expect((view["decision"] as? [Any])?.count == mapSize * mapSize)
        #expect((view["manifold"] as? [Any])?.count == 22)
        #expect((view["samplesPerMode"] as? [Int])?.count == 8)

        #expect(treeState(run) == before, "the server wrote into the run it shows")
        served.stop()
    }

    @Test func translationAndCycleGANRunsAreServedAsTheirKind() throws {
        let folder = temporaryDirectory("kinds")
        for (name, arguments) in [
            ("paired", ["--task", "pix2pix", "--data", "edges2fashion", "--limit", "64", "--batch-size", "4"]),
            ("unpaired", ["--task", "cyclegan", "--data", "fashion2edges", "--limit", "64", "--batch-size", "1"])
        ] {
            let (status, output) = try runGAN(["train"] + arguments + ["--steps", "2", "--log-every", "1", "--run-dir", "\(folder)/\(name)", "--threads", "1"])
            #expect(status == 0, "\(output)")
        }
        let served = try Served(["serve", "--runs", folder])
        let runs = try #require(try served.client.get("/api/runs").json() as? [[String: Any]])
        #expect(runs.map { $0["name"] as? String } == ["paired", "unpaired"])
        #expect(runs.map { $0["kind"] as? String } == ["translation", "cyclegan"])
        #expect(runs.allSatisfy { $0["isMixture"] as? Bool == false && ($0["sampleSteps"] as? [Int])?.last == 2 })
        for name in ["paired", "unpaired"] {
            let chunk = try #require(try served.client.get("/api/runs/\(name)/metrics").json() as? [String: Any])
            let keys = Set((chunk["records"] as? [[String: Any]] ?? []).flatMap { ($0["values"] as? [String: Any] ?? [:]).keys })
            #expect(keys.contains { $0.hasPrefix("loss/") }, "\(name): \(keys)")
            #expect(try served.client.get("/api/runs/\(name)/file/samples/step-000002.png").status == 200)
            #expect(try served.client.get("/api/runs/\(name)/mixture").status == 422, "only 2-D runs have the GAN Lab view")
        }
        served.stop()
    }

    @Test func everyPathTraversalIsRefusedAndLogged() throws {
        let run = try finishedMixtureRun()
        let outside = temporaryDirectory("outside")
        _ = FileManager.default.createFile(atPath: "\(outside)/secret.txt", contents: Data("secret".utf8))
        // Links out of the run, as a crafted run directory could hold.
        try FileManager.default.createSymbolicLink(atPath: "\(run)/samples/step-999999.png", withDestinationPath: "\(outside)/secret.txt")
        try FileManager.default.createSymbolicLink(atPath: "\(run)/escape", withDestinationPath: outside)
        let served = try Served(["serve", "--run", run])
        let client = served.client
        let refused: [(String, Int)] = [
            ("/api/runs/ring/file/../../../../etc/passwd", 403),
            ("/api/runs/ring/file/samples/../../../etc/passwd", 403),
            ("/api/runs/ring/file/%2e%2e/%2e%2e/etc/passwd", 403),
            ("/api/runs/ring/file/..%2F..%2Fetc%2Fpasswd", 403),
            ("/api/runs/ring/file/%2Fetc%2Fpasswd", 403),
            ("/api/runs/ring/file/samples/./step-000060.png", 403),
            ("/api/runs/ring/file/samples//step-000060.png", 403),
            ("/api/runs/ring/file/.lock", 403),
            ("/api/runs/ring/file/.swiftgan-run", 403),
            ("/api/runs/ring/file/samples/step-999999.png", 403),
            ("/api/runs/ring/file/escape/secret.txt", 403),
            ("/api/runs/ring/file/samples", 403),
            ("/api/runs/ring/file/nothing.png", 404),
            ("/api/runs/..%2F..%2Fetc/metrics", 404),
            ("/api/runs/ring/file/" + String(repeating: "a/", count: 300) + "x", 414),
            ("/api/runs/ring/file/" + String(repeating: "b", count: 3000), 414)
        ]
        for (target, status) in refused {
            let response = try client.get(target)
            #expect(response.status == status, "\(target.prefix(80)): \(response.status)")
            #expect(!response.text.contains("secret") && !response.text.contains("root:"), "\(target.prefix(80))")
        }
        #expect(try client.get("/api/runs/ring/file/samples/step-000060.png").status == 200)
        // Every refusal names the request on standard error.
        let logged = eventually { served.process.errors.split(separator: "\n").filter { $0.hasPrefix("serve: refused") }.count >= refused.count }
        #expect(logged, "\(served.process.errors)")
        served.stop()
    }

    @Test func aCraftedRunCannotLeakFilesOrServePages() throws {
        let folder = temporaryDirectory("crafted")
        let outside = temporaryDirectory("outside")
        _ = FileManager.default.createFile(atPath: "\(outside)/secret.json", contents: Data("{\"secret\": \"s3cr3t\"}".utf8))
        let run = "\(folder)/crafted"
        try FileManager.default.createDirectory(atPath: "\(run)/samples", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(run)/.swiftgan-run", contents: Data())
        _ = FileManager.default.createFile(atPath: "\(run)/metrics.jsonl", contents: Data("{\"step\": 1, \"loss/generator\": 1}\n".utf8))
        try FileManager.default.createSymbolicLink(atPath: "\(run)/config.json", withDestinationPath: "\(outside)/secret.json")
        try FileManager.default.createSymbolicLink(atPath: "\(run)/run.json", withDestinationPath: "\(outside)/secret.json")
        _ = FileManager.default.createFile(atPath: "\(run)/page.html", contents: Data("<script>alert(1)</script>".utf8))
        _ = FileManager.default.createFile(atPath: "\(run)/samples/picture.svg", contents: Data("<svg onload=\"alert(1)\"/>".utf8))
        // A run folder that is a link out of the served folder is not listed.
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/linked", withDestinationPath: outside)
        let served = try Served(["serve", "--runs", folder])
        let client = served.client
        let list = try client.get("/api/runs")
        #expect(!list.text.contains("s3cr3t"), "a config.json linking out of the run was read")
        let runs = try #require(try list.json() as? [[String: Any]])
        #expect(runs.map { $0["name"] as? String } == ["crafted"])
        #expect(runs.first?["config"] == nil && runs.first?["record"] == nil)
        for target in ["/api/runs/crafted/file/page.html", "/api/runs/crafted/file/samples/picture.svg", "/api/runs/crafted/file/config.json"] {
            let response = try client.get(target)
            #expect(response.status == 403, "\(target): \(response.status)")
            #expect(!response.text.contains("alert") && !response.text.contains("s3cr3t"))
        }
        #expect(try client.get("/api/runs/linked").status == 404)
        #expect(try client.get("/api/runs/crafted/mixture").status == 422)
        served.stop()
    }

    @Test func aReconnectingStreamContinuesFromItsLastEvent() throws {
        let run = try finishedMixtureRun()
        let served = try Served(["serve", "--run", run])
        let first = try served.client.events("/api/runs/ring/events")
        var event = try #require(try first.next())
        while event.event != "metrics" { event = try #require(try first.next()) }
        let id = try #require(first.lastID)
        // What a reconnecting EventSource sends: the last id. Only lines after it come.
        let second = try served.client.events("/api/runs/ring/events", headers: ["Last-Event-ID": id])
        let handle = try #require(FileHandle(forWritingAtPath: "\(run)/metrics.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data("{\"step\": 70, \"loss/generator\": 0.5}\n".utf8))
        try handle.close()
        event = try #require(try second.next())
        while event.event != "metrics" { event = try #require(try second.next()) }
        let chunk = try #require(try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])
        #expect((chunk["records"] as? [[String: Any]])?.compactMap { $0["step"] as? Int } == [70])
        #expect(chunk["reset"] as? Bool == false)
        served.stop()
    }

    @Test func requestsFromOtherSitesAreRefused() throws {
        #expect(DashboardOptions.isLoopback("127.0.0.1") && DashboardOptions.isLoopback("127.1.2.3") && DashboardOptions.isLoopback("::1"))
        #expect(DashboardOptions.isLoopback("[::1]") && DashboardOptions.isLoopback("localhost"))
        #expect(!DashboardOptions.isLoopback("127.evil.example") && !DashboardOptions.isLoopback("0.0.0.0") && !DashboardOptions.isLoopback("10.0.0.1"))
        let served = try Served(["lab", "--threads", "1"])
        let client = served.client
        // A page on another domain that rebinds its name to 127.0.0.1 sends its own Host.
        #expect(try client.get("/api/lab", headers: ["Host": "evil.example:\(served.port)"]).status == 421)
        #expect(try client.get("/api/lab", headers: ["Host": "localhost:\(served.port)"]).status == 200)
        let origin = "http://127.0.0.1:\(served.port)"
        #expect(try client.request("POST", "/api/lab/step-d", headers: ["Origin": "http://evil.example"]).status == 403)
        #expect(try client.request("POST", "/api/lab/step-d", headers: ["Origin": origin]).status == 200)
        let settings = Array(try JSONSerialization.data(withJSONObject: ["data": "ring8", "objective": "lsgan"]))
        #expect(try client.request("POST", "/api/lab/settings", headers: ["Content-Type": "text/plain"], body: settings).status == 403)
        let state = try #require(try client.get("/api/lab").json() as? [String: Any])
        #expect(state["discriminatorUpdates"] as? Int == 1, "the refused requests changed nothing")
        served.stop()
    }

    @Test func aBindBeyondLoopbackRequiresItsToken() throws {
        #expect(throws: DashboardError.self) {
            _ = try DashboardServer(catalog: RunCatalog(.none), options: DashboardOptions(host: "0.0.0.0", port: 0))
        }
        let run = try finishedMixtureRun()
        let served = try Served(["serve", "--run", run, "--host", "0.0.0.0"])
        let token = try #require(served.url.split(separator: "=").last.map(String.init))
        #expect(token.count == 32 && token.allSatisfy(\.isHexDigit))
        let client = served.client
        for target in ["/", "/api/runs", "/api/runs/ring/metrics", "/api/runs/ring/file/samples/step-000060.png", "/api/runs/ring/events"] {
            #expect(try client.get(target).status == 401, "\(target)")
            #expect(try client.get(target + (target.contains("?") ? "&" : "?") + "token=wrong").status == 401, "\(target)")
        }
        let opened = try client.get("/?token=\(token)")
        #expect(opened.status == 200)
        let cookie = try #require(opened.headers["set-cookie"])
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        #expect(try client.get("/api/runs", headers: ["Authorization": "Bearer \(token)"]).status == 200)
        let wrong = (token.first == "a" ? "b" : "a") + token.dropFirst()
        #expect(try client.get("/api/runs", headers: ["Authorization": "Bearer \(wrong)"]).status == 401)
        // A stale cookie (an earlier server's token) is replaced.
        let cookieName = "swiftgan_token_\(token.prefix(8))"
        #expect(cookie.hasPrefix("\(cookieName)=\(token)"))
        let replaced = try client.get("/?token=\(token)", headers: ["Cookie": "\(cookieName)=\(wrong)"])
        #expect(replaced.status == 200 && replaced.headers["set-cookie"]?.hasPrefix("\(cookieName)=\(token)") == true)
        #expect(try client.get("/api/runs", headers: ["Cookie": "\(cookieName)=\(token)"]).status == 200)
        served.stop()
    }

    @Test func theStreamDeliversThePointsOfATrainingRunningNow() throws {
        let directory = temporaryDirectory("live") + "/live"
        let training = try GANProcess([
            "train", "--data", "ring8", "--steps", "100000", "--log-every", "10", "--sample-every", "100000", "--run-dir", directory,
            "--threads", "1"
        ])
        _ = try training.wait(for: #"step [0-9]+/100000"#)
        let served = try Served(["serve", "--run", directory])
        let stream = try served.client.events("/api/runs/live/events")
        #expect(stream.status == 200 && stream.headers["content-type"] == "text/event-stream")
        var steps: [Int] = []
        var metricEvents = 0
        var sawRun = false
        let deadline = Date().addingTimeInterval(90)
        // Events keep coming while training goes on: at least three metrics events, the last ones during training.
        while metricEvents < 4 && Date() < deadline, let event = try stream.next() {
            if event.event == "run" {
                sawRun = true
                continue
            }
            guard event.event == "metrics" else { continue }
            let chunk = try #require(try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])
            let records = try #require(chunk["records"] as? [[String: Any]])
            steps += records.compactMap { $0["step"] as? Int }
            metricEvents += 1
            #expect(training.process.isRunning, "the points came from a run still training")
        }
        #expect(sawRun)
        #expect(metricEvents == 4)
        #expect(steps == steps.sorted() && Set(steps).count == steps.count)
        training.interrupt()
        // What the stream delivered is exactly the start of the log.
        let logged = try String(contentsOfFile: "\(directory)/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { line in MetricsReader.parse(Array(line.utf8))?.step }
        #expect(Array(logged.prefix(steps.count)) == steps)
        served.stop()
    }

    @Test func trainServeServesTheRunWhileItTrains() throws {
        let directory = temporaryDirectory("train-serve") + "/served"
        let training = try GANProcess([
            "train", "--data", "ring8", "--steps", "100000", "--log-every", "10", "--run-dir", directory, "--threads", "1", "--serve", "--port", "0"
        ])
        let match = try training.wait(for: #"dashboard: http://127\.0\.0\.1:([0-9]+)/"#)
        let client = HTTPTestClient(port: Int(match[1])!)
        let runs = try #require(try client.get("/api/runs").json() as? [[String: Any]])
        #expect(runs.map { $0["name"] as? String } == ["served"])
        #expect(runs.first?["isTraining"] as? Bool == true)
        #expect(training.interrupt() == 130)
        #expect(throws: (any Error).self) { _ = try client.get("/api/runs") }
    }

    @Test func theLabIsDrivenThroughItsAPI() throws {
        let served = try Served(["lab", "--threads", "1"])
        let client = served.client
        func state(_ response: HTTPTestClient.Response) throws -> [String: Any] {
            try #require(try response.json() as? [String: Any])
        }
        var current = try state(try client.request("POST", "/api/lab/step-d"))
        #expect(current["discriminatorUpdates"] as? Int == 1 && current["generatorUpdates"] as? Int == 0)
        current = try state(try client.request("POST", "/api/lab/step-g"))
        #expect(current["discriminatorUpdates"] as? Int == 1 && current["generatorUpdates"] as? Int == 1)
        #expect((current["view"] as? [String: Any])?["step"] as? Int == 1)

        let stream = try client.events("/api/lab/events")
        _ = try stream.next()
        current = try state(try client.request("POST", "/api/lab/play"))
        #expect(current["playing"] as? Bool == true)
        var seen = 0
        while seen < 30, let event = try stream.next(), event.event == "lab" {
            let lab = try #require(try JSONSerialization.jsonObject(with: Data(event.data.utf8)) as? [String: Any])
            seen = lab["generatorUpdates"] as? Int ?? 0
        }
        #expect(seen >= 30)
        current = try state(try client.request("POST", "/api/lab/pause"))
        #expect(current["playing"] as? Bool == false)

        var settings = try #require(current["settings"] as? [String: Any])
        settings["objective"] = "no-such"
        let refused = try client.request("POST", "/api/lab/settings", body: Array(try JSONSerialization.data(withJSONObject: settings)))
        #expect(refused.status == 400 && refused.text.contains("no-such"))
        settings["objective"] = "lsgan"
        settings["data"] = "custom"
        settings["customPoints"] = [0.0, 0.0, 1.0, 1.0, -1.0, 1.0, 0.5, -0.5]
        current = try state(try client.request("POST", "/api/lab/settings", body: Array(try JSONSerialization.data(withJSONObject: settings))))
        #expect((current["settings"] as? [String: Any])?["data"] as? String == "custom")
        #expect(current["generatorUpdates"] as? Int == 0)
        current = try state(try client.request("POST", "/api/lab/step-g"))
        current = try state(try client.request("POST", "/api/lab/reset"))
        #expect(current["generatorUpdates"] as? Int == 0 && current["discriminatorUpdates"] as? Int == 0)
        #expect(try client.request("POST", "/api/lab/explode").status == 404)
        served.stop()
    }
}
