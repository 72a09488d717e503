import SwiftGANTensor

/// How pixel values are scaled into floats.
public enum PixelRange: String, Sendable, CaseIterable {
    /// `[-1, 1]`, the range of a Tanh generator (default).
    case minusOneToOne
    /// `[0, 1]`.
    case zeroToOne

    /// Maps a byte value in 0...255.
    @inline(__always)
    func scale(_ byte: Float) -> Float {
        switch self {
        case .minusOneToOne: byte / 127.5 - 1
        case .zeroToOne: byte / 255
        }
    }
}

/// A labelled image dataset: images `[N, C, H, W]` and one label per image
/// (all 0 for unlabelled data). Images decoded from 8-bit files (IDX, PNG,
/// JPEG) stay bytes (`PixelStore`, a quarter of their float size; memory-mapped
/// from a cache when one is used) and become floats a batch at a time
/// (`images(at:)`); others (2-D points, generated images) are a float tensor.
public struct ImageDataset: Sendable {
    private enum Storage: Sendable {
        case floats(Tensor)
        case bytes(PixelStore)
    }

    private var storage: Storage
    /// One class index per image.
    public var labels: [Int]
    /// Class names by index (subdirectory names for image folders, digits for IDX).
    public var classNames: [String]

    public init(images: Tensor, labels: [Int], classNames: [String]) {
        require(images.rank == 4, "ImageDataset: images must be [N, C, H, W], got \(images.shape)")
        require(labels.count == images.shape[0], "ImageDataset: \(labels.count) labels for \(images.shape[0]) images")
        storage = .floats(images)
        self.labels = labels
        self.classNames = classNames
    }

    /// A dataset whose images stay bytes until a batch asks for them.
    public init(pixels: PixelStore, labels: [Int], classNames: [String]) {
        require(labels.count == pixels.count, "ImageDataset: \(labels.count) labels for \(pixels.count) images")
        storage = .bytes(pixels)
        self.labels = labels
        self.classNames = classNames
    }

    /// All images as floats, `[N, C, H, W]` (for bytes: converted now, 4 bytes per pixel; batches use `images(at:)`).
    public var images: Tensor {
        switch storage {
        case .floats(let tensor): tensor
        case .bytes(let pixels): pixels.images(in: 0..<pixels.count)
        }
    }

    /// The images at `indices` as floats, `[indices.count, C, H, W]`.
    public func images(at indices: [Int]) -> Tensor {
        switch storage {
        case .floats(let tensor): withoutGradients { tensor.indexSelect(indices) }
        case .bytes(let pixels): pixels.images(at: indices)
        }
    }

    /// The bytes the images are kept as (nil for float datasets).
    public var pixels: PixelStore? {
        if case .bytes(let pixels) = storage { return pixels }
        return nil
    }

    /// The first `count` examples.
    public func prefix(_ count: Int) -> ImageDataset {
        let kept = Swift.min(count, self.count)
        switch storage {
        case .floats(let tensor):
            return ImageDataset(images: tensor.slice(axis: 0, start: 0, end: kept), labels: Array(labels.prefix(kept)), classNames: classNames)
        case .bytes(let pixels):
            let size = pixels.imageSize
            let store = PixelStore(shape: [kept] + Array(pixels.shape.dropFirst()), range: pixels.range) { output in
                pixels.withBytes { source in
                    for index in 0..<(kept * size) { output[index] = source[index] }
                }
            }
            return ImageDataset(pixels: store, labels: Array(labels.prefix(kept)), classNames: classNames)
        }
    }

    /// Number of images.
    public var count: Int {
        switch storage {
        case .floats(let tensor): tensor.shape[0]
        case .bytes(let pixels): pixels.count
        }
    }

    /// `[C, H, W]` of one image.
    public var imageShape: [Int] {
        switch storage {
        case .floats(let tensor): Array(tensor.shape.dropFirst())
        case .bytes(let pixels): Array(pixels.shape.dropFirst())
        }
    }

    /// Number of classes.
    public var classCount: Int { classNames.count }
}
