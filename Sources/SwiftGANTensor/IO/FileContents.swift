import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reading a whole file that a user or a run directory names: only a
/// regular file is read (links are followed, as a user's data may be
/// linked), and a FIFO, a device or a directory is refused without
/// blocking on it, so a planted `mkfifo run/metrics.jsonl` cannot hang a command.
public enum FileContents {
    /// The bytes of the regular file at `path`, or nil when nothing is there.
    /// - Throws: `FileError` naming the path when it is not a regular file or cannot be read.
    public static func readIfPresent(_ path: String) throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw FileError(file: path, problem: "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw FileError(file: path, problem: "is not a regular file; refusing to read it")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(file: path, problem: "cannot read the file: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
    }

    /// The bytes of the regular file at `path`.
    /// - Throws: `FileError` naming the path when it is missing, not a regular file or unreadable.
    public static func read(_ path: String) throws -> [UInt8] {
        guard let bytes = try readIfPresent(path) else { throw FileError(file: path, problem: "no such file") }
        return bytes
    }
}
