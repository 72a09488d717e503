import Foundation
import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

/// Every primitive of `Primitives` on the fast backend against the
/// reference backend, on random shapes (several seeds each), with 1 and 2
/// threads, and for the products with both GEMM backends. The switch over
/// `Primitive.allCases` is exhaustive: a new primitive needs a case here.
struct PrimitiveTests {
    /// The fast settings a primitive is compared under.
    static let fastVariants: [(threads: Int, gemm: GEMMBackend, winograd: Bool)] = [
        (1, .native, true), (2, .native, true), (2, .openBLAS, true), (2, .native, false)
    ]

    /// A random shape of `rank` axes with sizes in `1...maximum`.
    static func shape(_ rank: Int, maximum: Int, _ random: inout RandomGenerator) -> [Int] {
        (0..<rank).map { _ in 1 + Int(random.next() % UInt64(maximum)) }
    }

    static func tensor(_ shape: [Int], _ random: inout RandomGenerator) -> Tensor {
        Tensor.uniform(shape, low: -1, high: 1, random: &random)
    }

    static func values(_ storage: TensorStorage, _ count: Int) -> [Float] {
        withExtendedLifetime(storage) { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }
    }

    /// `body`'s values on the reference backend and on every fast variant;
    /// records an issue where a fast one is not close.
    static func compare(
        _ primitive: Primitive, seed: UInt64, rtol: Float = 1e-5, atol: Float = 1e-5,
        _ body: () -> [Float]
    ) {
        let expected = withExecutionContext(threads: 1, backend: .reference) { body() }
        for variant in fastVariants {
            let actual = withExecutionContext(
                threads: variant.threads, backend: .fast, gemm: variant.gemm, allowsWinograd: variant.winograd
            ) { body() }
            assertClose(actual, expected, rtol: rtol, atol: atol, "\(primitive) seed \(seed) \(variant)")
        }
    }

    @Test(arguments: Primitive.allCases)
    func fastAgreesWithReference(_ primitive: Primitive) {
        for seed in UInt64(1)...4 {
            var random = RandomGenerator(seed: seed &* 7_919 &+ UInt64(primitive.rawValue.count))
            check(primitive, seed: seed, &random)
        }
    }

