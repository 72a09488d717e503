import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

@Suite("Autodiff engine")
struct AutogradTests {
    @Test func recordsOnlyWhenNeeded() {
        let a = Tensor([1, 2])
        let b = Tensor([3, 4]).requiringGradient()
        #expect(!(a * a).requiresGrad)
        #expect((a * b).requiresGrad)
        #expect(!(a * b).isLeaf)
        #expect(!withoutGradients { a * b }.requiresGrad)
        #expect(!(a * b).detached().requiresGrad)
    }

    @Test func reuseAccumulates() {
        // y = x * x + x: dy/dx = 2x + 1.
        let x = Tensor([1, -2, 3]).requiringGradient()
        let y = (x * x + x).sum()
        #expect(gradients(of: y, withRespectTo: [x])[0].scalars == [3, -3, 7])
        // Diamond: z = a*b + a*c with b = 2a, c = 3a → z = 5a², dz/da = 10a.
        let a = Tensor([1.5]).requiringGradient()
        let b = a * 2
        let c = a * 3
        let z = (a * b + a * c).sum()
        #expect(gradients(of: z, withRespectTo: [a])[0].scalars == [15])
    }

    @Test func gradientsDoNotMutate() {
        let x = Tensor([2]).requiringGradient()
        _ = gradients(of: (x * x).sum(), withRespectTo: [x])
        #expect(x.grad == nil)
    }

    @Test func intermediateAndUnrelatedTargets() {
        let x = Tensor([1, 2]).requiringGradient()
        let unrelated = Tensor([5]).requiringGradient()
        let hidden = x * 3
        let loss = (hidden * hidden).sum()
        let result = gradients(of: loss, withRespectTo: [hidden, unrelated, x])
        #expect(result[0].scalars == [6, 12])
        #expect(result[1].scalars == [0])
        #expect(result[2].scalars == [18, 36])
    }

    @Test func backwardAccumulatesIntoLeaves() {
        let w = Tensor([1, 2]).requiringGradient()
        (w * 3).sum().backward()
        #expect(w.grad?.scalars == [3, 3])
        (w * w).sum().backward()
        #expect(w.grad?.scalars == [5, 7])
        #expect(w.grad?.requiresGrad == false)
        w.zeroGrad()
        #expect(w.grad == nil)
    }

    @Test func detachStopsGradient() {
        let x = Tensor([2]).requiringGradient()
        let y = (x * x.detached()).sum()
        #expect(gradients(of: y, withRespectTo: [x])[0].scalars == [2])
    }

    @Test func graphIsReleasedAfterStep() {
        weak var weakNode: AutogradNode?
        let x = Tensor([1, 2, 3]).requiringGradient()
        do {
            let hidden = (x * 2).tanh()
            weakNode = hidden.node
            let loss = hidden.sum()
            _ = gradients(of: loss, withRespectTo: [x])
            #expect(weakNode != nil)
        }
        #expect(weakNode == nil)
    }

    @Test func firstOrderGradientsAreDetached() {
        let x = Tensor([1, 2]).requiringGradient()
        let g = gradients(of: (x * x * x).sum(), withRespectTo: [x])[0]
        #expect(!g.requiresGrad)
        let g2 = gradients(of: (x * x * x).sum(), withRespectTo: [x], createGraph: true)[0]
        #expect(g2.requiresGrad)
        // d/dx sum(3x²) = 6x.
        #expect(gradients(of: g2.sum(), withRespectTo: [x])[0].scalars == [6, 12])
    }

    @Test func secondDerivativesOfActivations() {
        // d²/dx² tanh = -2 tanh (1 - tanh²); sigmoid'' = s(1-s)(1-2s).
        let x = Tensor([-0.7, 0.3, 1.2]).requiringGradient()
        let dTanh = gradients(of: x.tanh().sum(), withRespectTo: [x], createGraph: true)[0]
        let d2Tanh = gradients(of: dTanh.sum(), withRespectTo: [x])[0]
        let t = x.detached().tanh()
        assertClose(d2Tanh.scalars, (-2 * t * (1 - t * t)).scalars, rtol: 1e-5, atol: 1e-5)
        let dSigmoid = gradients(of: x.sigmoid().sum(), withRespectTo: [x], createGraph: true)[0]
        let d2Sigmoid = gradients(of: dSigmoid.sum(), withRespectTo: [x])[0]
        let s = x.detached().sigmoid()
        assertClose(d2Sigmoid.scalars, (s * (1 - s) * (1 - 2 * s)).scalars, rtol: 1e-5, atol: 1e-5)
        let dSoftplus = gradients(of: x.softplus().sum(), withRespectTo: [x], createGraph: true)[0]
        assertClose(gradients(of: dSoftplus.sum(), withRespectTo: [x])[0].scalars, (s * (1 - s)).scalars, rtol: 1e-5, atol: 1e-5)
    }

    @Test func nonScalarLossNeedsSeed() {
        let x = Tensor([1, 2]).requiringGradient()
        let g = gradients(of: x * 3, withRespectTo: [x], seed: Tensor([1, 10]))[0]
        #expect(g.scalars == [3, 30])
    }
}

@Suite("Gradient checker")
struct GradientCheckerTests {
    @Test func detectsAWrongRule() {
        // x² with a deliberately wrong backward rule (x instead of 2x).
        func wrongSquare(_ x: Tensor) -> Tensor {
            let storage = (x.detached() * x.detached()).storage
            return Tensor.result("wrongSquare", shape: x.shape, storage: storage, inputs: [x]) { context in
                [context.gradient * x]
            }
        }
        let input = randomTensor([3], seed: 1) + 2
        #expect(GradientCheck().mismatches([input]) { wrongSquare($0[0]) }.count == 3)
        #expect(GradientCheck().mismatches([input]) { $0[0] * $0[0] }.isEmpty)
    }
}
