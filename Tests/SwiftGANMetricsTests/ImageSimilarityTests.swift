import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANMetrics

/// PSNR and SSIM against scikit-image (Scripts/make_similarity_fixtures.py),
/// and L1 by hand.
@Suite("Image similarity against scikit-image")
struct ImageSimilarityTests {
    static let golden: StateDict = (try? SafeTensors.read(fixturePath("similarity.safetensors")).tensors) ?? StateDict()

    @Test(arguments: ["gray", "rgb", "wide"])
    func matchesScikitImage(_ name: String) throws {
        let target = try #require(Self.golden["\(name).target"])
        let output = try #require(Self.golden["\(name).output"])
        let ssim = try #require(Self.golden["\(name).ssim"]).scalars[0]
        let psnr = try #require(Self.golden["\(name).psnr"]).scalars[0]
        #expect(Swift.abs(ImageSimilarity.ssim(output, target) - Double(ssim)) < 1e-5)
        #expect(Swift.abs(ImageSimilarity.psnr(output, target) - Double(psnr)) < 1e-4)
    }

    @Test func identicalAndOpposite() {
        var random = RandomGenerator(seed: 1)
        let images = Tensor.uniform([2, 1, 12, 12], low: -1, high: 1, random: &random)
        #expect(Swift.abs(ImageSimilarity.ssim(images, images) - 1) < 1e-9)
        #expect(ImageSimilarity.psnr(images, images) == 100)
        #expect(ImageSimilarity.l1(images, images) == 0)
        let black = Tensor.full([1, 1, 12, 12], value: -1)
        let white = Tensor.full([1, 1, 12, 12], value: 1)
        #expect(ImageSimilarity.l1(black, white) == 2)
        // MSE 4 with range 2: 10·log10(4 / 4) = 0 dB.
        #expect(Swift.abs(ImageSimilarity.psnr(black, white)) < 1e-9)
    }
}
