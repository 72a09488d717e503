import Foundation
import Hummingbird

/// Refuses what a dashboard never serves, before any route runs:
/// - request targets longer than `maximumTarget` bytes (414);
/// - on a loopback bind, a `Host` other than a loopback name (421), so a
///   web page that rebinds its own domain to 127.0.0.1 cannot read the runs;
/// - a `POST` from another origin, or without a JSON body type (403), so
///   another site cannot drive the lab;
/// - with a token (a bind beyond loopback), any request without it (401).
///   The token comes as `?token=`, as `Authorization: Bearer`, or as the
///   cookie the server sets when a page is opened with `?token=` (named
///   after the token, so two dashboards on one host keep their own).
/// Every refusal is logged.
struct AccessGuard<Context: RequestContext>: RouterMiddleware {
    let token: String?
    /// Whether the server is bound to a loopback address (then `Host` is checked).
    let loopback: Bool
    let log: @Sendable (String) -> Void
    static var maximumTarget: Int { 2048 }

    /// The token cookie's name: one per token.
    var cookieName: String { "swiftgan_token_" + (token?.prefix(8) ?? "") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let target = request.uri.string
        if target.utf8.count > Self.maximumTarget {
            log("refused \(request.method) (request target of \(target.utf8.count) bytes): 414")
            return Self.refusal(.uriTooLong, "the request target is too long\n")
        }
        let host = request.head.authority ?? ""
        if loopback && !Self.isLoopbackAuthority(host) {
            log("refused \(request.method) \(request.uri.path) (Host \(host.prefix(100)) is not this machine's loopback): 421")
            return Self.refusal(.misdirectedRequest, "this dashboard answers on its loopback address only\n")
        }
        if request.method == .post {
            if let origin = request.headers[.origin], origin != "http://\(host)" {
                log("refused POST \(request.uri.path) (from origin \(origin.prefix(100))): 403")
                return Self.refusal(.forbidden, "requests from another origin are refused\n")
            }
            if let type = request.headers[.contentType], !type.hasPrefix("application/json") {
                log("refused POST \(request.uri.path) (content type \(type.prefix(60))): 403")
                return Self.refusal(.forbidden, "POST bodies must be application/json\n")
            }
        }
        guard let token else { return try await next(request, context) }
        let fromQuery = request.uri.queryParameters["token"].map(String.init)
        let fromHeader = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let fromCookie = request.headers[.cookie].flatMap { Self.cookie(cookieName, in: $0) }
        guard [fromQuery, fromHeader, fromCookie].contains(where: { $0.map { Self.constantTimeEqual($0, token) } ?? false }) else {
            log("refused \(request.method) \(request.uri.path) (no valid token): 401")
            return Self.refusal(.unauthorized, "a token is required\n")
        }
        var response = try await next(request, context)
        if fromQuery != nil && fromCookie != token {
            response.headers[.setCookie] = "\(cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
        }
        return response
    }

    static func refusal(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message)))
    }

    /// Whether a `Host` value (`name[:port]`) names this machine's loopback.
    static func isLoopbackAuthority(_ authority: String) -> Bool {
        var host = Substring(authority)
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<end]
        } else if let colon = host.lastIndex(of: ":") {
            host = host[..<colon]
        }
        return DashboardOptions.isLoopback(String(host))
    }

    /// The value of cookie `name` in a `Cookie` header.
    static func cookie(_ name: String, in header: String) -> String? {
        for pair in header.split(separator: ";") {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2 && parts[0] == name { return String(parts[1]) }
        }
        return nil
    }

    /// Compares without stopping at the first difference.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
