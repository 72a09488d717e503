import SwiftGANData
import SwiftGANTensor

/// CycleGAN's history of generated images (Shrivastava et al. 2017, as
/// Zhu et al. 2017 use it): the discriminator is updated on a mix of the
/// newest generated images and older ones, which steadies training.
///
/// Until it holds `capacity` images, every queried image is stored and
/// returned. Once full, each image is, with probability 1/2, returned as is,
/// or else stored in place of a uniformly chosen old image, which is
/// returned instead; about half of each D batch thus comes from the history.
/// With capacity 0 queries return their input. The images and the random
/// stream are part of a checkpoint, so a resumed run draws the same.
public final class ImagePool {
    public let capacity: Int
    /// The stored images, each `[1, C, H, W]`, detached.
    public private(set) var images: [Tensor] = []
    /// The stream of the coin flips and the replaced slots.
    public var random: RandomGenerator

    public init(capacity: Int, seed: UInt64) {
        require(capacity >= 0, "ImagePool: capacity \(capacity) must be non-negative")
        self.capacity = capacity
        random = RandomGenerator(seed: seed)
    }

    /// The images D sees for `batch` `[N, C, H, W]`: shape `[N, C, H, W]`, detached.
    public func query(_ batch: Tensor) -> Tensor {
        let current = batch.detached()
        guard capacity > 0 else { return current }
        let rows = (0..<current.shape[0]).map { current.slice(axis: 0, start: $0, end: $0 + 1) }
        let chosen = rows.map { image -> Tensor in
            if images.count < capacity {
                images.append(image)
                return image
            }
            guard random.next() & 1 == 1 else { return image }
            let slot = Int(random.next() % UInt64(capacity))
            let old = images[slot]
            images[slot] = image
            return old
        }
        return withoutGradients { concat(chosen, axis: 0) }
    }

    // MARK: Checkpoints

    /// The stored images as one tensor `[count, C, H, W]`, or nil when empty.
    public var stacked: Tensor? { images.isEmpty ? nil : withoutGradients { concat(images, axis: 0) } }

    /// Replaces the pool's contents with `images` (each `[1, C, H, W]`) and its stream with `random`.
    public func restore(_ images: [Tensor], random: RandomGenerator) {
        require(images.count <= capacity, "ImagePool: \(images.count) images for a capacity of \(capacity)")
        self.images = images
        self.random = random
    }

    /// The images of `stacked` `[count, C, H, W]` (nil: none) for `restore`.
    /// - Throws: `FileError` on `file` when there are more than `capacity` images or their shape is not `imageShape`.
    public func checkedImages(_ stacked: Tensor?, imageShape: [Int], file: String, key: String) throws -> [Tensor] {
        guard let stacked else { return [] }
        guard stacked.rank == 4, Array(stacked.shape.dropFirst()) == imageShape, stacked.shape[0] <= capacity else {
            throw FileError(file: file, problem: "\(key) is \(stacked.shape); a pool holds at most \(capacity) images \(imageShape)")
        }
        return (0..<stacked.shape[0]).map { stacked.slice(axis: 0, start: $0, end: $0 + 1) }
    }
}
