import SwiftGANTensor

/// Two image domains for unpaired translation (CycleGAN): domain A
/// `[NA, CA, H, W]` and domain B `[NB, CB, H, W]`, of any sizes, with a class
/// per image (0 when unknown) and, for folders, file names. Folder images
/// stay 8-bit bytes until a batch reads them; the built-in tasks' computed
/// images are floats.
///
/// Built-in test splits whose true mapping is known also carry it, aligned
/// with the domains: `truthAB[i]` is image `i` of A translated into B, and
/// `truthBA[i]` image `i` of B translated into A. Training never sees them.
///
/// When `cropSize` is set the images are stored larger (jitter: about
/// 1.125x) and the loader crops them back at random.
public struct UnpairedDataset: Sendable {
    /// Domain A's images, as floats or bytes.
    public var imagesA: ImageArray
    /// Domain B's images, as floats or bytes.
    public var imagesB: ImageArray
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
        self.init(
            imagesA: .floats(domainA), imagesB: .floats(domainB), labelsA: labelsA, labelsB: labelsB, classNames: classNames, namesA: namesA,
            namesB: namesB, truthAB: truthAB, truthBA: truthBA, cropSize: cropSize)
    }

    public init(
        imagesA: ImageArray, imagesB: ImageArray, labelsA: [Int], labelsB: [Int], classNames: [String], namesA: [String] = [],
        namesB: [String] = [], truthAB: Tensor? = nil, truthBA: Tensor? = nil, cropSize: Int? = nil
    ) {
        let (shapeA, shapeB) = (imagesA.shape, imagesB.shape)
        require(shapeA[2...] == shapeB[2...], "UnpairedDataset: domains \(shapeA) and \(shapeB) differ in size")
        require(labelsA.count == shapeA[0] && labelsB.count == shapeB[0], "UnpairedDataset: one label per image")
        require(namesA.isEmpty || namesA.count == labelsA.count, "UnpairedDataset: \(namesA.count) names for \(labelsA.count) A images")
        require(namesB.isEmpty || namesB.count == labelsB.count, "UnpairedDataset: \(namesB.count) names for \(labelsB.count) B images")
        require(
            truthAB.map { $0.shape == [shapeA[0]] + Array(shapeB.dropFirst()) } ?? true,
            "UnpairedDataset: truthAB \(truthAB?.shape ?? []) must be [NA] + B's image shape")
        require(
            truthBA.map { $0.shape == [shapeB[0]] + Array(shapeA.dropFirst()) } ?? true,
            "UnpairedDataset: truthBA \(truthBA?.shape ?? []) must be [NB] + A's image shape")
        require(cropSize.map { $0 > 0 && $0 <= shapeA[2] && $0 <= shapeA[3] } ?? true, "UnpairedDataset: crop size too large")
        self.imagesA = imagesA
        self.imagesB = imagesB
        self.labelsA = labelsA
        self.labelsB = labelsB
        self.classNames = classNames
        self.namesA = namesA
        self.namesB = namesB
        self.truthAB = truthAB
        self.truthBA = truthBA
        self.cropSize = cropSize
    }

    /// All of domain A as floats, `[NA, CA, H, W]` (converted now when kept as bytes).
    public var domainA: Tensor {
        get { imagesA.all }
        set { imagesA = .floats(newValue) }
    }

    /// All of domain B as floats, `[NB, CB, H, W]` (converted now when kept as bytes).
    public var domainB: Tensor {
        get { imagesB.all }
        set { imagesB = .floats(newValue) }
    }

    public var countA: Int { labelsA.count }
    public var countB: Int { labelsB.count }
    /// `[C, H, W]` of one A image as the networks see it (after cropping).
    public var shapeA: [Int] { [imagesA.shape[1]] + (cropSize.map { [$0, $0] } ?? Array(imagesA.shape[2...])) }
    /// `[C, H, W]` of one B image as the networks see it (after cropping).
    public var shapeB: [Int] { [imagesB.shape[1]] + (cropSize.map { [$0, $0] } ?? Array(imagesB.shape[2...])) }

    /// The first `count` images of each domain (and their truths).
    public func prefix(_ count: Int) -> UnpairedDataset {
        let countA = Swift.min(count, self.countA)
        let countB = Swift.min(count, self.countB)
        return withoutGradients {
            UnpairedDataset(
                imagesA: imagesA.prefix(countA), imagesB: imagesB.prefix(countB), labelsA: Array(labelsA.prefix(countA)),
                labelsB: Array(labelsB.prefix(countB)), classNames: classNames, namesA: Array(namesA.prefix(countA)),
                namesB: Array(namesB.prefix(countB)), truthAB: truthAB?.slice(axis: 0, start: 0, end: countA),
                truthBA: truthBA?.slice(axis: 0, start: 0, end: countB), cropSize: cropSize)
        }
    }

    /// The same images without jitter: each centre-cropped to `cropSize`.
    public func centreCropped() -> UnpairedDataset {
        guard let cropSize else { return self }
        func crop(_ images: Tensor) -> Tensor { ImageArray.floats(images).centreCropped(to: cropSize).all }
        return UnpairedDataset(
            imagesA: imagesA.centreCropped(to: cropSize), imagesB: imagesB.centreCropped(to: cropSize), labelsA: labelsA, labelsB: labelsB,
            classNames: classNames, namesA: namesA, namesB: namesB, truthAB: truthAB.map(crop), truthBA: truthBA.map(crop))
    }
}