    private func check(_ primitive: Primitive, seed: UInt64, _ random: inout RandomGenerator) {
        switch primitive {
        case .map:
            let x = Self.tensor(Self.shape(3, maximum: 40, &random), &random)
            Self.compare(primitive, seed: seed) { Self.values(Primitives.map(x) { $0 * $0 - 0.5 * $0 }, x.count) }
        case .zip, .zip3:
            // Broadcasting: some axes of each input are 1.
            let shape = Self.shape(3, maximum: 30, &random)
            let a = Self.tensor(shape.map { random.next() % 3 == 0 ? 1 : $0 }, &random)
            let b = Self.tensor(shape.map { random.next() % 3 == 0 ? 1 : $0 }, &random)
            let c = Self.tensor(shape.map { random.next() % 3 == 0 ? 1 : $0 }, &random)
            let out = shape.enumerated().map { Swift.max(a.shape[$0.offset], b.shape[$0.offset], c.shape[$0.offset]) }
            let count = out.reduce(1, *)
            if primitive == .zip {
                Self.compare(primitive, seed: seed) { Self.values(Primitives.zip(a, b, shape: out, AddOperation()), count) }
                Self.compare(primitive, seed: seed) { Self.values(Primitives.zip(a, b, shape: out) { $0 * $1 - $1 }, count) }
            } else {
                Self.compare(primitive, seed: seed) { Self.values(Primitives.zip3(a, b, c, shape: out) { $0 > 0 ? $1 : $2 }, count) }
            }
        case .tanh:
            let x = Self.tensor([1 + Int(random.next() % 5_000)], &random) * 4
            Self.compare(primitive, seed: seed, rtol: 1e-6, atol: 1e-6) {
                let out = TensorStorage(uninitializedCount: x.count)
                Primitives.tanh(x.storage.pointer, out.pointer, count: x.count)
                return Self.values(out, x.count)
            }
        case .dropoutMask:
            let count = 1 + Int(random.next() % 3_000)
            let seedValue = random.next()
            Self.compare(primitive, seed: seed, rtol: 0, atol: 0) {
                let out = TensorStorage(uninitializedCount: count)
                Primitives.dropoutMask(seed: seedValue, count: count, keepProbability: 0.7, scale: 1 / 0.7, into: out.pointer)
                return Self.values(out, count)
            }
        case .sum, .max:
            let (outer, length, inner) = (1 + Int(random.next() % 20), 1 + Int(random.next() % 50), 1 + Int(random.next() % 20))
            let x = Self.tensor([outer, length, inner], &random)
            Self.compare(primitive, seed: seed) {
                if primitive == .sum {
                    return Self.values(Primitives.sum(x.storage.pointer, outer: outer, length: length, inner: inner), outer * inner)
                }
                let (values, indices) = Primitives.max(x.storage.pointer, outer: outer, length: length, inner: inner)
                return Self.values(values, outer * inner) + indices.map(Float.init)
            }
        case .stridedCopy:
            let shape = Self.shape(4, maximum: 8, &random)
            let x = Self.tensor(shape, &random)
            let order = [2, 0, 3, 1]
            let strides = Shape.strides(shape)
            Self.compare(primitive, seed: seed) {
                Self.values(
                    Primitives.stridedCopy(x.storage.pointer, outShape: order.map { shape[$0] }, readStrides: order.map { strides[$0] }),
                    x.count)
            }
        case .gather, .scatterAdd:
            let x = Self.tensor([1 + Int(random.next() % 200)], &random)
            let indices = (0..<(1 + Int(random.next() % 300))).map { _ in Int(random.next() % UInt64(x.count + 5)) - 5 }
            let source = Self.tensor([indices.count], &random)
            Self.compare(primitive, seed: seed) {
                if primitive == .gather { return Self.values(Primitives.gather(x.storage.pointer, indices: indices), indices.count) }
                return Self.values(Primitives.scatterAdd(source.storage.pointer, indices: indices, count: x.count), x.count)
            }
        case .copyBlocks:
            let (outer, inner) = (1 + Int(random.next() % 10), 1 + Int(random.next() % 10))
            let sourceLength = 2 + Int(random.next() % 10)
            let destinationLength = sourceLength + 3
            let source = Self.tensor([outer, sourceLength, inner], &random)
            Self.compare(primitive, seed: seed, rtol: 0, atol: 0) {
                let destination = TensorStorage(count: outer * destinationLength * inner, repeating: -7)
                Primitives.copyBlocks(
                    from: source.storage.pointer, sourceLength: sourceLength, sourceStart: 1, to: destination.pointer,
                    destinationLength: destinationLength, destinationStart: 2, outer: outer, sliceLength: sourceLength - 1,
                    inner: inner)
                return Self.values(destination, outer * destinationLength * inner)
            }
        case .matmul:
            // Sizes across the split threshold (2M multiply-adds) and the kernel's tiles.
            let (m, n, k) = (1 + Int(random.next() % 300), 1 + Int(random.next() % 300), 1 + Int(random.next() % 200))
            let transposeA = random.next() % 2 == 0
            let transposeB = random.next() % 2 == 0
            let a = Self.tensor(transposeA ? [k, m] : [m, k], &random)
            let b = Self.tensor(transposeB ? [n, k] : [k, n], &random)
            let bias = Self.tensor([n], &random)
            Self.compare(primitive, seed: seed, rtol: 1e-4, atol: 1e-4) {
                let out = TensorStorage(uninitializedCount: m * n)
                Primitives.matmul(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a.storage.pointer,
                    lda: transposeA ? m : k, b: b.storage.pointer, ldb: transposeB ? k : n,
                    bias: seed % 2 == 0 ? bias.storage.pointer : nil, c: out.pointer, ldc: n)
                return Self.values(out, m * n)
            }
        case .convolution, .convolutionInputGradient, .convolutionWeightGradient, .convolutionAndWeightGradient:
            checkConvolution(primitive, seed: seed, &random)
        case .batchStatistics, .channelAffine, .batchNormalizationBackward:
            let (outer, channels, inner) = (2 + Int(random.next() % 16), 1 + Int(random.next() % 8), 1 + Int(random.next() % 30))
            let view = NormalizationKernels.View(outer: outer, channels: channels, inner: inner)
            let x = Self.tensor([outer, channels, inner], &random)
            let dy = Self.tensor([outer, channels, inner], &random)
            let (mean, scale, shift) = (
                (0..<channels).map { _ in random.nextUniform() - 0.5 },
                (0..<channels).map { _ in random.nextUniform() + 0.5 },
                (0..<channels).map { _ in random.nextUniform() - 0.5 }
            )
            Self.compare(primitive, seed: seed, rtol: 1e-4, atol: 1e-4) {
                switch primitive {
                case .batchStatistics:
                    let (m, v) = Primitives.batchStatistics(x.storage.pointer, view)
                    return m + v
                case .channelAffine:
                    let out = TensorStorage(uninitializedCount: x.count)
                    Primitives.channelAffine(x.storage.pointer, view, mean: mean, scale: scale, shift: shift, into: out.pointer)
                    return Self.values(out, x.count)
                default:
                    let dx = TensorStorage(uninitializedCount: x.count)
                    let sums = Primitives.batchNormalizationBackward(
                        x.storage.pointer, dy.storage.pointer, view, mean: mean, invStd: scale, weight: shift, into: dx.pointer)
                    return Self.values(dx, x.count) + sums.biasGradient + sums.weightGradient
                }
            }
        }
    }

