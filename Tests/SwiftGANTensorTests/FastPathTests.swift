import Testing

@testable import SwiftGANTensor

/// The specialised loops added for speed agree with plain element-by-element arithmetic.
@Suite("Fast paths")
struct FastPathTests {
    /// `[N, C, H, W] op [1, C, 1, 1]` and the reverse (BatchNorm's broadcasts),
    /// plus a contiguous-with-contiguous broadcast `[N, C, H, W] op [1, C, H, W]`.
    @Test func perChannelBroadcastsMatchAnExplicitLoop() {
        let (n, c, h, w) = (3, 5, 7, 9)
        let x = randomTensor([n, c, h, w], seed: 1)
        let perChannel = randomTensor([1, c, 1, 1], seed: 2, low: 0.5, high: 2)
        let perImage = randomTensor([1, c, h, w], seed: 3, low: 0.5, high: 2)
        let xs = x.scalars
        let channel = perChannel.scalars
        let image = perImage.scalars
        func expected(_ body: (Float, Float) -> Float, channelFirst: Bool = false, imageWise: Bool = false) -> [Float] {
            (0..<xs.count).map { index in
                let other = imageWise ? image[index % (c * h * w)] : channel[(index / (h * w)) % c]
                return channelFirst ? body(other, xs[index]) : body(xs[index], other)
            }
        }
        #expect((x + perChannel).scalars == expected(+))
        #expect((x - perChannel).scalars == expected(-))
        #expect((x * perChannel).scalars == expected(*))
        #expect((x / perChannel).scalars == expected(/))
        #expect((perChannel - x).scalars == expected(-, channelFirst: true))
        #expect((perChannel / x).scalars == expected(/, channelFirst: true))
        #expect((x * perImage).scalars == expected(*, imageWise: true))
        #expect((perImage - x).scalars == expected(-, channelFirst: true, imageWise: true))
    }

    @Test(arguments: [0, 1, 7, 8, 4_095, 4_097, 100_003])
    func sumOfSquaresMatchesADoubleLoop(count: Int) {
        let x = randomTensor([count], seed: UInt64(count), low: -3, high: 3)
        let expected = x.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(Swift.abs(x.sumOfSquares - expected) <= 1e-6 * Swift.max(expected, 1))
    }
}
