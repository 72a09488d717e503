import SwiftGANTensor

/// The built-in image-to-image tasks, made from Fashion-MNIST so that every
/// input has an exact ground truth: the target is always the original
/// image (coloured for `colorize`), the input a fixed function of it.
public enum TranslationTask: String, CaseIterable, Codable, Sendable {
    /// A binary edge map (Sobel magnitude above a threshold: dark lines on
    /// white, like edges2shoes) → the image.
    case edges2fashion
    /// The image with a random 12x12 square set to mid-gray → the image.
    case inpaint
    /// The image area-averaged to 7x7 → the 28x28 image.
    case sr4
    /// The image area-averaged to 14x14 → the 28x28 image.
    case sr2
    /// The grayscale image → an RGB image coloured by a fixed rule: a
    /// colour pair per class, blended from the top row to the bottom, times
    /// the gray level (so the right colour follows from the garment's class).
    case colorize

    /// Loads Fashion-MNIST's `split` (optionally its first `limit` images) and makes the pairs.
    /// - Throws: `FileError` when Fashion-MNIST is not installed.
    public static func load(_ task: TranslationTask, split: IDXDataset.Split, limit: Int? = nil) throws -> PairedDataset {
        let images = try IDXDataset.load(name: "fashion-mnist", split: split, limit: limit)
        return task.pairs(from: images, seed: seed(for: split))
    }

    /// The pairs for `images` (`[N, 1, H, W]` in [-1, 1]); `seed` places the inpainting squares.
    public func pairs(from images: ImageDataset, seed: UInt64) -> PairedDataset {
        require(images.images.shape[1] == 1, "TranslationTask: expects grayscale images, got \(images.images.shape)")
        let targets = self == .colorize ? Self.colorized(images.images, labels: images.labels) : images.images
        let inputs: Tensor
        switch self {
        case .edges2fashion: inputs = Self.edgeMaps(images.images)
        case .inpaint: inputs = Self.masked(images.images, seed: seed)
        case .sr4: inputs = withoutGradients { images.images.avgPool2d(kernel: 4) }
        case .sr2: inputs = withoutGradients { images.images.avgPool2d(kernel: 2) }
        case .colorize: inputs = images.images
        }
        return PairedDataset(inputs: inputs, targets: targets, labels: images.labels, classNames: images.classNames)
    }

    /// The Sobel threshold on [0, 1] intensities: a quarter of a full black-to-white step.
    static let edgeThreshold: Float = 1

    /// 1 (white) where the Sobel gradient magnitude of `(x + 1) / 2` is at
    /// most `edgeThreshold`, else -1; edges replicate the border pixels.
    static func edgeMaps(_ images: Tensor) -> Tensor {
        let (count, height, width) = (images.shape[0], images.shape[2], images.shape[3])
        let values = images.scalars
        var edges = [Float](repeating: 1, count: values.count)
        for image in 0..<count {
            let base = image * height * width
            func pixel(_ row: Int, _ column: Int) -> Float {
                (values[base + Swift.min(Swift.max(row, 0), height - 1) * width + Swift.min(Swift.max(column, 0), width - 1)] + 1) / 2
            }
            for row in 0..<height {
                for column in 0..<width {
                    let gx =
                        pixel(row - 1, column + 1) + 2 * pixel(row, column + 1) + pixel(row + 1, column + 1)
                        - pixel(row - 1, column - 1) - 2 * pixel(row, column - 1) - pixel(row + 1, column - 1)
                    let gy =
                        pixel(row + 1, column - 1) + 2 * pixel(row + 1, column) + pixel(row + 1, column + 1)
                        - pixel(row - 1, column - 1) - 2 * pixel(row - 1, column) - pixel(row - 1, column + 1)
                    if (gx * gx + gy * gy).squareRoot() > edgeThreshold { edges[base + row * width + column] = -1 }
                }
            }
        }
        return Tensor(edges, shape: images.shape)
    }

    /// The side of the inpainting square: 3/7 of the image (12 at 28 px).
    public static func maskSide(_ size: Int) -> Int { size * 3 / 7 }

    /// The top-left corner of image `index`'s inpainting square.
    public static func maskOrigin(_ index: Int, height: Int, width: Int, seed: UInt64) -> (top: Int, left: Int) {
        let side = maskSide(Swift.min(height, width))
        var random = RandomGenerator(seed: seed &* 0x1000_0000_01B3 &+ UInt64(index))
        let top = 2 + Int(random.next() % UInt64(height - side - 3))
        let left = 2 + Int(random.next() % UInt64(width - side - 3))
        return (top, left)
    }

    /// The seed of a split's inpainting squares (and any other per-example draw).
    public static func seed(for split: IDXDataset.Split) -> UInt64 { split == .train ? 1 : 2 }

    /// Each image with a square of `maskSide` set to 0 (mid-gray), placed
    /// uniformly at least 2 pixels from the border, from `(seed, index)`.
    static func masked(_ images: Tensor, seed: UInt64) -> Tensor {
        let (count, height, width) = (images.shape[0], images.shape[2], images.shape[3])
        let side = maskSide(Swift.min(height, width))
        var values = images.scalars
        for image in 0..<count {
            let (top, left) = maskOrigin(image, height: height, width: width, seed: seed)
            for row in top..<(top + side) {
                for column in left..<(left + side) { values[(image * height + row) * width + column] = 0 }
            }
        }
        return Tensor(values, shape: images.shape)
    }

    /// The colour pair of class `label`: hues 36° apart per class, the bottom 120° on from the top.
    static func palette(_ label: Int) -> (top: [Float], bottom: [Float]) {
        func rgb(hue: Float) -> [Float] {
            // HSV with saturation 0.8 and value 1.
            let h = (hue.truncatingRemainder(dividingBy: 360)) / 60
            let c: Float = 0.8
            let x = c * (1 - Swift.abs(h.truncatingRemainder(dividingBy: 2) - 1))
            let (r, g, b): (Float, Float, Float)
            switch Int(h) {
            case 0: (r, g, b) = (c, x, 0)
            case 1: (r, g, b) = (x, c, 0)
            case 2: (r, g, b) = (0, c, x)
            case 3: (r, g, b) = (0, x, c)
            case 4: (r, g, b) = (x, 0, c)
            default: (r, g, b) = (c, 0, x)
            }
            return [r + 0.2, g + 0.2, b + 0.2]
        }
        let hue = Float(label % 10) * 36
        return (rgb(hue: hue), rgb(hue: hue + 120))
    }

    /// RGB targets `[N, 3, H, W]` in [-1, 1]: gray level times the class's colour at that row.
    static func colorized(_ images: Tensor, labels: [Int]) -> Tensor {
        let (count, height, width) = (images.shape[0], images.shape[2], images.shape[3])
        let values = images.scalars
        var result = [Float](repeating: 0, count: count * 3 * height * width)
        for image in 0..<count {
            let (top, bottom) = palette(labels[image])
            for row in 0..<height {
                let t = Float(row) / Float(Swift.max(height - 1, 1))
                for channel in 0..<3 {
                    let colour = top[channel] * (1 - t) + bottom[channel] * t
                    for column in 0..<width {
                        let gray = (values[(image * height + row) * width + column] + 1) / 2
                        result[((image * 3 + channel) * height + row) * width + column] = 2 * gray * colour - 1
                    }
                }
            }
        }
        return Tensor(result, shape: [count, 3, height, width])
    }
}