    /// Random geometries, among them DCGAN's stride-2 4x4 layers with enough
    /// channels for the Winograd plan, stride-1 5x5 and 7x7 layers large
    /// enough for the shifted plan, full kernels, dilation and odd sizes.
    private func checkConvolution(_ primitive: Primitive, seed: UInt64, _ random: inout RandomGenerator) {
        let g: ConvolutionGeometry
        if seed % 3 == 2 {
            let kernel = random.next() % 2 == 0 ? 5 : 7
            let size = 44 + Int(random.next() % 6)
            g = ConvolutionGeometry(
                batch: 1 + Int(random.next() % 2), inChannels: 16 + Int(random.next() % 4), height: size, width: size + Int(random.next() % 3),
                outChannels: 1 + Int(random.next() % 4), kernelHeight: kernel, kernelWidth: kernel, strideH: 1, strideW: 1,
                padH: Int(random.next() % UInt64(kernel / 2 + 1)), padW: Int(random.next() % UInt64(kernel / 2 + 1)), dilationH: 1, dilationW: 1)
            #expect(ConvolutionPlan(g).name == "shifted", "\(g)")
        } else {
            let winogradShaped = seed % 3 == 0
            let kernel = winogradShaped ? 4 : 1 + Int(random.next() % 4)
            // Winograd wants 64 or more 4x4 output tiles in the batch.
            let size = winogradShaped ? 2 * (8 + Int(random.next() % 5)) : kernel + Int(random.next() % 9)
            g = ConvolutionGeometry(
                batch: winogradShaped ? 16 + Int(random.next() % 4) : 1 + Int(random.next() % 9),
                inChannels: winogradShaped ? 8 + Int(random.next() % 5) : 1 + Int(random.next() % 5),
                height: size, width: size, outChannels: winogradShaped ? 8 + Int(random.next() % 5) : 1 + Int(random.next() % 6),
                kernelHeight: kernel, kernelWidth: kernel, strideH: winogradShaped ? 2 : 1 + Int(random.next() % 2),
                strideW: winogradShaped ? 2 : 1 + Int(random.next() % 2), padH: winogradShaped ? 1 : Int(random.next() % 2),
                padW: winogradShaped ? 1 : Int(random.next() % 2), dilationH: winogradShaped ? 1 : 1 + Int(random.next() % 2),
                dilationW: 1)
            if winogradShaped && ExecutionContext.current.allowsWinograd { #expect(ConvolutionPlan(g).name == "winograd", "\(g)") }
        }
        guard g.outHeight > 0 && g.outWidth > 0 else { return }
        let x = Self.tensor(g.inputShape, &random)
        let w = Self.tensor(g.weightShape, &random) * 0.5
        let dy = Self.tensor(g.outputShape, &random)
        let outputCount = g.batch * g.outChannels * g.spatial
        let weightCount = g.outChannels * g.patchSize
        Self.compare(primitive, seed: seed, rtol: 1e-4, atol: 2e-4) {
            switch primitive {
            case .convolution: return Self.values(Primitives.convolution(x.storage.pointer, w.storage, g), outputCount)
            case .convolutionInputGradient:
                return Self.values(Primitives.convolutionInputGradient(dy.storage.pointer, w.storage, g), x.count)
            case .convolutionWeightGradient:
                return Self.values(Primitives.convolutionWeightGradient(x.storage.pointer, dy.storage.pointer, g), weightCount)
            default:
                let both = Primitives.convolutionAndWeightGradient(x.storage.pointer, w.storage, dy.storage.pointer, g)
                return Self.values(both.output, outputCount) + Self.values(both.weightGradient, weightCount)
            }
        }
    }
}
