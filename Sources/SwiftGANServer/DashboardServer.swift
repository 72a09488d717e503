import Foundation
import Hummingbird
import Logging
import SwiftGANDashboard
import Synchronization

/// Where and how a dashboard listens.
public struct DashboardOptions: Sendable {
    /// The address to bind: 127.0.0.1 by default; any other address requires `token`.
    public var host: String
    /// The port (0: any free port; the URL printed names the one bound).
    public var port: Int
    /// The token every request must carry (nil only on a loopback bind).
    public var token: String?
    /// How often an open page's stream looks for new points.
    public var pollInterval: Duration
    /// Where refusals and errors are reported (the CLI: standard error).
    public var log: @Sendable (String) -> Void

    public init(
        host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, pollInterval: Duration = .milliseconds(250),
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.pollInterval = pollInterval
        self.log = log
    }

    /// Whether `host` is a loopback address: `localhost`, an IPv4 address
    /// in 127.0.0.0/8 or `::1` (written as addresses: a host name that only
    /// starts with `127.` is not one).
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" { return true }
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }

    /// A new random token: 32 hexadecimal digits from the system's generator.
    public static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%016llx", generator.next() as UInt64) }.joined().prefix(32).description
    }
}

/// Why a dashboard cannot start.
public struct DashboardError: Error, CustomStringConvertible {
    public var description: String
}

/// The local web dashboard: serves the page, a JSON API over the runs of a
/// `RunCatalog`, a live stream of their new points and samples
/// (server-sent events), the files inside the runs (sample grids) and, with
/// a `LabSession`, the interactive 2-D lab. It never writes into the runs it shows.
///
/// ```swift
/// let server = try DashboardServer(catalog: RunCatalog(.run("runs/dcgan-quick")), options: DashboardOptions(port: 0))
/// try await server.run { url in print("serving \(url)") }
/// ```
public final class DashboardServer: Sendable {
    public let catalog: RunCatalog
    public let options: DashboardOptions
    let site: SiteFiles
    let lab: LabSession?
    let mixtureViews = MixtureViewCache()
    /// Set when the server is stopping, so open streams end and shutdown is prompt.
    let stopping = Atomic<Bool>(false)

    /// - Throws: `DashboardError` for a non-loopback host without a token,
    ///   `FileError` when the page's files are missing.
    public init(catalog: RunCatalog, options: DashboardOptions, lab: LabSession? = nil) throws {
        guard DashboardOptions.isLoopback(options.host) || options.token != nil else {
            throw DashboardError(description: "--host \(options.host) is not a loopback address: a token is required")
        }
        guard (0...65535).contains(options.port) else {
            throw DashboardError(description: "--port \(options.port) must be in 0...65535")
        }
        self.catalog = catalog
        self.options = options
        self.lab = lab
        site = try SiteFiles.load()
    }

    /// The URL a browser opens (with the token, when there is one).
    public func url(port: Int) -> String {
        let host = options.host.contains(":") && !options.host.hasPrefix("[") ? "[\(options.host)]" : options.host
        return "http://\(host):\(port)/" + (options.token.map { "?token=\($0)" } ?? "")
    }

    /// Serves until the task is cancelled (or `stop()`); `onListening`
    /// receives the URL once the socket is bound.
    /// - Throws: the bind error (a port in use, an address not on this machine).
    public func run(onListening: @escaping @Sendable (String) -> Void = { _ in }) async throws {
        let application = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "SwiftGAN"),
            onServerRunning: { [self] channel in onListening(url(port: channel.localAddress?.port ?? options.port)) },
            logger: Self.quietLogger()
        )
        defer { stopping.store(true, ordering: .relaxed) }
        try await withTaskCancellationHandler {
            try await application.runService(gracefulShutdownSignals: [])
        } onCancel: {
            stopping.store(true, ordering: .relaxed)
        }
    }

    /// Ends open streams (the server itself stops when its task is cancelled).
    public func stop() { stopping.store(true, ordering: .relaxed) }

    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AccessGuard(token: options.token, loopback: DashboardOptions.isLoopback(options.host), log: options.log))
        addSiteRoutes(router)
        addRunRoutes(router)
        if let lab { addLabRoutes(router, lab: lab) }
        return router
    }

    func addSiteRoutes(_ router: Router<BasicRequestContext>) {
        router.get("/") { [self] _, _ in siteResponse(lab == nil ? "index.html" : "lab.html") }
        router.get("/site/:file") { [self] _, context in
            siteResponse(context.parameters.get("file") ?? "")
        }
    }

    func siteResponse(_ name: String) -> Response {
        guard let file = site.files[name] else { return Self.text(.notFound, "no such page file\n") }
        return Response(
            status: .ok, headers: [.contentType: file.type, .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message)))
    }

    static func json<Value: Encodable>(_ value: Value) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "swiftgan.serve")
        // Hummingbird reports a client's dropped connection at shutdown as an error: nothing for a user to act on.
        logger.logLevel = .critical
        return logger
    }
}
