import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

@Suite("Convolution")
struct ConvolutionTests {
    struct Case: Sendable, CustomStringConvertible {
        var input: [Int], weight: [Int], stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
        var description: String { "\(input) * \(weight) s\(stride) p\(padding) d\(dilation)" }
    }

    static let cases: [Case] = [
        Case(input: [1, 1, 5, 5], weight: [1, 1, 3, 3], stride: (1, 1), padding: (0, 0), dilation: (1, 1)),
        Case(input: [2, 3, 7, 6], weight: [4, 3, 3, 2], stride: (2, 1), padding: (1, 0), dilation: (1, 1)),
        Case(input: [3, 2, 9, 8], weight: [5, 2, 4, 4], stride: (2, 2), padding: (1, 1), dilation: (1, 1)),
        Case(input: [2, 3, 10, 9], weight: [2, 3, 3, 3], stride: (1, 2), padding: (2, 1), dilation: (2, 3)),
        Case(input: [1, 4, 6, 6], weight: [3, 4, 1, 1], stride: (3, 3), padding: (0, 0), dilation: (1, 1)),
        // Output planes of 64+ pixels: one GEMM per sample.
        Case(input: [2, 3, 12, 11], weight: [4, 3, 3, 3], stride: (1, 1), padding: (1, 1), dilation: (1, 1)),
        // The kernel covers the whole input: a plain matrix product.
        Case(input: [3, 4, 5, 5], weight: [6, 4, 5, 5], stride: (1, 1), padding: (0, 0), dilation: (1, 1))
    ]

    @Test(arguments: cases)
    func forwardAgreesWithOracle(_ c: Case) {
        let x = randomTensor(c.input, seed: 1)
        let w = randomTensor(c.weight, seed: 2)
        let bias = randomTensor([c.weight[0]], seed: 3)
        let stride = SpatialSize(height: c.stride.0, width: c.stride.1)
        let padding = SpatialSize(height: c.padding.0, width: c.padding.1)
        let dilation = SpatialSize(height: c.dilation.0, width: c.dilation.1)
        let y = conv2d(x, weight: w, bias: bias, stride: stride, padding: padding, dilation: dilation)
        let expected = ReferenceKernels.conv2d(
            input: x.scalars, inputShape: c.input, weight: w.scalars, weightShape: c.weight,
            stride: c.stride, padding: c.padding, dilation: c.dilation)
        #expect(y.shape == expected.shape)
        let spatial = expected.shape[2] * expected.shape[3]
        let withBias = expected.values.enumerated().map { $0.element + bias.scalars[($0.offset / spatial) % c.weight[0]] }
        assertClose(y.scalars, withBias, rtol: 1e-5, atol: 1e-5)
    }

    @Test(arguments: cases)
    func transposedAgreesWithOracle(_ c: Case) {
        // Reuse the case as a transposed layer mapping weight[0] channels to weight[1].
        let transposedWeight = [c.weight[0], c.weight[1], c.weight[2], c.weight[3]]
        let input = [c.input[0], c.weight[0], 4, 3]
        let x = randomTensor(input, seed: 4)
        let w = randomTensor(transposedWeight, seed: 5)
        let outputPadding = (c.stride.0 > 1 ? 1 : 0, 0)
        let y = convTranspose2d(
            x, weight: w,
            stride: SpatialSize(height: c.stride.0, width: c.stride.1),
            padding: SpatialSize(height: c.padding.0, width: c.padding.1),
            outputPadding: SpatialSize(height: outputPadding.0, width: outputPadding.1),
            dilation: SpatialSize(height: c.dilation.0, width: c.dilation.1))
        let expected = ReferenceKernels.convTranspose2d(
            input: x.scalars, inputShape: input, weight: w.scalars,
            weightShape: transposedWeight, stride: c.stride, padding: c.padding,
            outputPadding: outputPadding, dilation: c.dilation)
        #expect(y.shape == expected.shape)
        assertClose(y.scalars, expected.values, rtol: 1e-5, atol: 1e-5)
    }

