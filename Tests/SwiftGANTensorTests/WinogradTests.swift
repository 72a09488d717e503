import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

/// The Winograd path for stride-2, 4x4, padding-1 convolutions against the
/// plain-loop oracle: all three products, on shapes with partial tiles
/// (outputs not a multiple of 4), partial lane groups (batches not a
/// multiple of 8), channel counts that are not a multiple of 8, several
/// blocks, and one and two workers.
@Suite("Winograd convolution", .serialized)
struct WinogradTests {
    struct Case: Sendable, CustomStringConvertible {
        var batch: Int, channels: Int, outChannels: Int, height: Int, width: Int
        var description: String { "N\(batch) C\(channels) O\(outChannels) \(height)x\(width)" }
        var geometry: ConvolutionGeometry {
            ConvolutionGeometry(
                batch: batch, inChannels: channels, height: height, width: width,
                outChannels: outChannels, kernelHeight: 4, kernelWidth: 4,
                strideH: 2, strideW: 2, padH: 1, padW: 1, dilationH: 1, dilationW: 1)
        }
    }

    static let cases: [Case] = [
        Case(batch: 3, channels: 16, outChannels: 24, height: 14, width: 10),  // 7x5 outputs: partial tiles
        Case(batch: 17, channels: 20, outChannels: 9, height: 8, width: 6),  // 3 lane groups, C % 8 != 0
        Case(batch: 9, channels: 8, outChannels: 8, height: 28, width: 28),  // 14x14 outputs, 2 blocks
        Case(batch: 40, channels: 12, outChannels: 16, height: 14, width: 14),  // DCGAN-like 7x7, 2 blocks
        Case(batch: 2, channels: 3, outChannels: 5, height: 2, width: 4)  // one 1x2 tile
    ]

    /// The first `count` values of `storage`, read while it is alive.
    static func values(_ storage: TensorStorage, _ count: Int) -> [Float] {
        withExtendedLifetime(storage) { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }
    }

    /// `dW[o, c, ky, kx] = Σ x[n, c, 2i-1+ky, 2j-1+kx] · dy[n, o, i, j]` by plain loops.
    /// `actual` against a float32 oracle to accumulation error: 1e-4 relative,
    /// plus 1e-5 of `magnitudes`, each element's sum of the absolute values of
    /// its terms. A weight gradient sums 16 x 49 products with much
    /// cancellation, in an order that depends on the transforms and on the
    /// thread count when the plan was made (which concurrent tests change):
    /// a fixed relative tolerance failed about one run in ten on elements near
    /// zero (0.08017 against 0.07999, from terms of order 1).
    static func expectCloseToSums(
        _ actual: [Float], _ expected: [Float], magnitudes: [Float],
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(actual.count == expected.count && magnitudes.count == expected.count, sourceLocation: sourceLocation)
        for index in expected.indices {
            let bound = 1e-4 * (1 + Swift.abs(expected[index])) + 1e-5 * magnitudes[index]
            if !(Swift.abs(actual[index] - expected[index]) <= bound) {
                Issue.record(
                    "element \(index): \(actual[index]) vs expected \(expected[index]) (bound \(bound))",
                    sourceLocation: sourceLocation)
                return
            }
        }
    }

    static func weightGradientOracle(_ x: [Float], _ dy: [Float], _ c: Case) -> [Float] {
        let h = c.height / 2
        let w = c.width / 2
        var result = [Float](repeating: 0, count: c.outChannels * c.channels * 16)
        for n in 0..<c.batch {
            for o in 0..<c.outChannels {
                for channel in 0..<c.channels {
                    for ky in 0..<4 {
                        for kx in 0..<4 {
                            var sum: Float = 0
                            for i in 0..<h {
                                let row = 2 * i - 1 + ky
                                guard row >= 0 && row < c.height else { continue }
                                for j in 0..<w {
                                    let column = 2 * j - 1 + kx
                                    guard column >= 0 && column < c.width else { continue }
                                    sum +=
                                        x[((n * c.channels + channel) * c.height + row) * c.width + column]
                                        * dy[((n * c.outChannels + o) * h + i) * w + j]
                                }
                            }
                            result[((o * c.channels + channel) * 4 + ky) * 4 + kx] += sum
                        }
                    }
                }
            }
        }
        return result
    }

    @Test(arguments: cases, [1, 2])
    func kernelsAgreeWithOracle(_ c: Case, threads: Int) throws {
        try withExecutionContext(threads: threads) { try checkKernels(c) }
    }

