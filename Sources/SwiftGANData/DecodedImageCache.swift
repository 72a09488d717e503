import Foundation
import SwiftGANTensor

/// The decoded bytes of an image folder, kept beside it in
/// `FOLDER.swiftgan-cache/`: one or more uint8 `[N, C, H, W]` arrays
/// (`{stem}{suffix}.npy`, what NumPy reads; a paired folder has one per side)
/// and `{stem}.json`, the list of files (path, size, modification time) they
/// were decoded from. A load whose list matches maps the arrays; any other
/// remakes them, decoding straight into the mapped files, so neither the
/// folder's floats nor its bytes need to fit in memory.
struct DecodedImageCache {
    let directory: String
    let files: [String]
    /// What the arrays are decoded as (channels, size, split), naming the files.
    let stem: String
    /// One name suffix per array (`[""]` for one array).
    let suffixes: [String]

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

    /// The cache of an image folder's images decoded with `channels` at `size` (nil: their own size).
    init(directory: String, files: [String], channels: Int, size: Int?, prefix: String = "", suffixes: [String] = [""]) {
        self.directory = directory
        self.files = files
        stem = "\(prefix)c\(channels)-s\(size.map(String.init) ?? "native")"
        self.suffixes = suffixes
    }

    var cacheDirectory: String {
        (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + ".swiftgan-cache"
    }

    func arrayPath(_ suffix: String = "") -> String { "\(cacheDirectory)/\(stem)\(suffix).npy" }
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

    /// The cached arrays (one per suffix), remade first when the folder changed.
    /// - Parameters:
    ///   - accepts: whether a cached shape is one this load can use (else it is remade).
    ///   - shape: the `[N, C, H, W]` every array decodes to (asked only when remaking).
    ///   - decode: writes every byte of the arrays (in suffix order) of that shape.
    /// - Throws: `FileError` naming the image or cache file that failed.
    func load(
        range: PixelRange, accepts: ([Int]) -> Bool, shape: () throws -> [Int],
        decode: (_ arrays: [UnsafeMutableBufferPointer<UInt8>], _ shape: [Int]) throws -> Void
    ) throws -> [PixelStore] {
        let current = try entries()
        if let bytes = try? FileContents.readIfPresent(manifestPath), let saved = try? JSONDecoder().decode(Manifest.self, from: Data(bytes)),
            saved.files == current, let stores = try? suffixes.map({ try PixelStore(mapping: arrayPath($0), range: range) }),
            saved.shape.count == 4, accepts(saved.shape), stores.allSatisfy({ $0.shape == saved.shape })
        {
            return stores
        }
        let shape = try shape()
        try write(shape: shape, decode: decode)
        let manifest = Manifest(shape: shape, files: current)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(manifest)), to: manifestPath)
        return try suffixes.map { try PixelStore(mapping: arrayPath($0), range: range) }
    }

    /// Decodes the folder into new array files (reserved on disk first, so a full disk is an error, not a fault), then renames them into place.
    private func write(shape: [Int], decode: ([UnsafeMutableBufferPointer<UInt8>], [Int]) throws -> Void) throws {
        do {
            try FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
        } catch {
            throw FileError(file: cacheDirectory, problem: "cannot be created: \(error.localizedDescription)")
        }
        // The old list goes first: a crash from here on leaves no list that matches.
        try? FileManager.default.removeItem(atPath: manifestPath)
        let files = try suffixes.map { try MappedArrayFile(path: arrayPath($0), shape: shape) }
        try decode(files.map(\.data), shape)
        for file in files { try file.commit() }
    }
}

/// A new uint8 `.npy` file being written through a shared mapping: created
/// beside its final path, reserved on disk, and renamed into place by
/// `commit()` (removed instead when it is released uncommitted).
private final class MappedArrayFile {
    let path: String
    let temporary: String
    let descriptor: Int32
    let mapped: UnsafeMutableRawPointer
    let length: Int
    let data: UnsafeMutableBufferPointer<UInt8>
    private var committed = false

    init(path: String, shape: [Int]) throws {
        let header = NPY.header(shape: shape, type: .uint8)
        let dataBytes = shape.reduce(1, *)
        length = header.count + dataBytes
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        temporary = "\(directory)/.\((path as NSString).lastPathComponent).tmp-\(getpid())"
        descriptor = open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(file: temporary, problem: "cannot be created: \(String(cString: strerror(errno)))") }
        let reserved = posix_fallocate(descriptor, 0, off_t(length))
        guard reserved == 0 else {
            close(descriptor)
            unlink(temporary)
            throw FileError(file: temporary, problem: "cannot reserve \(length) bytes for the image cache: \(String(cString: strerror(reserved)))")
        }
        guard let mapping = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), mapping != MAP_FAILED else {
            let problem = String(cString: strerror(errno))
            close(descriptor)
            unlink(temporary)
            throw FileError(file: temporary, problem: "cannot be memory-mapped: \(problem)")
        }
        mapped = mapping
        header.withUnsafeBytes { mapping.copyMemory(from: $0.baseAddress!, byteCount: header.count) }
        data = UnsafeMutableBufferPointer(start: (mapping + header.count).bindMemory(to: UInt8.self, capacity: dataBytes), count: dataBytes)
    }

    /// Flushes the bytes to disk and renames the file into place.
    func commit() throws {
        guard msync(mapped, length, MS_SYNC) == 0, fsync(descriptor) == 0 else {
            throw FileError(file: temporary, problem: "cannot be written: \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else { throw FileError(file: path, problem: "cannot be replaced: \(String(cString: strerror(errno)))") }
        committed = true
    }

    deinit {
        munmap(mapped, length)
        close(descriptor)
        if !committed { unlink(temporary) }
    }
}