    @Test func dcganShapes() {
        let z = Tensor.zeros([2, 100, 1, 1])
        let g1 = convTranspose2d(z, weight: Tensor.zeros([100, 32, 7, 7]))
        #expect(g1.shape == [2, 32, 7, 7])
        let g2 = convTranspose2d(g1, weight: Tensor.zeros([32, 16, 4, 4]), stride: 2, padding: 1)
        #expect(g2.shape == [2, 16, 14, 14])
        let d1 = conv2d(Tensor.zeros([2, 1, 28, 28]), weight: Tensor.zeros([8, 1, 4, 4]), stride: 2, padding: 1)
        #expect(d1.shape == [2, 8, 14, 14])
        let odd = convTranspose2d(Tensor.zeros([1, 2, 4, 4]), weight: Tensor.zeros([2, 3, 3, 3]), stride: 2, padding: 1, outputPadding: 1)
        #expect(odd.shape == [1, 3, 8, 8])
    }

    @Test func convolutionGradients() {
        let check = GradientCheck()
        let x = randomTensor([2, 2, 5, 4], seed: 7)
        let w = randomTensor([3, 2, 3, 2], seed: 8)
        let b = randomTensor([3], seed: 9)
        check.check([x, w, b]) { conv2d($0[0], weight: $0[1], bias: $0[2], stride: SpatialSize(height: 2, width: 1), padding: 1) }
        check.check([x, w]) { conv2d($0[0], weight: $0[1], padding: SpatialSize(height: 2, width: 1), dilation: 2) }
        let large = randomTensor([2, 1, 9, 8], seed: 11)
        let w1 = randomTensor([2, 1, 2, 2], seed: 12)
        check.check([large, w1]) { conv2d($0[0], weight: $0[1], padding: 1) }  // per-sample GEMMs
        let full = randomTensor([2, 2, 3, 3], seed: 13)
        let wFull = randomTensor([3, 2, 3, 3], seed: 14)
        check.check([full, wFull]) { conv2d($0[0], weight: $0[1]) }  // plain matrix product
        check.check([randomTensor([2, 3, 1, 1], seed: 15), wFull]) { convTranspose2d($0[0], weight: $0[1]) }
        let t = randomTensor([2, 3, 3, 2], seed: 10)
        check.check([t, w, b.slice(axis: 0, start: 0, end: 2)]) {
            convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1)
        }
    }
}

@Suite("Pooling and upsampling")
struct PoolingTests {
    let image = Tensor.arange(0, 16).reshaped([1, 1, 4, 4])

    @Test func maxPool() {
        #expect(image.maxPool2d(kernel: 2).scalars == [5, 7, 13, 15])
        #expect(image.maxPool2d(kernel: 3, stride: 1).scalars == [10, 11, 14, 15])
        let padded = (-image).maxPool2d(kernel: 2, stride: 2, padding: 1)
        #expect(padded.shape == [1, 1, 3, 3])
        #expect(padded.scalars == [0, -1, -3, -4, -5, -7, -12, -13, -15])
    }

    @Test func avgPool() {
        #expect(image.avgPool2d(kernel: 2).scalars == [2.5, 4.5, 10.5, 12.5])
        let included = image.avgPool2d(kernel: 2, padding: 1)
        #expect(included.scalars[0] == 0)
        #expect(included.scalars[1] == Float(1 + 2) / 4)
        let excluded = image.avgPool2d(kernel: 2, padding: 1, countIncludePad: false)
        #expect(excluded.scalars[1] == Float(1 + 2) / 2)
    }

    @Test func upsampling() {
        let small = Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2])
        #expect(small.upsampleNearest(scale: 2).scalars == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        // PyTorch: F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        let bilinear = small.upsampleBilinear(scale: 2)
        assertClose(
            bilinear.scalars,
            [
                1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5,
                2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0
            ], rtol: 1e-5, atol: 1e-5)
    }

    @Test func poolingGradients() {
        let check = GradientCheck()
        var random = RandomGenerator(seed: 3)
        let spread = Tensor(random.permutation(50).map { Float($0) * 0.1 }, shape: [1, 2, 5, 5])
        check.check([spread]) { $0[0].maxPool2d(kernel: 2, stride: 2, padding: 1) }
        check.check([spread]) { $0[0].maxPool2d(kernel: 3, stride: 2) }
        check.check([spread]) { $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1) }
        check.check([spread]) { $0[0].avgPool2d(kernel: 2, countIncludePad: false) }
        check.check([spread]) { $0[0].upsampleNearest(scale: 2) }
        check.check([spread]) { $0[0].upsampleBilinear(scale: 2) }
    }
}

