import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Crash-safe file replacement: write a temporary file in the same
/// directory, flush it to disk, then rename it over the destination, so a
/// reader sees either the old file or the complete new one, never a mix.
///
/// Only a regular file (or nothing) is ever replaced: a symbolic link, a
/// FIFO, a device node or a directory at the destination is refused, so
/// `--out /dev/null` or a link planted in a run directory cannot turn into
/// a replaced system file.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically.
    /// - Throws: `FileError` naming the path and the system error.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { append in try append(bytes) }
    }

    /// Writes whatever `produce` appends to `path` atomically. If `produce`
    /// or any write throws, the temporary file is removed and `path` keeps
    /// its previous contents.
    public static func write(to path: String, _ produce: (_ append: ([UInt8]) throws -> Void) throws -> Void) throws {
        try checkReplaceable(path)
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        func failure(_ what: String) -> FileError {
            FileError(file: path, problem: "\(what): \(String(cString: strerror(errno)))")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("cannot create temporary file \(temporary)") }
        do {
            try produce { bytes in
                var written = 0
                try bytes.withUnsafeBytes { raw in
                    while written < raw.count {
                        let result = Glibc.write(descriptor, raw.baseAddress! + written, raw.count - written)
                        if result < 0 {
                            if errno == EINTR { continue }
                            throw failure("cannot write")
                        }
                        written += result
                    }
                }
            }
            guard fsync(descriptor) == 0 else { throw failure("cannot flush to disk") }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot replace the file")
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable.
        let directoryDescriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }

    /// Throws unless `path` is absent or a regular file (not followed if it is a symbolic link).
    /// - Throws: `FileError` naming the path and what it is.
    public static func checkReplaceable(_ path: String) throws {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        let kind: String
        switch status.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFLNK: kind = "a symbolic link"
        case S_IFDIR: kind = "a directory"
        case S_IFIFO: kind = "a FIFO"
        case S_IFCHR, S_IFBLK: kind = "a device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        throw FileError(file: path, problem: "is \(kind); refusing to replace it (outputs replace only regular files)")
    }
}
