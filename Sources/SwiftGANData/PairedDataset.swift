import SwiftGANTensor

/// Input–target pairs for image-to-image translation, held in memory:
/// inputs `[N, Ci, Hi, Wi]`, targets `[N, Co, H, W]` (`Hi` smaller than `H`
/// for super-resolution), a class per pair (0 when unknown) and, for
/// folders, each pair's file name.
///
/// When `cropSize` is set the images are stored larger (pix2pix's jitter:
/// resized to about 1.125x) and the loader crops them back at random.
public struct PairedDataset: Sendable {
    public var inputs: Tensor
    public var targets: Tensor
    public var labels: [Int]
    public var classNames: [String]
    /// File names (without directory) of folder pairs, else empty.
    public var names: [String]
    /// The size the loader crops inputs and targets to, when stored larger for jitter.
    public var cropSize: Int?

    public init(inputs: Tensor, targets: Tensor, labels: [Int], classNames: [String], names: [String] = [], cropSize: Int? = nil) {
        require(inputs.rank == 4 && targets.rank == 4, "PairedDataset: inputs \(inputs.shape) and targets \(targets.shape) must be [N, C, H, W]")
        require(
            inputs.shape[0] == targets.shape[0] && labels.count == inputs.shape[0],
            "PairedDataset: \(inputs.shape[0]) inputs, \(targets.shape[0]) targets and \(labels.count) labels")
        require(names.isEmpty || names.count == labels.count, "PairedDataset: \(names.count) names for \(labels.count) pairs")
        require(
            cropSize == nil || (inputs.shape[2...] == targets.shape[2...] && cropSize! <= targets.shape[2]),
            "PairedDataset: jitter needs inputs and targets of one size at least the crop \(cropSize ?? 0), got \(inputs.shape) and \(targets.shape)")
        self.inputs = inputs
        self.targets = targets
        self.labels = labels
        self.classNames = classNames
        self.names = names
        self.cropSize = cropSize
    }

    public var count: Int { labels.count }
    /// `[C, H, W]` of one input as the networks see it (after cropping).
    public var inputShape: [Int] { [inputs.shape[1]] + (cropSize.map { [$0, $0] } ?? Array(inputs.shape[2...])) }
    /// `[C, H, W]` of one target as the networks see it (after cropping).
    public var outputShape: [Int] { [targets.shape[1]] + (cropSize.map { [$0, $0] } ?? Array(targets.shape[2...])) }

    /// The first `count` pairs.
    public func prefix(_ count: Int) -> PairedDataset {
        guard count < self.count else { return self }
        return PairedDataset(
            inputs: inputs.slice(axis: 0, start: 0, end: count), targets: targets.slice(axis: 0, start: 0, end: count),
            labels: Array(labels.prefix(count)), classNames: classNames, names: Array(names.prefix(count)), cropSize: cropSize)
    }

    /// The same pairs without jitter: each image centre-cropped to `cropSize`.
    public func centreCropped() -> PairedDataset {
        guard let cropSize else { return self }
        let offset = (inputs.shape[2] - cropSize) / 2
        func crop(_ images: Tensor) -> Tensor {
            images.slice(axis: 2, start: offset, end: offset + cropSize).slice(axis: 3, start: offset, end: offset + cropSize)
        }
        return withoutGradients {
            PairedDataset(inputs: crop(inputs), targets: crop(targets), labels: labels, classNames: classNames, names: names)
        }
    }
}
