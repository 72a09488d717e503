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
/// - `GET /api/runs/NAME/file/PATH`: a PNG file inside the run (the sample grids);
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
            // A reconnecting EventSource sends the id of the last event it had: continue from there.
            let resumed = request.headers.first { $0.name.canonicalName == "last-event-id" }.flatMap { Self.cursor(eventID: $0.value) }
            return events(name: name, directory: directory, cursor: resumed ?? Self.cursor(request))
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

    /// The run a request's `:name` names (an unknown name is logged).
    func run(_ context: BasicRequestContext) -> (String, String)? {
        let raw = context.parameters.get("name") ?? ""
        guard let decoded = raw.removingPercentEncoding, let directory = catalog.directory(named: decoded) else {
            options.log("refused a request for run \(raw.prefix(100)) (no such run): 404")
            return nil
        }
        return (decoded, directory)
    }

    /// The cursor an event id (`INODE:OFFSET`, as `events` writes them) names.
    static func cursor(eventID: String) -> MetricsCursor? {
        let parts = eventID.split(separator: ":")
        guard parts.count == 2, let inode = UInt64(parts[0]), let offset = Int(parts[1]), offset >= 0 else { return nil }
        return MetricsCursor(inode: inode, offset: offset)
    }

    static func cursor(_ request: Request) -> MetricsCursor {
        let query = request.uri.queryParameters
        return MetricsCursor(
            inode: query["inode"].flatMap { UInt64($0) } ?? 0, offset: max(0, query["offset"].flatMap { Int($0) } ?? 0))
    }

    /// A PNG file inside the run, taken from the raw request path (so
    /// encoded `..` and slashes are judged after decoding); refusals are
    /// logged. Only PNG is served, with `nosniff` and a sandboxing policy,
    /// so a crafted run cannot put a page or a script on the dashboard's origin.
    func file(_ request: Request, run name: String, directory: String) -> Response {
        let path = request.uri.path
        let prefix = "/api/runs/\(context(name: request))/file/"
        guard path.hasPrefix(prefix) else { return Self.text(.notFound, "no such file\n") }
        let raw = String(path.dropFirst(prefix.count))
        guard let relative = raw.removingPercentEncoding else {
            options.log("refused GET \(path) (bad percent-encoding): 400")
            return Self.text(.badRequest, "bad percent-encoding\n")
        }
        switch RunFilePath.resolve(relative, in: directory) {
        case .failure(let refusal):
            options.log("refused GET \(path) in run \(name) (\(refusal)): \(refusal.status)")
            return Self.text(HTTPResponse.Status(code: refusal.status), "\(refusal)\n")
        case .success(let target):
            guard target.lowercased().hasSuffix(".png") else {
                options.log("refused GET \(path) in run \(name) (not a PNG file): 403")
                return Self.text(.forbidden, "only the run's PNG files are served\n")
            }
            var status = stat()
            guard stat(target, &status) == 0, status.st_size <= 64 << 20 else {
                options.log("refused GET \(path) in run \(name) (larger than 64 MiB): 413")
                return Self.text(.contentTooLarge, "the file is larger than 64 MiB\n")
            }
            guard let bytes = try? FileContents.read(target) else { return Self.text(.notFound, "unreadable file\n") }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "image/png", .cacheControl: "no-cache", .xContentTypeOptions: "nosniff",
                    .contentSecurityPolicy: "sandbox; default-src 'none'"
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }

    /// The run-name segment of a file request's path, as sent.
    private func context(name request: Request) -> String {
        let parts = request.uri.path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count > 3 ? String(parts[3]) : ""
    }

    /// The live stream of one run: polls the metrics log and the run's state
    /// every `pollInterval`, sends what changed, and a comment every 15 s so
    /// proxies keep the connection; ends when the client goes or the server stops.
    func events(name: String, directory: String, cursor start: MetricsCursor) -> Response {
        let interval = max(options.pollInterval, .milliseconds(10))
        let body = ResponseBody { [self] writer in
            var cursor = start
            var lastSummary: RunSummary?
            var lastWrite = ContinuousClock.now
            var polls = 0
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            while !isStopping && !Task.isCancelled {
                let chunk = MetricsReader.read("\(directory)/metrics.jsonl", after: cursor)
                if chunk.reset || !chunk.records.isEmpty {
                    let id = "\(chunk.cursor.inode):\(chunk.cursor.offset)"
                    try await writer.write(ByteBuffer(string: try Self.event("metrics", chunk, id: id)))
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
    static func event<Value: Encodable>(_ name: String, _ value: Value, id: String? = nil) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let data = "event: \(name)\ndata: \(String(decoding: try encoder.encode(value), as: UTF8.self))\n"
        return (id.map { "id: \($0)\n" } ?? "") + data + "\n"
    }
}
