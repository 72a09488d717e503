import Foundation
import SwiftGANTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Debian's headless `chromium`, driven over the DevTools protocol on a
/// pipe (`--remote-debugging-pipe`: JSON messages separated by NUL on file
/// descriptors 3 and 4), so a test loads a live page, waits for what its
/// scripts draw, clicks its buttons, presses keys and takes screenshots.
final class HeadlessBrowser {
    enum BrowserError: Error, CustomStringConvertible {
        case notInstalled(String), protocolError(String), timeout(String)
        var description: String {
            switch self {
            case .notInstalled(let message), .protocolError(let message), .timeout(let message): message
            }
        }
    }

    private let pid: pid_t
    private let toBrowser: Int32
    private let fromBrowser: Int32
    private var buffer: [UInt8] = []
    private var nextID = 1
    private let profile = temporaryDirectory("chromium")

    /// The browser's path: `SWIFTGAN_CHROMIUM`, else chromium on the usual paths.
    static func executable() -> String? {
        if let path = ProcessInfo.processInfo.environment["SWIFTGAN_CHROMIUM"], !path.isEmpty { return path }
        return ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init(width: Int = 1280, height: Int = 1600) throws {
        guard let path = Self.executable() else {
            throw BrowserError.notInstalled("headless chromium is not installed (apt-get install -y chromium; .ci/run installs it)")
        }
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        // Close-on-exec: other children of the test process do not inherit the pipes (dup2 clears it on 3 and 4).
        guard pipe(&input) == 0, pipe(&output) == 0 else { throw BrowserError.protocolError("pipe: errno \(errno)") }
        for descriptor in input + output { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 3)
        posix_spawn_file_actions_adddup2(&actions, output[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let arguments = [
            path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run",
            "--remote-debugging-pipe", "--user-data-dir=\(profile)", "--window-size=\(width),\(height)", "about:blank"
        ]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child = pid_t()
        let result = posix_spawn(&child, path, &actions, nil, &argv, environ)
        close(input[0])
        close(output[1])
        guard result == 0 else { throw BrowserError.notInstalled("cannot start \(path): \(String(cString: strerror(result)))") }
        pid = child
        toBrowser = input[1]
        fromBrowser = output[0]
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(toBrowser)
        close(fromBrowser)
        try? FileManager.default.removeItem(atPath: profile)
    }

    /// Sends a command and waits for its reply (events in between are dropped).
    @discardableResult
    func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil, timeout: Double = 30) throws -> [String: Any] {
        let id = nextID
        nextID += 1
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        var bytes = Array(try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { write(toBrowser, $0.baseAddress, $0.count) }
            guard count > 0 else { throw BrowserError.protocolError("the browser closed its pipe") }
            written += count
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let reply = buffer[..<end]
                buffer.removeSubrange(...end)
                guard let object = try JSONSerialization.jsonObject(with: Data(reply)) as? [String: Any] else { continue }
                guard (object["id"] as? Int) == id else { continue }
                if let error = object["error"] as? [String: Any] { throw BrowserError.protocolError("\(method): \(error)") }
                return object["result"] as? [String: Any] ?? [:]
            }
            var descriptor = pollfd(fd: fromBrowser, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard remaining > 0, poll(&descriptor, 1, remaining) > 0 else { throw BrowserError.timeout("no reply to \(method) in \(timeout) s") }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            let count = chunk.withUnsafeMutableBytes { read(fromBrowser, $0.baseAddress, $0.count) }
            guard count > 0 else { throw BrowserError.protocolError("the browser exited") }
            buffer += chunk[..<count]
        }
    }

    /// A new tab on `url`; returns its session.
    func open(_ url: String) throws -> String {
        let target = try send("Target.createTarget", ["url": "about:blank"])
        guard let targetID = target["targetId"] as? String else { throw BrowserError.protocolError("no target id") }
        let attached = try send("Target.attachToTarget", ["targetId": targetID, "flatten": true])
        guard let session = attached["sessionId"] as? String else { throw BrowserError.protocolError("no session id") }
        try send("Page.enable", session: session)
        try send("Runtime.enable", session: session)
        try send("Page.navigate", ["url": url], session: session)
        return session
    }

    /// The value of a JavaScript expression in the page (promises awaited).
    func evaluate(_ expression: String, session: String) throws -> Any? {
        let result = try send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true], session: session)
        if let exception = result["exceptionDetails"] { throw BrowserError.protocolError("\(expression): \(exception)") }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Waits until `expression` is true in the page.
    func wait(until expression: String, session: String, timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? evaluate("Boolean(\(expression))", session: session)) as? Bool == true { return }
            usleep(200_000)
        }
        throw BrowserError.timeout("\(expression) did not become true in \(timeout) s")
    }

    /// Clicks the centre of the element `selector` names, as a mouse would.
    func click(_ selector: String, session: String) throws {
        guard
            let box = try evaluate(
                "(() => { const r = document.querySelector('\(selector)').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()",
                session: session) as? [Double], box.count == 2
        else { throw BrowserError.protocolError("no element \(selector)") }
        for type in ["mousePressed", "mouseReleased"] {
            try send("Input.dispatchMouseEvent", ["type": type, "x": box[0], "y": box[1], "button": "left", "clickCount": 1], session: session)
        }
    }

    /// Presses and releases a key (a printable character).
    func press(_ key: String, session: String) throws {
        try send("Input.dispatchKeyEvent", ["type": "keyDown", "key": key, "text": key], session: session)
        try send("Input.dispatchKeyEvent", ["type": "keyUp", "key": key], session: session)
    }

    /// Presses and releases a key without text (arrows, Enter): its DOM key name and Windows key code.
    func press(key: String, code: Int, session: String) throws {
        try send("Input.dispatchKeyEvent", ["type": "rawKeyDown", "key": key, "code": key, "windowsVirtualKeyCode": code], session: session)
        try send("Input.dispatchKeyEvent", ["type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": code], session: session)
    }

    /// A PNG screenshot of the page.
    func screenshot(session: String) throws -> [UInt8] {
        let result = try send("Page.captureScreenshot", ["format": "png"], session: session)
        guard let data = (result["data"] as? String).flatMap({ Data(base64Encoded: $0) }) else {
            throw BrowserError.protocolError("no screenshot data")
        }
        return Array(data)
    }
}