    private func checkKernels(_ c: Case) throws {
        let g = c.geometry
        let plan = try #require(WinogradPlan(g, force: true))
        let x = randomTensor(g.inputShape, seed: 41)
        let w = randomTensor(g.weightShape, seed: 42)
        let dy = randomTensor(g.outputShape, seed: 43)

        let forward = WinogradKernels.forward(x.storage.pointer, w.storage, plan)
        let expected = ReferenceKernels.conv2d(
            input: x.scalars, inputShape: g.inputShape, weight: w.scalars,
            weightShape: g.weightShape, stride: (2, 2), padding: (1, 1), dilation: (1, 1))
        #expect(expected.shape == g.outputShape)
        assertClose(
            Self.values(forward.output, expected.values.count),
            expected.values, rtol: 1e-4, atol: 1e-4)

        let input = WinogradKernels.inputGradient(dy.storage.pointer, w.storage, plan)
        let expectedInput = ReferenceKernels.convTranspose2d(
            input: dy.scalars, inputShape: g.outputShape, weight: w.scalars,
            weightShape: g.weightShape, stride: (2, 2), padding: (1, 1),
            outputPadding: (0, 0), dilation: (1, 1))
        #expect(expectedInput.shape == g.inputShape)
        assertClose(
            Self.values(input, expectedInput.values.count),
            expectedInput.values, rtol: 1e-4, atol: 1e-4)

        let weight = WinogradKernels.weightGradient(x.storage.pointer, dy.storage.pointer, plan)
        let expectedWeight = Self.weightGradientOracle(x.scalars, dy.scalars, c)
        let weightMagnitudes = Self.weightGradientOracle(x.scalars.map(Swift.abs), dy.scalars.map(Swift.abs), c)
        Self.expectCloseToSums(Self.values(weight, expectedWeight.count), expectedWeight, magnitudes: weightMagnitudes)

        // The forward pass with the weight gradient from the same transformed input.
        let both = WinogradKernels.forward(x.storage.pointer, w.storage, plan, weightGradientFor: dy.storage.pointer)
        let sharedWeight = try #require(both.weightGradient)
        assertClose(
            Self.values(both.output, expected.values.count),
            expected.values, rtol: 1e-4, atol: 1e-4)
        Self.expectCloseToSums(Self.values(sharedWeight, expectedWeight.count), expectedWeight, magnitudes: weightMagnitudes)
        withExtendedLifetime((x, w, dy)) {}
    }

    /// The transformed kernels are cached by the weight's storage and its
    /// version: a second call hits the cache, and a weight changed in place
    /// (as optimizers update it, through the mutating API that bumps the
    /// version) gets new kernels. A context of its own gives the test its
    /// own cache.
    @Test func cachedKernelsFollowInPlaceUpdates() throws {
        let context = ExecutionContext(threads: 1)
        try ExecutionContext.run(context) {
            let c = Case(batch: 8, channels: 8, outChannels: 8, height: 8, width: 8)
            let g = c.geometry
            let plan = try #require(WinogradPlan(g, force: true))
            let x = randomTensor(g.inputShape, seed: 61)
            var w = randomTensor(g.weightShape, seed: 62)
            let count = g.batch * g.outChannels * g.outHeight * g.outWidth
            let before = Self.values(WinogradKernels.forward(x.storage.pointer, w.storage, plan).output, count)
            #expect(context.winogradKernels.count == 1)
            let again = Self.values(WinogradKernels.forward(x.storage.pointer, w.storage, plan).output, count)
            #expect(before == again)
            #expect(context.winogradKernels.count == 1)
            let version = w.storage.version
            w.withUnsafeMutableBufferPointer { values in
                values[5] += 0.5
                values[values.count - 1] -= 0.25
            }
            #expect(w.storage.version == version + 1)
            let after = Self.values(WinogradKernels.forward(x.storage.pointer, w.storage, plan).output, count)
            #expect(context.winogradKernels.count == 1, "the stale entry is replaced, not kept beside the new one")
            let expected = ReferenceKernels.conv2d(
                input: x.scalars, inputShape: g.inputShape, weight: w.scalars,
                weightShape: g.weightShape, stride: (2, 2), padding: (1, 1),
                dilation: (1, 1))
            assertClose(after, expected.values, rtol: 1e-4, atol: 1e-4)
            #expect(after != before)
            withExtendedLifetime((x, w)) {}
        }
    }

    /// An entry goes when its weight does: the cache holds weights weakly.
    @Test func cacheEntriesDieWithTheirWeights() throws {
        let context = ExecutionContext(threads: 1)
        try ExecutionContext.run(context) {
            let g = Case(batch: 8, channels: 8, outChannels: 8, height: 8, width: 8).geometry
            let plan = try #require(WinogradPlan(g, force: true))
            let x = randomTensor(g.inputShape, seed: 63)
            do {
                let w = randomTensor(g.weightShape, seed: 64)
                _ = WinogradKernels.forward(x.storage.pointer, w.storage, plan)
                withExtendedLifetime(w) {}
            }
            let other = randomTensor(g.weightShape, seed: 65)
            _ = WinogradKernels.forward(x.storage.pointer, other.storage, plan)
            #expect(context.winogradKernels.count == 1)
            withExtendedLifetime((x, other)) {}
        }
    }

