import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.1 client over a loopback socket, so tests send request
/// targets exactly as written (`..`, `%2e%2e`, over-long paths) and read
/// server-sent event streams as they arrive.
struct HTTPTestClient {
    let port: Int
    var host = "127.0.0.1"

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(body)) }
    }

    enum ClientError: Error { case connect(String), malformed(String), timeout }

    /// Opens a connection with a receive timeout.
    func connect(timeout: Double = 30) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw ClientError.connect("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(socket)
            throw ClientError.connect("connect to \(host):\(port): errno \(errno)")
        }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        return socket
    }

    /// Sends one request and reads the whole response (the connection is closed after it).
    func request(_ method: String = "GET", _ target: String, headers: [String: String] = [:], body: [UInt8] = []) throws -> Response {
        let socket = try connect()
        defer { close(socket) }
        try send(socket, method: method, target: target, headers: headers, body: body)
        var reader = SocketReader(socket: socket)
        let (status, responseHeaders) = try reader.head()
        var content: [UInt8] = []
        if responseHeaders["transfer-encoding"]?.lowercased() == "chunked" {
            while let chunk = try reader.chunk() { content += chunk }
        } else if let length = responseHeaders["content-length"].flatMap({ Int($0) }) {
            content = try reader.bytes(length)
        } else {
            content = try reader.rest()
        }
        return Response(status: status, headers: responseHeaders, body: content)
    }

    func get(_ target: String, headers: [String: String] = [:]) throws -> Response {
        try request("GET", target, headers: headers)
    }

    func send(_ socket: Int32, method: String, target: String, headers: [String: String], body: [UInt8]) throws {
        var head = "\(method) \(target) HTTP/1.1\r\n" + (headers["Host"] == nil ? "Host: \(host):\(port)\r\n" : "") + "Connection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw ClientError.connect("send: errno \(errno)") }
            sent += count
        }
    }

    /// Opens a server-sent event stream.
    func events(_ target: String, headers: [String: String] = [:]) throws -> EventStream {
        let socket = try connect()
        do {
            try send(socket, method: "GET", target: target, headers: headers, body: [])
            var reader = SocketReader(socket: socket)
            let (status, responseHeaders) = try reader.head()
            return EventStream(reader: reader, status: status, headers: responseHeaders)
        } catch {
            close(socket)
            throw error
        }
    }
}

/// A server-sent event stream (chunked transfer encoding), read event by event.
final class EventStream {
    var reader: SocketReader
    let status: Int
    let headers: [String: String]
    private var pending = ""

    init(reader: SocketReader, status: Int, headers: [String: String]) {
        self.reader = reader
        self.status = status
        self.headers = headers
    }

    deinit { close(reader.socket) }

    /// The id of the last event read that had one.
    private(set) var lastID: String?

    /// The next event's name and data (comments and `retry:` lines skipped), nil at the end of the stream.
    func next() throws -> (event: String, data: String)? {
        while true {
            if let range = pending.range(of: "\n\n") {
                let block = String(pending[..<range.lowerBound])
                pending.removeSubrange(..<range.upperBound)
                var name = "message"
                var data: [String] = []
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
                    if line.hasPrefix("id: ") { lastID = String(line.dropFirst(4)) }
                }
                if !data.isEmpty { return (name, data.joined(separator: "\n")) }
                continue
            }
            guard let chunk = try reader.chunk() else { return nil }
            pending += String(decoding: chunk, as: UTF8.self)
        }
    }
}

/// Buffered reads from a socket.
struct SocketReader {
    let socket: Int32
    private var buffer: [UInt8] = []

    init(socket: Int32) { self.socket = socket }

    private mutating func fill() throws -> Bool {
        var storage = [UInt8](repeating: 0, count: 65536)
        let count = storage.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw HTTPTestClient.ClientError.timeout }
        if count == 0 { return false }
        buffer += storage[..<count]
        return true
    }

    mutating func line() throws -> String? {
        while true {
            if let index = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<index], as: UTF8.self)
                buffer.removeSubrange(...index)
                return line.hasSuffix("\r") ? String(line.dropLast()) : line
            }
            guard try fill() else { return nil }
        }
    }

    mutating func bytes(_ count: Int) throws -> [UInt8] {
        while buffer.count < count { guard try fill() else { throw HTTPTestClient.ClientError.malformed("body cut short") } }
        let result = Array(buffer[..<count])
        buffer.removeSubrange(..<count)
        return result
    }

    mutating func rest() throws -> [UInt8] {
        while try fill() {}
        defer { buffer = [] }
        return buffer
    }

    mutating func head() throws -> (Int, [String: String]) {
        guard let statusLine = try line(), let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw HTTPTestClient.ClientError.malformed("no status line")
        }
        var headers: [String: String] = [:]
        while let line = try line(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers)
    }

    /// The next chunk of a chunked body, nil after the last.
    mutating func chunk() throws -> [UInt8]? {
        guard let sizeLine = try line(), let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { return nil }
        if size == 0 { return nil }
        let data = try bytes(size)
        _ = try line()
        return data
    }
}
