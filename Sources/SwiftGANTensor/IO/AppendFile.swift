import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An append-only file of whole records (a JSON-lines log, a TensorBoard
/// event file): each `append` writes one record completely or not at all.
/// When a write fails part-way (a full disk, a file-size limit), the file is
/// cut back to where the record began, so a reader never meets a partial
/// record, and the error names the file and the system's reason.
///
/// The file is opened without following a symbolic link at its last
/// component, and refused when it has other hard links, so a link planted
/// in a run directory cannot redirect the log.
public final class AppendFile {
    /// The file's path.
    public let path: String
    private let descriptor: Int32

    /// Opens `path` for appending, creating it (mode 0644) if absent.
    /// - Throws: `FileError` when it cannot be opened (including when it is a symbolic link or not a regular file).
    public init(path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = errno == ELOOP ? "is a symbolic link; refusing to write through it" : String(cString: strerror(errno))
            throw FileError(file: path, problem: "cannot open for appending: \(reason)")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw FileError(file: path, problem: "is not a regular file; refusing to append to it")
        }
        // A hard link would make the log another file's tail.
        guard status.st_nlink == 1 else {
            close(descriptor)
            throw FileError(file: path, problem: "has \(status.st_nlink) hard links; refusing to append to a file that is also elsewhere")
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Appends `bytes` as one record.
    /// - Throws: `FileError` naming the file and the reason; the file then ends where it ended before.
    public func append(_ bytes: [UInt8]) throws {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("cannot read the file's size") }
        let start = status.st_size
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let result = write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    let error = failure("cannot write")
                    if written > 0 { _ = ftruncate(descriptor, start) }
                    throw error
                }
                written += result
            }
        }
    }

    /// Flushes what was appended to the disk.
    /// - Throws: `FileError` when the system reports a write error.
    public func synchronize() throws {
        guard fsync(descriptor) == 0 else { throw failure("cannot flush to disk") }
    }

    private func failure(_ what: String) -> FileError {
        FileError(file: path, problem: "\(what): \(String(cString: strerror(errno)))")
    }
}
