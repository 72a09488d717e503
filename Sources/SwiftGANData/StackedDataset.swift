import Foundation
import SwiftGANTensor

/// Stacked datasets, the many-mode benchmark of VEEGAN (Srivastava et al.
/// 2017) and PacGAN (Lin et al. 2018, Table 2): each image's channels are
/// independently drawn images of a one-channel dataset, so with K classes
/// and 3 channels there are K³ modes (1,000 for Fashion-MNIST). An image's
/// label is its channels' classes read as a base-K number, red first:
/// `(a · K + b) · K + c`.
public enum StackedDataset {
    /// The channels of a stacked image (RGB).
    public static let channels = 3

    /// The built-in name `gan train --data` knows: three Fashion-MNIST images as one RGB image.
    public static let fashionMNISTName = "stacked-fashion-mnist"

    /// The default size of a stacked training set (as many images as the source's training split has).
    public static let defaultCount = 60_000

    /// `count` stacked images `[count, 3, H, W]` from `source` (one channel,
    /// `[N, 1, H, W]`), each channel an image drawn uniformly from `source`
    /// (with replacement) by a stream seeded with `seed`. Bytes stay bytes.
    /// - Precondition: `source` has one channel and at least one image.
    public static func make(from source: ImageDataset, count: Int, seed: UInt64) -> ImageDataset {
        require(
            source.imageShape.first == 1 && source.count > 0,
            "StackedDataset: the source needs one channel and images, it has \(source.imageShape) x \(source.count)")
        require(count >= 0, "StackedDataset: count \(count) must not be negative")
        var random = RandomGenerator(seed: seed)
        let draws = (0..<(count * channels)).map { _ in Int(random.next() % UInt64(source.count)) }
        let classes = Swift.max(source.classCount, (source.labels.max() ?? 0) + 1)
        let labels = (0..<count).map { index in
            (0..<channels).reduce(0) { $0 * classes + source.labels[draws[index * channels + $1]] }
        }
        let names = (0..<(classes * classes * classes)).map { mode in
            [mode / (classes * classes), (mode / classes) % classes, mode % classes].map(String.init).joined(separator: "-")
        }
        let (height, width) = (source.imageShape[1], source.imageShape[2])
        let shape = [count, channels, height, width]
        if let pixels = source.pixels {
            let plane = height * width
            let store = PixelStore(shape: shape, range: pixels.range) { output in
                pixels.withBytes { bytes in
                    for (slot, image) in draws.enumerated() {
                        for offset in 0..<plane { output[slot * plane + offset] = bytes[image * plane + offset] }
                    }
                }
            }
            return ImageDataset(pixels: store, labels: labels, classNames: names)
        }
        let images = source.images(at: draws).reshaped(shape)
        return ImageDataset(images: images, labels: labels, classNames: names)
    }

    /// The classes of a stacked image's channels from its label (`K` classes per channel), red first.
    public static func channelClasses(of label: Int, classesPerChannel classes: Int) -> [Int] {
        [label / (classes * classes), (label / classes) % classes, label % classes]
    }
}
