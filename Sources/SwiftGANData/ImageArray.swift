import SwiftGANTensor

/// Images `[N, C, H, W]` as a dataset keeps them: a float tensor (2-D
/// points, images a task computed), or the 8-bit values they were decoded
/// from (`PixelStore`, a quarter of the float size, perhaps memory-mapped),
/// which become floats only when read. Every dataset kind (labelled, paired,
/// unpaired) stores its images as one of these and reads batches through it.
public enum ImageArray: Sendable {
    case floats(Tensor)
    case bytes(PixelStore)

    /// `[N, C, H, W]`.
    public var shape: [Int] {
        switch self {
        case .floats(let tensor): tensor.shape
        case .bytes(let pixels): pixels.shape
        }
    }

    /// Number of images.
    public var count: Int { shape[0] }

    /// `[C, H, W]` of one image.
    public var imageShape: [Int] { Array(shape.dropFirst()) }

    /// The bytes the images are kept as (nil for floats).
    public var pixels: PixelStore? {
        if case .bytes(let pixels) = self { return pixels }
        return nil
    }

    /// All images as floats, `[N, C, H, W]` (for bytes: converted now, 4 bytes a pixel; batches use `images(at:)`).
    public var all: Tensor {
        switch self {
        case .floats(let tensor): tensor
        case .bytes(let pixels): pixels.images(in: 0..<pixels.count)
        }
    }

    /// The images at `indices` as floats, `[indices.count, C, H, W]`.
    public func images(at indices: [Int]) -> Tensor {
        switch self {
        case .floats(let tensor): withoutGradients { tensor.indexSelect(indices) }
        case .bytes(let pixels): pixels.images(at: indices)
        }
    }

    /// Images `range` as floats, `[range.count, C, H, W]`.
    public func images(in range: Range<Int>) -> Tensor {
        switch self {
        case .floats(let tensor): withoutGradients { tensor.slice(axis: 0, start: range.lowerBound, end: range.upperBound) }
        case .bytes(let pixels): pixels.images(in: range)
        }
    }

    /// The values at `flatIndices` into the whole `[N, C, H, W]` array as floats, shaped `shape`.
    public func gathered(flatIndices: [Int], shape outShape: [Int]) -> Tensor {
        switch self {
        case .floats(let tensor): withoutGradients { tensor.gathered(flatIndices: flatIndices, shape: outShape) }
        case .bytes(let pixels): pixels.gathered(flatIndices: flatIndices, shape: outShape)
        }
    }

    /// The first `count` images.
    public func prefix(_ count: Int) -> ImageArray {
        let kept = Swift.min(Swift.max(count, 0), self.count)
        switch self {
        case .floats(let tensor): return .floats(withoutGradients { tensor.slice(axis: 0, start: 0, end: kept) })
        case .bytes(let pixels): return .bytes(pixels.prefix(kept))
        }
    }

    /// Every image's central `size x size` square (pix2pix's test-time view of jittered data).
    public func centreCropped(to size: Int) -> ImageArray {
        let (height, width) = (shape[2], shape[3])
        require(size > 0 && size <= height && size <= width, "ImageArray.centreCropped: \(size) for images \(height)x\(width)")
        let (top, left) = ((height - size) / 2, (width - size) / 2)
        switch self {
        case .floats(let tensor):
            return .floats(withoutGradients { tensor.slice(axis: 2, start: top, end: top + size).slice(axis: 3, start: left, end: left + size) })
        case .bytes(let pixels):
            return .bytes(pixels.cropped(top: top, left: left, height: size, width: size))
        }
    }

    /// Images `members`, each cut to its window (`size x size` at the
    /// member's `top, left`; the whole image without a size) and mirrored
    /// left–right where `flip` says: `[members.count, C, size, size]`.
    func crops(_ members: [Int], windows: [PairedLoader.Augmentation], size: Int?) -> Tensor {
        require(members.count == windows.count, "ImageArray.crops: \(members.count) members and \(windows.count) windows")
        let (channels, height, width) = (shape[1], shape[2], shape[3])
        let (outHeight, outWidth) = (size ?? height, size ?? width)
        var indices: [Int] = []
        indices.reserveCapacity(members.count * channels * outHeight * outWidth)
        for (member, window) in zip(members, windows) {
            require(
                window.top >= 0 && window.left >= 0 && window.top + outHeight <= height && window.left + outWidth <= width,
                "ImageArray.crops: window at (\(window.top), \(window.left)) of \(outHeight)x\(outWidth) outside \(height)x\(width)")
            for channel in 0..<channels {
                for row in 0..<outHeight {
                    let base = ((member * channels + channel) * height + window.top + row) * width + window.left
                    for column in 0..<outWidth { indices.append(base + (window.flip ? outWidth - 1 - column : column)) }
                }
            }
        }
        return gathered(flatIndices: indices, shape: [members.count, channels, outHeight, outWidth])
    }

    /// Calls `body` with the images as floats, `chunk` at a time (`[≤ chunk, C, H, W]`, in order),
    /// so bytes are never all floats at once.
    public func forEachChunk(of chunk: Int = 1024, _ body: (Tensor) throws -> Void) rethrows {
        for start in stride(from: 0, to: count, by: chunk) { try body(images(in: start..<Swift.min(start + chunk, count))) }
    }
}
