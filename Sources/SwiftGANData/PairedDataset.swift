import SwiftGANTensor

/// Input–target pairs for image-to-image translation: inputs
/// `[N, Ci, Hi, Wi]`, targets `[N, Co, H, W]` (`Hi` smaller than `H` for
/// super-resolution), a class per pair (0 when unknown) and, for folders,
/// each pair's file name. Folder images stay 8-bit bytes until a batch reads
/// them; the built-in tasks' computed images are floats.
///
/// When `cropSize` is set the images are stored larger (pix2pix's jitter:
/// resized to about 1.125x) and the loader crops them back at random.
public struct PairedDataset: Sendable {
    /// The inputs, as floats or bytes.
    public var inputImages: ImageArray
    /// The targets, as floats or bytes.
    public var targetImages: ImageArray
    public var labels: [Int]
    public var classNames: [String]
    /// File names (without directory) of folder pairs, else empty.
    public var names: [String]
    /// The size the loader crops inputs and targets to, when stored larger for jitter.
    public var cropSize: Int?

    public init(inputs: Tensor, targets: Tensor, labels: [Int], classNames: [String], names: [String] = [], cropSize: Int? = nil) {
        require(inputs.rank == 4 && targets.rank == 4, "PairedDataset: inputs \(inputs.shape) and targets \(targets.shape) must be [N, C, H, W]")
        self.init(
            inputImages: .floats(inputs), targetImages: .floats(targets), labels: labels, classNames: classNames, names: names, cropSize: cropSize)
    }

    public init(
        inputImages: ImageArray, targetImages: ImageArray, labels: [Int], classNames: [String], names: [String] = [], cropSize: Int? = nil
    ) {
        let (inputShape, targetShape) = (inputImages.shape, targetImages.shape)
        require(
            inputShape[0] == targetShape[0] && labels.count == inputShape[0],
            "PairedDataset: \(inputShape[0]) inputs, \(targetShape[0]) targets and \(labels.count) labels")
        require(names.isEmpty || names.count == labels.count, "PairedDataset: \(names.count) names for \(labels.count) pairs")
        require(
            cropSize == nil || (inputShape[2...] == targetShape[2...] && cropSize! <= targetShape[2]),
            "PairedDataset: jitter needs inputs and targets of one size at least the crop \(cropSize ?? 0), got \(inputShape) and \(targetShape)")
        self.inputImages = inputImages
        self.targetImages = targetImages
        self.labels = labels
        self.classNames = classNames
        self.names = names
        self.cropSize = cropSize
    }

    /// All inputs as floats, `[N, Ci, Hi, Wi]` (converted now when kept as bytes).
    public var inputs: Tensor {
        get { inputImages.all }
        set { inputImages = .floats(newValue) }
    }

    /// All targets as floats, `[N, Co, H, W]` (converted now when kept as bytes).
    public var targets: Tensor {
        get { targetImages.all }
        set { targetImages = .floats(newValue) }
    }

    public var count: Int { labels.count }
    /// `[C, H, W]` of one input as the networks see it (after cropping).
    public var inputShape: [Int] { [inputImages.shape[1]] + (cropSize.map { [$0, $0] } ?? Array(inputImages.shape[2...])) }
    /// `[C, H, W]` of one target as the networks see it (after cropping).
    public var outputShape: [Int] { [targetImages.shape[1]] + (cropSize.map { [$0, $0] } ?? Array(targetImages.shape[2...])) }

    /// The first `count` pairs.
    public func prefix(_ count: Int) -> PairedDataset {
        guard count < self.count else { return self }
        return PairedDataset(
            inputImages: inputImages.prefix(count), targetImages: targetImages.prefix(count), labels: Array(labels.prefix(count)),
            classNames: classNames, names: Array(names.prefix(count)), cropSize: cropSize)
    }

    /// The same pairs without jitter: each image centre-cropped to `cropSize`.
    public func centreCropped() -> PairedDataset {
        guard let cropSize else { return self }
        return PairedDataset(
            inputImages: inputImages.centreCropped(to: cropSize), targetImages: targetImages.centreCropped(to: cropSize), labels: labels,
            classNames: classNames, names: names)
    }
}
