import Foundation
import SwiftGANTensor

/// Images kept as the bytes they were decoded from, `[N, C, H, W]` uint8 in
/// C order, in memory or memory-mapped from a `.npy` cache, and converted to
/// floats one batch at a time: a dataset costs a quarter of its float32 size,
/// and a cached folder larger than RAM pages in as batches read it.
public final class PixelStore: @unchecked Sendable {
    /// `[N, C, H, W]`.
    public let shape: [Int]
    public let range: PixelRange
    private let bytes: UnsafeRawBufferPointer
    /// What `bytes` lives in, released on deinit: memory of its own, or a file mapping.
    private let owner: Owner

    private enum Owner {
        case allocated(UnsafeMutableRawPointer)
        case mapping(UnsafeMutableRawPointer, Int)
    }

    /// Images from `values` (`shape.reduce(*)` bytes), copied.
    public convenience init(_ values: [UInt8], shape: [Int], range: PixelRange = .minusOneToOne) {
        self.init(shape: shape, range: range) { buffer in _ = buffer.initialize(from: values) }
    }

    /// Images written by `fill` into their uninitialised `shape.reduce(*)` bytes (every byte must be written).
    public init(shape: [Int], range: PixelRange = .minusOneToOne, fill: (UnsafeMutableBufferPointer<UInt8>) throws -> Void) rethrows {
        require(shape.count == 4 && shape.allSatisfy { $0 >= 0 }, "PixelStore: shape \(shape) must be [N, C, H, W]")
        let count = shape.reduce(1, *)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1), alignment: 64)
        let typed = UnsafeMutableBufferPointer(start: memory.bindMemory(to: UInt8.self, capacity: count), count: count)
        typed.initialize(repeating: 0)
        do {
            try fill(typed)
        } catch {
            memory.deallocate()
            throw error
        }
        self.shape = shape
        self.range = range
        owner = .allocated(memory)
        bytes = UnsafeRawBufferPointer(start: memory, count: count)
    }

    /// The uint8 array of a `.npy` file, memory-mapped read-only (pages are read as they are used).
    /// - Throws: `FileError` naming the file when it is not a uint8 `[N, C, H, W]` array.
    public init(mapping path: String, range: PixelRange = .minusOneToOne) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(file: path, problem: "cannot be opened: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else { throw FileError(file: path, problem: "is empty or unreadable") }
        let length = Int(status.st_size)
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else {
            throw FileError(file: path, problem: "cannot be memory-mapped: \(String(cString: strerror(errno)))")
        }
        let whole = UnsafeRawBufferPointer(start: mapped, count: length)
        // The header is in the first few KiB; its layout check reads only that.
        let header = Array(whole.prefix(Swift.min(length, 4096)))
        let layout: (shape: [Int], dataStart: Int)
        do {
            layout = try NPY.uint8Layout(header, fileLength: length, file: path)
        } catch {
            munmap(mapped, length)
            throw error
        }
        guard layout.shape.count == 4 else {
            munmap(mapped, length)
            throw FileError(file: path, problem: "expected uint8 images [N, C, H, W], found shape \(layout.shape)")
        }
        shape = layout.shape
        self.range = range
        owner = .mapping(mapped, length)
        bytes = UnsafeRawBufferPointer(start: mapped + layout.dataStart, count: length - layout.dataStart)
    }

    deinit {
        switch owner {
        case .allocated(let pointer): pointer.deallocate()
        case .mapping(let pointer, let length): munmap(pointer, length)
        }
    }

    public var count: Int { shape[0] }

    /// Bytes per image.
    public var imageSize: Int { shape[1] * shape[2] * shape[3] }

    /// The images at `indices` as floats in `range`, `[indices.count, C, H, W]`.
    public func images(at indices: [Int]) -> Tensor {
        let size = imageSize
        var values = [Float](repeating: 0, count: indices.count * size)
        values.withUnsafeMutableBufferPointer { output in
            for (row, index) in indices.enumerated() {
                require(index >= 0 && index < count, "PixelStore: index \(index) outside 0..<\(count)")
                let source = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + index * size
                for offset in 0..<size { output[row * size + offset] = range.scale(Float(source[offset])) }
            }
        }
        return Tensor(values, shape: [indices.count] + Array(shape.dropFirst()))
    }

    /// Images `start..<end` as floats.
    public func images(in range: Range<Int>) -> Tensor { images(at: Array(range)) }

    /// The values at `flatIndices` (into the `[N, C, H, W]` bytes) as floats in `range`, shaped `shape`.
    public func gathered(flatIndices: [Int], shape outShape: [Int]) -> Tensor {
        require(flatIndices.count == outShape.reduce(1, *), "PixelStore.gathered: \(flatIndices.count) indices for shape \(outShape)")
        let total = shape.reduce(1, *)
        let source = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let values = flatIndices.map { index in
            require(index >= 0 && index < total, "PixelStore.gathered: index \(index) outside 0..<\(total)")
            return range.scale(Float(source[index]))
        }
        return Tensor(values, shape: outShape)
    }

    /// The first `count` images, copied.
    public func prefix(_ count: Int) -> PixelStore {
        let kept = Swift.min(Swift.max(count, 0), self.count)
        return PixelStore(shape: [kept] + Array(shape.dropFirst()), range: range) { output in
            guard kept > 0 else { return }
            output.baseAddress!.update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: kept * imageSize)
        }
    }

    /// Every image's `height x width` window at `(top, left)`, copied.
    public func cropped(top: Int, left: Int, height: Int, width: Int) -> PixelStore {
        let (channels, fullHeight, fullWidth) = (shape[1], shape[2], shape[3])
        require(
            top >= 0 && left >= 0 && height >= 0 && width >= 0 && top + height <= fullHeight && left + width <= fullWidth,
            "PixelStore.cropped: window \(height)x\(width) at (\(top), \(left)) outside \(fullHeight)x\(fullWidth)")
        return PixelStore(shape: [count, channels, height, width], range: range) { output in
            let source = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for plane in 0..<(count * channels) {
                for row in 0..<height {
                    let from = source + (plane * fullHeight + top + row) * fullWidth + left
                    let to = output.baseAddress! + (plane * height + row) * width
                    to.update(from: from, count: width)
                }
            }
        }
    }

    /// The raw bytes of every image (for checksums and caches).
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result { try body(bytes) }
}
