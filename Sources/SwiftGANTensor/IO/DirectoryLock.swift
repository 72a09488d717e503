import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive, advisory lock on a directory, held by one process for as
/// long as the value lives: a lock file (`.lock`) whose `flock` the kernel
/// releases when the holder exits or dies, so a lock left by a killed
/// process is stale by construction and the next process simply takes it.
/// The file records the holder's pid and host for the message others get.
///
/// `flock` locks are per open file: two `DirectoryLock`s on one directory
/// in one process also exclude each other.
public final class DirectoryLock {
    /// The locked directory.
    public let directory: String
    private let descriptor: Int32

    /// The lock file's name inside the directory.
    public static let fileName = ".lock"

    /// Takes the lock on `directory` (which must exist) without waiting.
    /// - Parameter create: create the lock file when absent (else an absent one is an error).
    /// - Throws: `FileError` naming the directory and, when another process
    ///   holds it, that process's pid and host.
    public init(directory: String, create: Bool = true) throws {
        let path = "\(directory)/\(Self.fileName)"
        let descriptor = open(path, O_RDWR | (create ? O_CREAT : 0) | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileError(file: directory, problem: "cannot create the lock file \(Self.fileName): \(String(cString: strerror(errno)))")
        }
        // A viewer's `isHeld` takes a shared lock for a moment: a few short retries tell it from a holder.
        var locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        var attempts = 0
        while !locked && errno == EWOULDBLOCK && attempts < 20 {
            usleep(5_000)
            attempts += 1
            locked = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        }
        guard locked else {
            let holder = Self.holder(descriptor)
            close(descriptor)
            let host = ProcessInfo.processInfo.hostName
            let ours = holder == "pid \(getpid()) on \(host.isEmpty ? "localhost" : host)"
            throw FileError(
                file: directory,
                problem: ours
                    ? "is already open for writing in this process; release the other run object first"
                    : "is in use by another process (\(holder)); one process writes a run directory at a time")
        }
        let host = ProcessInfo.processInfo.hostName
        let record = Array("pid \(getpid()) on \(host.isEmpty ? "localhost" : host)\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = record.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.directory = directory
        self.descriptor = descriptor
    }

    /// Whether a process holds `directory`'s lock now. Reads only: an
    /// absent lock file means nobody holds it, and nothing is created.
    public static func isHeld(directory: String) -> Bool {
        let descriptor = open("\(directory)/\(fileName)", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(descriptor, LOCK_UN)
        return false
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The holder recorded in the lock file, or a placeholder when it is unreadable.
    private static func holder(_ descriptor: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return "holder unknown" }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "holder unknown" : text
    }
}
