import SwiftGANTensor

/// The built-in unpaired tasks, made from Fashion-MNIST. Training draws the
/// two domains from disjoint images, so no training image appears in both
/// domains and the true mapping is never shown as pairs; the test split
/// keeps each image beside its translation, so the true mapping is scored.
public enum UnpairedTask: String, CaseIterable, Codable, Sendable {
    /// A: images from the first half of the train split; B: edge maps (as
    /// `edges2fashion` makes them) of the second half. The A→B truth is the edge filter.
    case fashion2edges
    /// A: gray images of the first half; B: the second half coloured by the
    /// rule of the paired `colorize` task (a colour pair per class).
    case gray2color
    /// A: sneakers; B: ankle boots. No true mapping: scored by the shipped
    /// classifier's rate of the target class on the translations.
    case sneaker2boot

    /// Fashion-MNIST's class numbers of the class-to-class tasks' domains.
    public var classes: (a: Int, b: Int)? { self == .sneaker2boot ? (7, 9) : nil }

    /// Loads `split`; `limit` keeps the first `limit` images of each domain.
    /// - Throws: `FileError` when Fashion-MNIST is not installed.
    public static func load(_ task: UnpairedTask, split: IDXDataset.Split, limit: Int? = nil) throws -> UnpairedDataset {
        let images = try IDXDataset.load(name: "fashion-mnist", split: split)
        return task.domains(from: images, split: split, limit: limit)
    }

    /// The domains made from `images` (`[N, 1, H, W]` in [-1, 1]): for the
    /// train split from its two halves, for the test split from the same
    /// images with the truths; `limit` keeps the first images of each domain.
    public func domains(from images: ImageDataset, split: IDXDataset.Split, limit: Int? = nil) -> UnpairedDataset {
        require(images.images.shape[1] == 1, "UnpairedTask: expects grayscale images, got \(images.images.shape)")
        let count = images.labels.count
        func rows(_ indices: [Int]) -> (images: Tensor, labels: [Int]) {
            let tensor = withoutGradients { images.images.indexSelect(indices) }
            return (tensor, indices.map { images.labels[$0] })
        }
        if let classes {
            let a = rows(Array((0..<count).filter { images.labels[$0] == classes.a }.prefix(limit ?? count)))
            let b = rows(Array((0..<count).filter { images.labels[$0] == classes.b }.prefix(limit ?? count)))
            return UnpairedDataset(domainA: a.images, domainB: b.images, labelsA: a.labels, labelsB: b.labels, classNames: images.classNames)
        }
        let translate: (Tensor, [Int]) -> Tensor =
            self == .fashion2edges
            ? { images, _ in TranslationTask.edgeMaps(images) } : { images, labels in TranslationTask.colorized(images, labels: labels) }
        func range(_ start: Int, _ end: Int) -> (images: Tensor, labels: [Int]) {
            (withoutGradients { images.images.slice(axis: 0, start: start, end: end) }, Array(images.labels[start..<end]))
        }
        if split == .train {
            let half = Swift.min(count / 2, limit ?? count)
            let a = range(0, half)
            let source = range(count / 2, count / 2 + half)
            return UnpairedDataset(
                domainA: a.images, domainB: translate(source.images, source.labels), labelsA: a.labels, labelsB: source.labels,
                classNames: images.classNames)
        }
        let test = range(0, Swift.min(count, limit ?? count))
        let translated = translate(test.images, test.labels)
        return UnpairedDataset(
            domainA: test.images, domainB: translated, labelsA: test.labels, labelsB: test.labels, classNames: images.classNames,
            truthAB: translated, truthBA: test.images)
    }
}
