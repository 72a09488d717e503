import Foundation
import Hummingbird
import SwiftGANDashboard
import SwiftGANTensor

/// The runs API:
/// - `GET /api/runs`: `[RunSummary]` of every served run;
/// - `GET /api/runs/NAME`: one `RunSummary`;
/// - `GET /api/runs/NAME/metrics?inode=I&offset=N`: a `MetricsChunk` (the log's lines after the cursor);
/// - `GET /api/runs/NAME/events?inode=I&offset=N`: server-sent events, `metrics` (a
///   `MetricsChunk`) whenever lines are appended and `run` (a `RunSummary`)
///   whenever samples, checkpoints or the training state change;
/// - `GET /api/runs/NAME/file/PATH`: a file inside the run (PNG sample grids);
/// - `GET /api/runs/NAME/mixture`: the GAN Lab view of a 2-D run's checkpoint.
extension DashboardServer {
    func addRunRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/api/runs") { [self] _, _ in
            try Self.json(catalog.runs().map { RunSummary(name: $0.name, directory: $0.directory) })
        }
        router.get("/api/runs/:name") { [self] _, context in
            guard let (name, directory) = run(context) else { return Self.text(.notFound, "no such run\n") }
            return try Self.json(RunSummary(name: name, directory: directory))
        }
        router.get("/api/runs/:name/metrics") { [self] request, context in
            guard let (_, directory) = run(context) else { return Self.text(.notFound, "no such run\n") }
            return try Self.json(MetricsReader.read("\(directory)/metrics.jsonl", after: Self.cursor(request)))
        }
        router.get("/api/runs/:name/events") { [self] request, context in
            guard let (name, directory) = run(context) else { return Self.text(.notFound, "no such run\n") }
            return events(name: name, directory: directory, cursor: Self.cursor(request))
        }
        router.get("/api/runs/:name/mixture") { [self] _, context in
            guard let (name, directory) = run(context) else { return Self.text(.notFound, "no such run\n") }
            do { return try Self.json(try mixtureViews.view(directory: directory)) } catch {
                options.log("mixture view of \(name): \(error)")
                return Self.text(.unprocessableContent, "\(error)\n")
            }
        }
        router.get("/api/runs/:name/file/**") { [self] request, context in
            guard let (name, directory) = run(context) else { return Self.text(.notFound, "no such run\n") }
            return file(request, run: name, directory: directory)
        }
    }

    /// The run a request's `:name` names.
    func run(_ context: BasicRequestContext) -> (String, String)? {
        guard let name = context.parameters.get("name"), let decoded = name.removingPercentEncoding,
            let directory = catalog.directory(named: decoded)
        else { return nil }
        return (decoded, directory)
    }

    static func cursor(_ request: Request) -> MetricsCursor {
        let query = request.uri.queryParameters
        return MetricsCursor(
            inode: query["inode"].flatMap { UInt64($0) } ?? 0, offset: max(0, query["offset"].flatMap { Int($0) } ?? 0))
    }

    /// A file inside the run, taken from the raw request path (so encoded
    /// `..` and slashes are judged after decoding); refusals are logged.
    func file(_ request: Request, run name: String, directory: String) -> Response {
        let path = request.uri.path
        guard let marker = path.range(of: "/file/") else { return Self.text(.notFound, "no such file\n") }
        let raw = String(path[marker.upperBound...])
        guard let relative = raw.removingPercentEncoding else {
            options.log("refused GET \(path) (bad percent-encoding): 400")
            return Self.text(.badRequest, "bad percent-encoding\n")
        }
        switch RunFilePath.resolve(relative, in: directory) {
        case .failure(let refusal):
            options.log("refused GET \(path) in run \(name) (\(refusal)): \(refusal.status)")
            return Self.text(HTTPResponse.Status(code: refusal.status), "\(refusal)\n")
        case .success(let target):
            guard let bytes = try? FileContents.read(target), bytes.count <= 64 << 20 else { return Self.text(.notFound, "unreadable file\n") }
            return Response(
                status: .ok, headers: [.contentType: SiteFiles.contentType(target), .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// The live stream of one run: polls the metrics log and the run's state
    /// every `pollInterval`, sends what changed, and a comment every 15 s so
    /// proxies keep the connection; ends when the client goes or the server stops.
    func events(name: String, directory: String, cursor start: MetricsCursor) -> Response {
        let interval = options.pollInterval
        let body = ResponseBody { [self] writer in
            var cursor = start
            var lastSummary: RunSummary?
            var lastWrite = ContinuousClock.now
            var polls = 0
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            while !isStopping && !Task.isCancelled {
                let chunk = MetricsReader.read("\(directory)/metrics.jsonl", after: cursor)
                if chunk.reset || !chunk.records.isEmpty {
                    try await writer.write(ByteBuffer(string: try Self.event("metrics", chunk)))
                    lastWrite = .now
                }
                cursor = chunk.cursor
                // The run's state (a directory listing and two checkpoint headers) about once a second.
                if polls % max(1, Int(Duration.seconds(1) / interval)) == 0 {
                    let summary = RunSummary(name: name, directory: directory)
                    if summary != lastSummary {
                        try await writer.write(ByteBuffer(string: try Self.event("run", summary)))
                        lastSummary = summary
                        lastWrite = .now
                    }
                }
                if ContinuousClock.now - lastWrite > .seconds(15) {
                    try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                    lastWrite = .now
                }
                polls += 1
                try await Task.sleep(for: interval)
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// One server-sent event: `event: NAME`, the value as JSON on one `data:` line.
    static func event<Value: Encodable>(_ name: String, _ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return "event: \(name)\ndata: \(String(decoding: try encoder.encode(value), as: UTF8.self))\n\n"
    }
}
