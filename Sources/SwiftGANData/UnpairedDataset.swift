import SwiftGANTensor

/// Two image domains for unpaired translation (CycleGAN), held in memory:
/// domain A `[NA, CA, H, W]` and domain B `[NB, CB, H, W]`, of any sizes,
/// with a class per image (0 when unknown) and, for folders, file names.
///
/// Built-in test splits whose true mapping is known also carry it, aligned
/// with the domains: `truthAB[i]` is image `i` of A translated into B, and
/// `truthBA[i]` image `i` of B translated into A. Training never sees them.
///
/// When `cropSize` is set the images are stored larger (jitter: about
/// 1.125x) and the loader crops them back at random.
public struct UnpairedDataset: Sendable {
    public var domainA: Tensor
    public var domainB: Tensor
    public var labelsA: [Int]
    public var labelsB: [Int]
    public var classNames: [String]
    public var namesA: [String]
    public var namesB: [String]
    public var truthAB: Tensor?
    public var truthBA: Tensor?
    /// The size the loader crops both domains to, when stored larger for jitter.
    public var cropSize: Int?

    public init(
        domainA: Tensor, domainB: Tensor, labelsA: [Int], labelsB: [Int], classNames: [String], namesA: [String] = [],
        namesB: [String] = [], truthAB: Tensor? = nil, truthBA: Tensor? = nil, cropSize: Int? = nil
    ) {
        require(domainA.rank == 4 && domainB.rank == 4, "UnpairedDataset: domains \(domainA.shape) and \(domainB.shape) must be [N, C, H, W]")
        require(domainA.shape[2...] == domainB.shape[2...], "UnpairedDataset: domains \(domainA.shape) and \(domainB.shape) differ in size")
        require(labelsA.count == domainA.shape[0] && labelsB.count == domainB.shape[0], "UnpairedDataset: one label per image")
        require(namesA.isEmpty || namesA.count == labelsA.count, "UnpairedDataset: \(namesA.count) names for \(labelsA.count) A images")
        require(namesB.isEmpty || namesB.count == labelsB.count, "UnpairedDataset: \(namesB.count) names for \(labelsB.count) B images")
        require(
            truthAB.map { $0.shape == [domainA.shape[0]] + Array(domainB.shape.dropFirst()) } ?? true,
            "UnpairedDataset: truthAB \(truthAB?.shape ?? []) must be [NA] + B's image shape")
        require(
            truthBA.map { $0.shape == [domainB.shape[0]] + Array(domainA.shape.dropFirst()) } ?? true,
            "UnpairedDataset: truthBA \(truthBA?.shape ?? []) must be [NB] + A's image shape")
        require(cropSize.map { $0 > 0 && $0 <= domainA.shape[2] && $0 <= domainA.shape[3] } ?? true, "UnpairedDataset: crop size too large")
        self.domainA = domainA
        self.domainB = domainB
        self.labelsA = labelsA
        self.labelsB = labelsB
        self.classNames = classNames
        self.namesA = namesA
        self.namesB = namesB
        self.truthAB = truthAB
        self.truthBA = truthBA
        self.cropSize = cropSize
    }

    public var countA: Int { labelsA.count }
    public var countB: Int { labelsB.count }
    /// `[C, H, W]` of one A image as the networks see it (after cropping).
    public var shapeA: [Int] { [domainA.shape[1]] + (cropSize.map { [$0, $0] } ?? Array(domainA.shape[2...])) }
    /// `[C, H, W]` of one B image as the networks see it (after cropping).
    public var shapeB: [Int] { [domainB.shape[1]] + (cropSize.map { [$0, $0] } ?? Array(domainB.shape[2...])) }

    /// The first `count` images of each domain (and their truths).
    public func prefix(_ count: Int) -> UnpairedDataset {
        let countA = Swift.min(count, self.countA)
        let countB = Swift.min(count, self.countB)
        return withoutGradients {
            UnpairedDataset(
                domainA: domainA.slice(axis: 0, start: 0, end: countA), domainB: domainB.slice(axis: 0, start: 0, end: countB),
                labelsA: Array(labelsA.prefix(countA)), labelsB: Array(labelsB.prefix(countB)), classNames: classNames,
                namesA: Array(namesA.prefix(countA)), namesB: Array(namesB.prefix(countB)),
                truthAB: truthAB?.slice(axis: 0, start: 0, end: countA), truthBA: truthBA?.slice(axis: 0, start: 0, end: countB),
                cropSize: cropSize)
        }
    }

    /// The same images without jitter: each centre-cropped to `cropSize`.
    public func centreCropped() -> UnpairedDataset {
        guard let cropSize else { return self }
        func crop(_ images: Tensor) -> Tensor {
            let top = (images.shape[2] - cropSize) / 2
            let left = (images.shape[3] - cropSize) / 2
            return images.slice(axis: 2, start: top, end: top + cropSize).slice(axis: 3, start: left, end: left + cropSize)
        }
        return withoutGradients {
            UnpairedDataset(
                domainA: crop(domainA), domainB: crop(domainB), labelsA: labelsA, labelsB: labelsB, classNames: classNames, namesA: namesA,
                namesB: namesB, truthAB: truthAB.map(crop), truthBA: truthBA.map(crop))
        }
    }
}
