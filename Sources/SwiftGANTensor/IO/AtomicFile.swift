import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Crash-safe file replacement: write a temporary file in the same
/// directory, flush it to disk, then rename it over the destination, so a
/// reader sees either the old file or the complete new one, never a mix.
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
}
