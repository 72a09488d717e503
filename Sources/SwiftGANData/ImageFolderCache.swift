import Foundation
import SwiftGANTensor

/// The decoded bytes of an image folder, kept beside it in
/// `FOLDER.swiftgan-cache/`: `c{channels}-s{size}.npy` (uint8 `[N, C, H, W]`,
/// what NumPy reads) and `c{channels}-s{size}.json`, the list of files (path,
/// size, modification time) it was decoded from. A load whose list matches
/// maps the array; any other remakes it, decoding straight into the mapped
/// file, so neither the folder's floats nor its bytes need to fit in memory.
struct ImageFolderCache {
    let directory: String
    let files: [String]
    let channels: Int
    let size: Int?

    struct Manifest: Codable, Equatable {
        struct Entry: Codable, Equatable {
            var path: String
            var bytes: Int64
            /// Modification time in nanoseconds since 1970.
            var modified: Int64
        }

        var version = 1
        var shape: [Int]
        var files: [Entry]
    }

    var cacheDirectory: String {
        (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + ".swiftgan-cache"
    }

    private var stem: String { "c\(channels)-s\(size.map(String.init) ?? "native")" }
    var arrayPath: String { "\(cacheDirectory)/\(stem).npy" }
    var manifestPath: String { "\(cacheDirectory)/\(stem).json" }

    /// The folder's files as they are now.
    func entries() throws -> [Manifest.Entry] {
        try files.map { file in
            var status = stat()
            guard stat(file, &status) == 0 else { throw FileError(file: file, problem: "cannot be read: \(String(cString: strerror(errno)))") }
            let nanoseconds = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
            let relative = file.hasPrefix(directory) ? String(file.dropFirst(directory.count)) : file
            return Manifest.Entry(path: relative, bytes: Int64(status.st_size), modified: nanoseconds)
        }
    }

    /// The cached bytes, remade first when the folder changed.
    /// - Throws: `FileError` naming the image or cache file that failed.
    func load(range: PixelRange) throws -> PixelStore {
        let current = try entries()
        if let bytes = try? FileContents.readIfPresent(manifestPath), let saved = try? JSONDecoder().decode(Manifest.self, from: Data(bytes)),
            saved.files == current, let store = try? PixelStore(mapping: arrayPath, range: range), store.shape == saved.shape,
            store.count == files.count, store.shape[1] == channels, size.map({ store.shape[2] == $0 && store.shape[3] == $0 }) ?? true
        {
            return store
        }
        let shape = try ImageFolder.decodedShape(files, channels: channels, size: size)
        try write(shape: shape)
        let manifest = Manifest(shape: shape, files: current)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(manifest)), to: manifestPath)
        return try PixelStore(mapping: arrayPath, range: range)
    }

    /// Decodes the folder into a new array file (reserved on disk first, so a full disk is an error, not a fault), then renames it into place.
    private func write(shape: [Int]) throws {
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw FileError(file: cacheDirectory, problem: "cannot be created: \(error.localizedDescription)")
        }
        // The old list goes first: a crash from here on leaves no list that matches.
        try? FileManager.default.removeItem(atPath: manifestPath)
        let header = NPY.header(shape: shape, type: .uint8)
        let dataBytes = shape.reduce(1, *)
        let length = header.count + dataBytes
        let temporary = "\(cacheDirectory)/.\(stem).npy.tmp-\(getpid())"
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(file: temporary, problem: "cannot be created: \(String(cString: strerror(errno)))") }
        var finished = false
        defer {
            close(descriptor)
            if !finished { unlink(temporary) }
        }
        let reserved = posix_fallocate(descriptor, 0, off_t(length))
        guard reserved == 0 else {
            throw FileError(file: temporary, problem: "cannot reserve \(length) bytes for the image cache: \(String(cString: strerror(reserved)))")
        }
        guard let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED else {
            throw FileError(file: temporary, problem: "cannot be memory-mapped: \(String(cString: strerror(errno)))")
        }
        defer { munmap(mapped, length) }
        header.withUnsafeBytes { mapped.copyMemory(from: $0.baseAddress!, byteCount: header.count) }
        let data = UnsafeMutableBufferPointer(start: (mapped + header.count).bindMemory(to: UInt8.self, capacity: dataBytes), count: dataBytes)
        try ImageFolder.decode(files, into: data, shape: shape, size: size)
        guard msync(mapped, length, MS_SYNC) == 0, fsync(descriptor) == 0 else {
            throw FileError(file: temporary, problem: "cannot be written: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, arrayPath) == 0 else {
            throw FileError(file: arrayPath, problem: "cannot be replaced: \(String(cString: strerror(errno)))")
        }
        finished = true
    }
}
