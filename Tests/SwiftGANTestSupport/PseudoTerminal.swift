import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the executable at `path` with standard output and error on a new
/// pseudo-terminal `columns` wide (what a user's terminal is to it); returns
/// the exit status and every byte it wrote, control sequences included.
public func runInPseudoTerminal(
    _ path: String, _ arguments: [String], columns: Int, in directory: String? = nil
) throws -> (status: Int32, output: String) {
    struct TerminalError: Error, CustomStringConvertible { var description: String }
    // Linux's pseudo-terminal multiplexer; the ioctls are unlockpt's and ptsname's (their
    // request numbers are macros Swift does not import; these values hold on x86-64 and arm64).
    let unlock = UInt(0x4004_5431)  // TIOCSPTLCK
    let number = UInt(0x8004_5430)  // TIOCGPTN
    let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
    guard master >= 0 else { throw TerminalError(description: "no pseudo-terminal: \(String(cString: strerror(errno)))") }
    defer { close(master) }
    var locked: Int32 = 0
    var index: UInt32 = 0
    guard ioctl(master, unlock, &locked) == 0, ioctl(master, number, &index) == 0 else {
        throw TerminalError(description: "cannot unlock the pseudo-terminal: \(String(cString: strerror(errno)))")
    }
    let name = "/dev/pts/\(index)"
    let slave = open(name, O_RDWR | O_NOCTTY)
    guard slave >= 0 else { throw TerminalError(description: "cannot open \(name)") }
    var size = winsize(ws_row: 24, ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
    _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "COLUMNS")
    process.environment = environment
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
    process.standardOutput = terminal
    process.standardError = terminal
    process.standardInput = FileHandle.nullDevice
    // The master is read while the child runs: a pseudo-terminal buffers only a few KiB.
    let collected = CollectedBytes()
    let reader = Thread {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(master, &buffer, buffer.count)
            if count <= 0 { break }
            collected.append(buffer[0..<count])
        }
        collected.finish()
    }
    do {
        try process.run()
    } catch {
        close(slave)
        throw error
    }
    // The child holds its own copy; once it exits, reads of the master end (EIO).
    close(slave)
    reader.start()
    process.waitUntilExit()
    collected.waitUntilFinished()
    return (process.terminationStatus, String(decoding: collected.bytes, as: UTF8.self))
}

/// Bytes gathered by one thread and read by another once it is done.
private final class CollectedBytes: @unchecked Sendable {
    private let condition = NSCondition()
    private var data: [UInt8] = []
    private var done = false

    func append(_ bytes: ArraySlice<UInt8>) {
        condition.lock()
        data += bytes
        condition.unlock()
    }

    func finish() {
        condition.lock()
        done = true
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilFinished() {
        condition.lock()
        while !done { condition.wait() }
        condition.unlock()
    }

    var bytes: [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        return data
    }
}
