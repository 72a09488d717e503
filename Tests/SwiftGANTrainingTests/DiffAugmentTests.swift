import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// DiffAugment (`--diffaugment`): what each transformation does, its
/// gradient against finite differences, and a run that uses it.
@Suite struct DiffAugmentTests {
    static let all = DiffAugment(DiffAugment.Policy.allCases)

    /// Colour: brightness adds b, contrast scales about the image mean,
    /// saturation scales about the per-pixel channel mean (nothing for gray).
    @Test func colorTransformsAsTheFormulasSay() {
        var random = RandomGenerator(seed: 1)
        let rgb = Tensor.uniform([2, 3, 4, 4], low: -1, high: 1, random: &random)
        let color = DiffAugment([.color])
        let draws = [
            DiffAugment.Draw(brightness: 0.25, saturation: 1, contrast: 1), DiffAugment.Draw(brightness: 0, saturation: 0, contrast: 1)
        ]
        let out = color.apply(rgb, draws: draws)
        let (x, y) = (rgb.scalars, out.scalars)
        for index in 0..<48 { #expect(Swift.abs(y[index] - (x[index] + 0.25)) < 1e-6) }
        // Saturation 0 leaves every pixel at its channel mean: the three channels agree.
        for pixel in 0..<16 {
            let values = (0..<3).map { y[48 + $0 * 16 + pixel] }
            let mean = (0..<3).map { x[48 + $0 * 16 + pixel] }.reduce(0, +) / 3
            #expect(values.allSatisfy { Swift.abs($0 - mean) < 1e-5 })
        }
        let gray = Tensor.uniform([1, 1, 4, 4], low: -1, high: 1, random: &random)
        let contrast = color.apply(gray, draws: [DiffAugment.Draw(brightness: 0, saturation: 0, contrast: 0.5)]).scalars
        let mean = gray.scalars.reduce(0, +) / 16
        for (a, b) in zip(gray.scalars, contrast) { #expect(Swift.abs(b - (mean + 0.5 * (a - mean))) < 1e-5) }
    }

    /// Translation moves pixels by the shift with zeros behind; cutout zeroes
    /// its square (clipped at the border); both keep the other pixels.
    @Test func translationAndCutoutMovePixelsAndZeroTheSquare() {
        let image = Tensor((1...64).map(Float.init), shape: [1, 1, 8, 8])
        var draw = DiffAugment.Draw()
        draw.shift = (rows: 1, columns: -2)
        let moved = DiffAugment([.translation]).apply(image, draws: [draw]).scalars
        for row in 0..<8 {
            for column in 0..<8 {
                let (sourceRow, sourceColumn) = (row - 1, column + 2)
                let inside = sourceRow >= 0 && sourceColumn < 8
                #expect(moved[row * 8 + column] == (inside ? image.scalars[sourceRow * 8 + sourceColumn] : 0))
            }
        }
        var cut = DiffAugment.Draw()
        cut.cutout = (row: -2, column: 5)  // a 4x4 square over rows 0-1 and columns 5-7
        let holed = DiffAugment([.cutout]).apply(image, draws: [cut]).scalars
        let zeroed = (0..<64).filter { holed[$0] == 0 }
        #expect(zeroed == [5, 6, 7, 13, 14, 15])
        #expect((0..<64).filter { !zeroed.contains($0) }.allSatisfy { holed[$0] == image.scalars[$0] })
        #expect(DiffAugment.maximumShift(height: 28, width: 28) == (4, 4) && DiffAugment.cutoutSize(height: 28, width: 28) == (14, 14))
    }

    /// Draws stay in the paper's ranges; only enabled policies draw.
    @Test func drawsStayInRange() {
        var random = RandomGenerator(seed: 2)
        let draws = Self.all.draws(500, height: 28, width: 28, random: &random)
        #expect(draws.allSatisfy { (-0.5..<0.5).contains($0.brightness) && (0..<2).contains($0.saturation) && (0.5..<1.5).contains($0.contrast) })
        #expect(draws.allSatisfy { abs($0.shift.rows) <= 4 && abs($0.shift.columns) <= 4 && $0.cutout.row >= -7 && $0.cutout.row <= 20 })
        #expect(Set(draws.map { $0.shift.rows }).count == 9 && Set(draws.map { $0.cutout.column }).count == 28)
        var untouched = RandomGenerator(seed: 2)
        _ = DiffAugment([]).draws(3, height: 28, width: 28, random: &untouched)
        var fresh = RandomGenerator(seed: 2)
        #expect(untouched.next() == fresh.next())
    }

    /// The whole transformation's gradient matches central finite differences.
    @Test func gradientMatchesFiniteDifferences() throws {
        var random = RandomGenerator(seed: 3)
        let images = Tensor.uniform([2, 3, 6, 6], low: -1, high: 1, random: &random)
        let weights = Tensor.uniform([2, 3, 6, 6], low: -1, high: 1, random: &random)
        let draws = Self.all.draws(2, height: 6, width: 6, random: &random)
        func objective(_ x: Tensor) -> Tensor { (Self.all.apply(x, draws: draws) * weights).sum() }
        let input = images.requiringGradient()
        let analytic = gradients(of: objective(input), withRespectTo: [input])[0].scalars
        var values = images.scalars
        let step: Float = 1e-2
        for index in stride(from: 0, to: values.count, by: 7) {
            let saved = values[index]
            values[index] = saved + step
            let up = objective(Tensor(values, shape: images.shape)).item
            values[index] = saved - step
            let down = objective(Tensor(values, shape: images.shape)).item
            values[index] = saved
            // The map is linear in the images (means, shifts and masks): central differences are exact up to rounding.
            #expect(Swift.abs((up - down) / (2 * step) - analytic[index]) < 2e-3, "input \(index)")
        }
    }

    /// A run with DiffAugment trains (D sees other images than without it),
    /// resumes bit for bit, and the 2-D model refuses it.
    @Test func aRunWithDiffAugmentResumesExactly() throws {
        var config = ConditionalDCGANTests.config(.cdcgan)
        config.training.diffAugment = DiffAugment.Policy.allCases
        let dataset = ConditionalDCGANTests.quadrants()
        try expectResumesExactly(config, dataset, "diffaugment")
        var plain = config
        plain.training.diffAugment = []
        let (augmented, unaugmented) = (try Trainer(config: config, dataset: dataset), try Trainer(config: plain, dataset: dataset))
        let (a, b) = (try augmented.trainStep(), try unaugmented.trainStep())
        #expect(a.realScore != b.realScore)
        var points = RunConfig(model: ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2]), training: config.training, data: DataSpec(name: "ring8"))
        points.training.batchSize = 16
        #expect {
            try Trainer(config: points, dataset: try points.data.load(seed: 1))
        } throws: { error in
            "\(error)".contains("DiffAugment transforms images; mlp2d's samples are 2-D points")
        }
    }
}
