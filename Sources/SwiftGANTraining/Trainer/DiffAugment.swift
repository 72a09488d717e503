import SwiftGANData
import SwiftGANTensor

/// Differentiable augmentation (DiffAugment, Zhao et al. 2020): the same
/// random transformations applied to real and generated images before D,
/// in D's and G's steps alike, so that D cannot memorise a small training
/// set while G still gets gradients through the transformation. Images are
/// `[N, C, H, W]` in [-1, 1]; each image gets its own draw, in the order
/// of the paper's code:
/// - `color`: brightness `x + b`, b ~ U(−0.5, 0.5); saturation
///   `(x − μ_c)·s + μ_c` about the image's per-pixel channel mean, s ~ U(0, 2)
///   (nothing for gray images); contrast `(x − μ)·c + μ` about the image's
///   mean, c ~ U(0.5, 1.5);
/// - `translation`: a shift by up to ⌊H/8 + ½⌋ rows and ⌊W/8 + ½⌋ columns
///   each way, zeros where the image moved away;
/// - `cutout`: a ⌊H/2 + ½⌋ x ⌊W/2 + ½⌋ square of zeros (clipped at the
///   border) at a random place.
/// Translation and cutout together are one gather of the pixels, so their
/// gradient is the scatter back.
public struct DiffAugment: Equatable, Sendable {
    /// One kind of transformation (`--diffaugment color,translation,cutout`).
    public enum Policy: String, Codable, CaseIterable, Sendable {
        case color, translation, cutout
    }

    /// One image's random draw.
    public struct Draw: Equatable, Sendable {
        public var brightness: Float = 0, saturation: Float = 1, contrast: Float = 1
        /// Rows and columns the image moves down and right.
        public var shift = (rows: 0, columns: 0)
        /// The cutout square's top-left corner (may lie above or left of the image).
        public var cutout = (row: 0, column: 0)

        public static func == (a: Draw, b: Draw) -> Bool {
            a.brightness == b.brightness && a.saturation == b.saturation && a.contrast == b.contrast && a.shift == b.shift && a.cutout == b.cutout
        }
    }

    public let policies: [Policy]

    public init(_ policies: [Policy]) { self.policies = policies }

    var has: (color: Bool, translation: Bool, cutout: Bool) {
        (policies.contains(.color), policies.contains(.translation), policies.contains(.cutout))
    }

    /// The largest shift each way, for images `height` x `width`.
    static func maximumShift(height: Int, width: Int) -> (rows: Int, columns: Int) {
        (Int(Double(height) * 0.125 + 0.5), Int(Double(width) * 0.125 + 0.5))
    }

    /// The cutout square's size.
    static func cutoutSize(height: Int, width: Int) -> (rows: Int, columns: Int) {
        (Int(Double(height) * 0.5 + 0.5), Int(Double(width) * 0.5 + 0.5))
    }

    /// `count` draws for images `[C, height, width]`; only the enabled policies consume random numbers.
    public func draws(_ count: Int, height: Int, width: Int, random: inout RandomGenerator) -> [Draw] {
        let (shift, size) = (Self.maximumShift(height: height, width: width), Self.cutoutSize(height: height, width: width))
        func integer(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
        return (0..<count).map { _ in
            var draw = Draw()
            if has.color {
                draw.brightness = random.nextUniform() - 0.5
                draw.saturation = 2 * random.nextUniform()
                draw.contrast = random.nextUniform() + 0.5
            }
            if has.translation { draw.shift = (integer(-shift.rows...shift.rows), integer(-shift.columns...shift.columns)) }
            if has.cutout {
                // The square's centre anywhere on the image (as the paper's code draws it); its corner follows.
                draw.cutout = (integer(0...(height - 1)) - size.rows / 2, integer(0...(width - 1)) - size.columns / 2)
            }
            return draw
        }
    }

    /// `images` `[N, C, H, W]` transformed by `draws` (one per image), differentiably.
    /// - Precondition: one draw per image.
    public func apply(_ images: Tensor, draws: [Draw]) -> Tensor {
        require(images.rank == 4 && images.shape[0] == draws.count, "DiffAugment: \(draws.count) draws for images \(images.shape)")
        var x = images
        let count = images.shape[0]
        if has.color {
            func perImage(_ values: [Float]) -> Tensor { Tensor(values, shape: [count, 1, 1, 1]) }
            x = x + perImage(draws.map(\.brightness))
            if images.shape[1] > 1 {
                let channelMean = x.mean(axes: [1], keepDims: true)
                x = (x - channelMean) * perImage(draws.map(\.saturation)) + channelMean
            }
            let mean = x.mean(axes: [1, 2, 3], keepDims: true)
            x = (x - mean) * perImage(draws.map(\.contrast)) + mean
        }
        if has.translation || has.cutout { x = x.gathered(flatIndices: sourceIndices(images.shape, draws), shape: images.shape) }
        return x
    }

    /// For each output pixel, the flat index of the input pixel it shows, or −1 for a zero
    /// (moved in from outside, or inside the cutout square).
    func sourceIndices(_ shape: [Int], _ draws: [Draw]) -> [Int] {
        let (channels, height, width) = (shape[1], shape[2], shape[3])
        let size = Self.cutoutSize(height: height, width: width)
        var indices = [Int](repeating: -1, count: shape.reduce(1, *))
        for (image, draw) in draws.enumerated() {
            let shift = has.translation ? draw.shift : (0, 0)
            for row in 0..<height {
                let sourceRow = row - shift.0
                guard sourceRow >= 0 && sourceRow < height else { continue }
                let rowCut = has.cutout && row >= draw.cutout.row && row < draw.cutout.row + size.rows
                for column in 0..<width {
                    let sourceColumn = column - shift.1
                    guard sourceColumn >= 0 && sourceColumn < width else { continue }
                    if rowCut && column >= draw.cutout.column && column < draw.cutout.column + size.columns { continue }
                    for channel in 0..<channels {
                        let plane = (image * channels + channel) * height * width
                        indices[plane + row * width + column] = plane + sourceRow * width + sourceColumn
                    }
                }
            }
        }
        return indices
    }
}