@Suite("Fast kernels against the oracles on random shapes")
struct RandomShapeOracleTests {
    @Test func convolutionsOnRandomGeometries() {
        var random = RandomGenerator(seed: 2024)
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(random.next() % UInt64(range.count)) }
        for trial in 0..<24 {
            let batch = pick(1...3)
            let inChannels = pick(1...4)
            let outChannels = pick(1...5)
            let kernelH = pick(1...4)
            let kernelW = pick(1...4)
            let stride = (pick(1...3), pick(1...3))
            let dilation = (pick(1...2), pick(1...2))
            let padding = (pick(0...(kernelH / 2)), pick(0...(kernelW / 2)))
            // Sizes large enough for at least one output pixel, sometimes 64+ pixels.
            let height = dilation.0 * (kernelH - 1) + 1 + pick(0...10)
            let width = dilation.1 * (kernelW - 1) + 1 + pick(0...10)
            let x = randomTensor([batch, inChannels, height, width], seed: UInt64(trial))
            let w = randomTensor([outChannels, inChannels, kernelH, kernelW], seed: UInt64(100 + trial))
            let y = conv2d(
                x, weight: w, stride: SpatialSize(height: stride.0, width: stride.1),
                padding: SpatialSize(height: padding.0, width: padding.1),
                dilation: SpatialSize(height: dilation.0, width: dilation.1))
            let expected = ReferenceKernels.conv2d(
                input: x.scalars, inputShape: x.shape, weight: w.scalars, weightShape: w.shape,
                stride: stride, padding: padding, dilation: dilation)
            #expect(y.shape == expected.shape, "trial \(trial)")
            assertClose(y.scalars, expected.values, rtol: 1e-5, atol: 1e-5)

            // The transposed layer maps y's shape back; compare with its oracle.
            let t = convTranspose2d(
                y, weight: w, stride: SpatialSize(height: stride.0, width: stride.1),
                padding: SpatialSize(height: padding.0, width: padding.1),
                dilation: SpatialSize(height: dilation.0, width: dilation.1))
            let expectedT = ReferenceKernels.convTranspose2d(
                input: y.scalars, inputShape: y.shape, weight: w.scalars,
                weightShape: w.shape, stride: stride, padding: padding,
                outputPadding: (0, 0), dilation: dilation)
            #expect(t.shape == expectedT.shape, "trial \(trial)")
            assertClose(t.scalars, expectedT.values, rtol: 1e-4, atol: 1e-4)
        }
    }

    /// Batches large enough for several sample blocks: 9 samples of 7x7
    /// outputs make three blocks (4, 4, 1) run in order; 13 make four, the
    /// last one partial, spread over two workers. The input and weight
    /// gradients are checked against the oracle too: the transposed
    /// convolution for the input, and `<conv2d(x, e_i), G>` for each
    /// weight element `e_i`.
    @Test(.executionContext(threads: 2), arguments: [9, 13])
    func blockedConvolutionAgreesWithOracle(batch: Int) {
        let inputShape = [batch, 3, 14, 14]
        let weightShape = [5, 3, 4, 4]
        let x = randomTensor(inputShape, seed: 31).requiringGradient()
        let w = randomTensor(weightShape, seed: 32).requiringGradient()
        let y = conv2d(x, weight: w, stride: 2, padding: 1)
        let expected = ReferenceKernels.conv2d(
            input: x.scalars, inputShape: inputShape, weight: w.scalars,
            weightShape: weightShape, stride: (2, 2), padding: (1, 1), dilation: (1, 1))
        #expect(y.shape == [batch, 5, 7, 7] && y.shape == expected.shape)
        assertClose(y.scalars, expected.values, rtol: 1e-5, atol: 1e-5)

        let outputGradient = randomTensor(y.shape, seed: 33)
        let grads = gradients(of: (y * outputGradient).sum(), withRespectTo: [x, w])
        let expectedInput = ReferenceKernels.convTranspose2d(
            input: outputGradient.scalars, inputShape: y.shape,
            weight: w.scalars, weightShape: weightShape, stride: (2, 2),
            padding: (1, 1), outputPadding: (0, 0), dilation: (1, 1))
        assertClose(grads[0].scalars, expectedInput.values, rtol: 1e-4, atol: 1e-4)
        var expectedWeight = [Float](repeating: 0, count: w.count)
        for index in 0..<w.count {
            var unit = [Float](repeating: 0, count: w.count)
            unit[index] = 1
            let response = ReferenceKernels.conv2d(
                input: x.scalars, inputShape: inputShape, weight: unit,
                weightShape: weightShape, stride: (2, 2), padding: (1, 1), dilation: (1, 1))
            expectedWeight[index] = zip(response.values, outputGradient.scalars).reduce(0) { $0 + $1.0 * $1.1 }
        }
        assertClose(grads[1].scalars, expectedWeight, rtol: 1e-3, atol: 1e-3)

        // The same layer transposed: col2im over several blocks.
        let t = convTranspose2d(y, weight: w, stride: 2, padding: 1)
        let expectedT = ReferenceKernels.convTranspose2d(
            input: y.scalars, inputShape: y.shape, weight: w.scalars,
            weightShape: weightShape, stride: (2, 2), padding: (1, 1),
            outputPadding: (0, 0), dilation: (1, 1))
        assertClose(t.scalars, expectedT.values, rtol: 1e-4, atol: 1e-4)

        // Its backward pass shares one im2col between the input and weight
        // gradients; the recorded pass (createGraph) runs them separately.
        let transposedInput = y.detached().requiringGradient()
        let transposedSeed = randomTensor(expectedT.shape, seed: 34)
        let transposedLoss = (convTranspose2d(transposedInput, weight: w, stride: 2, padding: 1) * transposedSeed).sum()
        let shared = gradients(of: transposedLoss, withRespectTo: [transposedInput, w])
        let separate = gradients(of: transposedLoss, withRespectTo: [transposedInput, w], createGraph: true)
        let expectedTransposedInput = ReferenceKernels.conv2d(
            input: transposedSeed.scalars, inputShape: transposedSeed.shape,
            weight: w.scalars, weightShape: weightShape, stride: (2, 2),
            padding: (1, 1), dilation: (1, 1))
        assertClose(shared[0].scalars, expectedTransposedInput.values, rtol: 1e-4, atol: 1e-4)
        assertClose(shared[1].scalars, separate[1].scalars, rtol: 1e-4, atol: 1e-4)
    }

    @Test func matmulOnRandomShapes() {
        var random = RandomGenerator(seed: 77)
        for trial in 0..<20 {
            let m = 1 + Int(random.next() % 70)
            let k = 1 + Int(random.next() % 140)
            let n = 1 + Int(random.next() % 70)
            let a = randomTensor([m, k], seed: UInt64(trial))
            let b = randomTensor([k, n], seed: UInt64(50 + trial))
            assertClose(matmul(a, b).scalars, ReferenceKernels.matmul(a.scalars, b.scalars, m: m, k: k, n: n), rtol: 1e-5, atol: 1e-5)
        }
    }
}

@Suite("Buffer pool")
struct BufferPoolTests {
    @Test func recyclesFreedBuffers() {
        let pool = BufferPool(capacityBytes: 1 << 20)
        let first = pool.take(count: 10_000)
        pool.give(first, count: 10_000)
        let second = pool.take(count: 10_000)
        #expect(first == second)
        let other = pool.take(count: 10_000)
        #expect(other != second)
        pool.give(second, count: 10_000)
        pool.give(other, count: 10_000)
        pool.drain()
    }
}
