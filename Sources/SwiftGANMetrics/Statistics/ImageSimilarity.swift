import Foundation
import SwiftGANTensor

/// Per-image similarity of outputs to targets, averaged over a batch
/// `[N, C, H, W]` of values in [-1, 1] (data range 2): L1, PSNR and SSIM.
public enum ImageSimilarity {
    /// Mean absolute difference, in the images' own [-1, 1] units (pix2pix's L1 loss).
    public static func l1(_ outputs: Tensor, _ targets: Tensor) -> Double {
        checkShapes(outputs, targets, "l1")
        let (a, b) = (outputs.scalars, targets.scalars)
        return zip(a, b).reduce(0.0) { $0 + Double(Swift.abs($1.0 - $1.1)) } / Double(Swift.max(a.count, 1))
    }

    /// The mean over images of 10·log10(range² / MSE), range 2 (as scikit-image's
    /// `peak_signal_noise_ratio(target, output, data_range=2)`); an exact
    /// image counts as 100 dB.
    public static func psnr(_ outputs: Tensor, _ targets: Tensor) -> Double {
        checkShapes(outputs, targets, "psnr")
        let (a, b) = (outputs.scalars, targets.scalars)
        let perImage = a.count / outputs.shape[0]
        var total = 0.0
        for image in 0..<outputs.shape[0] {
            var squared = 0.0
            for index in (image * perImage)..<((image + 1) * perImage) {
                let difference = Double(a[index] - b[index])
                squared += difference * difference
            }
            let mse = squared / Double(perImage)
            total += mse == 0 ? 100 : Swift.min(100, 10 * log10(4 / mse))
        }
        return total / Double(outputs.shape[0])
    }

    /// The mean over images (and channels) of the structural similarity
    /// index (Wang et al. 2004) with a Gaussian window, σ = 1.5, as
    /// scikit-image's `structural_similarity(target, output, data_range=2,
    /// gaussian_weights=True, sigma=1.5, use_sample_covariance=False)`: local
    /// statistics from an 11-tap Gaussian filter with mirrored edges (SciPy's
    /// `reflect`), K1 = 0.01, K2 = 0.03, the map's 5-pixel border left out of the mean.
    /// - Precondition: images of at least 11x11 pixels.
    public static func ssim(_ outputs: Tensor, _ targets: Tensor) -> Double {
        checkShapes(outputs, targets, "ssim")
        let (height, width) = (outputs.shape[2], outputs.shape[3])
        require(height >= 11 && width >= 11, "ssim: images must be at least 11x11, got \(height)x\(width)")
        let (a, b) = (outputs.scalars.map(Double.init), targets.scalars.map(Double.init))
        let planes = outputs.shape[0] * outputs.shape[1]
        let plane = height * width
        var total = 0.0
        for index in 0..<planes {
            let x = Array(a[(index * plane)..<((index + 1) * plane)])
            let y = Array(b[(index * plane)..<((index + 1) * plane)])
            total += planeSSIM(y, x, height: height, width: width)
        }
        return total / Double(planes)
    }

    /// SSIM of one plane `x` against `y` (symmetric).
    static func planeSSIM(_ x: [Double], _ y: [Double], height: Int, width: Int) -> Double {
        let range = 2.0
        let (c1, c2) = ((0.01 * range) * (0.01 * range), (0.03 * range) * (0.03 * range))
        let filter = { (values: [Double]) in gaussianFiltered(values, height: height, width: width) }
        let (mx, my) = (filter(x), filter(y))
        let mxx = filter(zip(x, x).map { $0 * $1 })
        let myy = filter(zip(y, y).map { $0 * $1 })
        let mxy = filter(zip(x, y).map { $0 * $1 })
        let pad = 5
        var sum = 0.0
        for row in pad..<(height - pad) {
            for column in pad..<(width - pad) {
                let i = row * width + column
                let (vx, vy, vxy) = (mxx[i] - mx[i] * mx[i], myy[i] - my[i] * my[i], mxy[i] - mx[i] * my[i])
                sum += ((2 * mx[i] * my[i] + c1) * (2 * vxy + c2)) / ((mx[i] * mx[i] + my[i] * my[i] + c1) * (vx + vy + c2))
            }
        }
        return sum / Double((height - 2 * pad) * (width - 2 * pad))
    }

    /// The normalised Gaussian taps of σ 1.5 truncated at 3.5σ (radius 5), as SciPy's `gaussian_filter`.
    static let taps: [Double] = {
        let raw = (-5...5).map { exp(-Double($0 * $0) / (2 * 1.5 * 1.5)) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }()

    /// Separable Gaussian filtering with half-sample symmetric edges (`d c b a | a b c d | d c b a`).
    static func gaussianFiltered(_ values: [Double], height: Int, width: Int) -> [Double] {
        func mirror(_ index: Int, _ size: Int) -> Int {
            var i = index
            while i < 0 || i >= size { i = i < 0 ? -i - 1 : 2 * size - i - 1 }
            return i
        }
        var rows = [Double](repeating: 0, count: values.count)
        for row in 0..<height {
            for column in 0..<width {
                var sum = 0.0
                for (offset, tap) in taps.enumerated() { sum += tap * values[row * width + mirror(column + offset - 5, width)] }
                rows[row * width + column] = sum
            }
        }
        var result = [Double](repeating: 0, count: values.count)
        for row in 0..<height {
            for column in 0..<width {
                var sum = 0.0
                for (offset, tap) in taps.enumerated() { sum += tap * rows[mirror(row + offset - 5, height) * width + column] }
                result[row * width + column] = sum
            }
        }
        return result
    }

    private static func checkShapes(_ outputs: Tensor, _ targets: Tensor, _ name: String) {
        require(
            outputs.rank == 4 && outputs.shape == targets.shape && outputs.shape[0] > 0,
            "\(name): outputs \(outputs.shape) and targets \(targets.shape) must be the same non-empty [N, C, H, W]")
    }
}
