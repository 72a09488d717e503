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
    /// The images, as floats or as bytes.
    public private(set) var imageArray: ImageArray
    /// One class index per image.
    public var labels: [Int]
    /// Class names by index (subdirectory names for image folders, digits for IDX).
    public var classNames: [String]

    public init(images: Tensor, labels: [Int], classNames: [String]) {
        require(images.rank == 4, "ImageDataset: images must be [N, C, H, W], got \(images.shape)")
        self.init(imageArray: .floats(images), labels: labels, classNames: classNames)
    }

    /// A dataset whose images stay bytes until a batch asks for them.
    public init(pixels: PixelStore, labels: [Int], classNames: [String]) {
        self.init(imageArray: .bytes(pixels), labels: labels, classNames: classNames)
    }

    public init(imageArray: ImageArray, labels: [Int], classNames: [String]) {
        require(labels.count == imageArray.count, "ImageDataset: \(labels.count) labels for \(imageArray.count) images")
        self.imageArray = imageArray
        self.labels = labels
        self.classNames = classNames
    }

    /// All images as floats, `[N, C, H, W]` (for bytes: converted now, 4 bytes per pixel; batches use `images(at:)`).
    public var images: Tensor { imageArray.all }

    /// The images at `indices` as floats, `[indices.count, C, H, W]`.
    public func images(at indices: [Int]) -> Tensor { imageArray.images(at: indices) }

    /// The bytes the images are kept as (nil for float datasets).
    public var pixels: PixelStore? { imageArray.pixels }

    /// The first `count` examples.
    public func prefix(_ count: Int) -> ImageDataset {
        let kept = imageArray.prefix(count)
        return ImageDataset(imageArray: kept, labels: Array(labels.prefix(kept.count)), classNames: classNames)
    }

    /// Number of images.
    public var count: Int { imageArray.count }

    /// `[C, H, W]` of one image.
    public var imageShape: [Int] { imageArray.imageShape }

    /// Number of classes.
    public var classCount: Int { classNames.count }
}