    /// The layers DCGAN up- and down-samples with take the path; single-channel
    /// layers, other kernels and odd sizes keep im2col.
    @Test func planChoosesTheLayers() {
        func geometry(_ n: Int, _ c: Int, _ o: Int, _ size: Int, kernel: Int = 4, stride: Int = 2, padding: Int = 1)
            -> ConvolutionGeometry
        {
            ConvolutionGeometry(
                batch: n, inChannels: c, height: size, width: size, outChannels: o,
                kernelHeight: kernel, kernelWidth: kernel, strideH: stride, strideW: stride,
                padH: padding, padW: padding, dilationH: 1, dilationW: 1)
        }
        #expect(WinogradPlan(geometry(64, 64, 128, 14)) != nil)  // D's 64 -> 128
        #expect(WinogradPlan(geometry(64, 128, 256, 14)) != nil)  // G's 256 -> 128, transposed
        #expect(WinogradPlan(geometry(64, 1, 64, 28)) == nil)  // one input channel
        #expect(WinogradPlan(geometry(64, 64, 1, 28)) == nil)  // one output channel
        #expect(WinogradPlan(geometry(64, 64, 64, 15)) == nil)  // odd input
        #expect(WinogradPlan(geometry(64, 64, 64, 14, kernel: 3)) == nil)
        #expect(WinogradPlan(geometry(64, 64, 64, 14, padding: 0)) == nil)
        #expect(WinogradPlan(geometry(64, 64, 64, 2)) == nil)  // 1x1 output: tiles mostly empty
        #expect(WinogradPlan(geometry(16, 512, 512, 8), minimumTiles: 64) == nil)  // pix2pix's 4x4 maps at batch 16: 16 tiles
        #expect(WinogradPlan(geometry(16, 512, 512, 8), minimumTiles: 16) != nil)
    }

    /// The public layers on a DCGAN-sized block through the Winograd path:
    /// `conv2d` and `convTranspose2d` forward, and the transposed layer's
    /// first-order backward pass (both gradients from one transformed
    /// input: `forwardAndWeightGradient`), against the oracles.
    @Test func layersUseThePath() {
        withExecutionContext(allowsWinograd: true) {
            let x = randomTensor([16, 16, 14, 14], seed: 51)
            let w = randomTensor([24, 16, 4, 4], seed: 52).requiringGradient()
            let c = Case(batch: 16, channels: 16, outChannels: 24, height: 14, width: 14)
            #expect(ConvolutionPlan(c.geometry).name == "winograd")
            let y = conv2d(x, weight: w.detached(), stride: 2, padding: 1)
            let expected = ReferenceKernels.conv2d(
                input: x.scalars, inputShape: x.shape, weight: w.scalars, weightShape: w.shape,
                stride: (2, 2), padding: (1, 1), dilation: (1, 1))
            assertClose(y.scalars, expected.values, rtol: 1e-4, atol: 1e-4)

            let input = y.requiringGradient()
            let t = convTranspose2d(input, weight: w, stride: 2, padding: 1)
            let expectedT = ReferenceKernels.convTranspose2d(
                input: y.scalars, inputShape: y.shape, weight: w.scalars,
                weightShape: w.shape, stride: (2, 2), padding: (1, 1),
                outputPadding: (0, 0), dilation: (1, 1))
            assertClose(t.scalars, expectedT.values, rtol: 1e-4, atol: 1e-4)
            let seed = randomTensor(t.shape, seed: 53)
            let grads = gradients(of: (t * seed).sum(), withRespectTo: [input, w])
            // d/d input of the transposed layer: the forward convolution of the seed.
            let expectedInput = ReferenceKernels.conv2d(
                input: seed.scalars, inputShape: seed.shape, weight: w.scalars,
                weightShape: w.shape, stride: (2, 2), padding: (1, 1), dilation: (1, 1))
            assertClose(grads[0].scalars, expectedInput.values, rtol: 1e-4, atol: 1e-4)
            // d/d weight: the convolution's weight gradient with the seed as its input.
            Self.expectCloseToSums(
                grads[1].scalars, Self.weightGradientOracle(seed.scalars, y.scalars, c),
                magnitudes: Self.weightGradientOracle(seed.scalars.map(Swift.abs), y.scalars.map(Swift.abs), c))
        }
    }
}
