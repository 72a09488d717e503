import Foundation
import Hummingbird
import SwiftGANDashboard

/// The lab API (`gan lab`):
/// - `GET /api/lab`: the `LabState`;
/// - `POST /api/lab/play`, `/pause`, `/step-d`, `/step-g`, `/reset`: an action, answered with the new state;
/// - `POST /api/lab/settings` with a `LabSettings` body: new settings (400 naming the bad one);
/// - `GET /api/lab/events`: server-sent `lab` events, a state each time it changes.
extension DashboardServer {
    func addLabRoutes(_ router: Router<BasicRequestContext>, lab: LabSession) {
        router.get("/api/lab") { _, _ in try Self.json(lab.current()) }
        router.post("/api/lab/settings") { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let settings = try? JSONDecoder().decode(LabSettings.self, from: Data(buffer: body)) else {
                return Self.text(.badRequest, "the body is not lab settings JSON\n")
            }
            do { return try Self.json(try lab.perform(.configure(settings))) } catch {
                return Self.text(.badRequest, "\(error)\n")
            }
        }
        router.post("/api/lab/:action") { _, context in
            let actions: [String: LabAction] = [
                "play": .play, "pause": .pause, "step-d": .discriminatorStep, "step-g": .generatorStep, "reset": .reset
            ]
            guard let action = context.parameters.get("action").flatMap({ actions[$0] }) else {
                return Self.text(.notFound, "no such lab action\n")
            }
            return try Self.json(try lab.perform(action))
        }
        router.get("/api/lab/events") { [self] _, _ in
            let body = ResponseBody { [self] writer in
                var version = -1
                var lastWrite = ContinuousClock.now
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                while !isStopping && !Task.isCancelled {
                    let state = lab.current()
                    if state.version != version {
                        try await writer.write(ByteBuffer(string: try Self.event("lab", state)))
                        version = state.version
                        lastWrite = .now
                    } else if ContinuousClock.now - lastWrite > .seconds(15) {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastWrite = .now
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }
}
