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

/// A labelled image dataset held in memory: images `[N, C, H, W]` and one
/// label per image (all 0 for unlabelled data).
public struct ImageDataset: Sendable {
    /// All images, `[N, C, H, W]`.
    public var images: Tensor
    /// One class index per image.
    public var labels: [Int]
    /// Class names by index (subdirectory names for image folders, digits for IDX).
    public var classNames: [String]

    public init(images: Tensor, labels: [Int], classNames: [String]) {
        require(images.rank == 4, "ImageDataset: images must be [N, C, H, W], got \(images.shape)")
        require(
            labels.count == images.shape[0],
            "ImageDataset: \(labels.count) labels for \(images.shape[0]) images")
        self.images = images
        self.labels = labels
        self.classNames = classNames
    }

    /// Number of images.
    public var count: Int { images.shape[0] }
    /// `[C, H, W]` of one image.
    public var imageShape: [Int] { Array(images.shape.dropFirst()) }
    /// Number of classes.
    public var classCount: Int { classNames.count }
}
