import Foundation
import Hummingbird

/// Refuses what a dashboard never serves, before any route runs: requests
/// longer than `maximumTarget` bytes (414), and, when the server has a
/// token (a bind beyond loopback), any request without it (401). The token
/// comes as `?token=`, as `Authorization: Bearer`, or as the cookie the
/// server sets when a page is opened with `?token=` (so the page's own
/// requests carry it). Every refusal is logged.
struct AccessGuard<Context: RequestContext>: RouterMiddleware {
    let token: String?
    let log: @Sendable (String) -> Void
    static var maximumTarget: Int { 2048 }
    static var cookieName: String { "swiftgan_token" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let target = request.uri.string
        if target.utf8.count > Self.maximumTarget {
            log("refused \(request.method) (request target of \(target.utf8.count) bytes): 414")
            return Response(status: .uriTooLong)
        }
        guard let token else { return try await next(request, context) }
        let fromQuery = request.uri.queryParameters["token"].map(String.init)
        let fromHeader = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        let fromCookie = request.headers[.cookie].flatMap { Self.cookie(Self.cookieName, in: $0) }
        guard [fromQuery, fromHeader, fromCookie].contains(where: { $0.map { Self.constantTimeEqual($0, token) } ?? false }) else {
            log("refused \(request.method) \(request.uri.path) (no valid token): 401")
            return Response(
                status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: "a token is required\n")))
        }
        var response = try await next(request, context)
        if fromQuery != nil && fromCookie == nil {
            response.headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
        }
        return response
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
