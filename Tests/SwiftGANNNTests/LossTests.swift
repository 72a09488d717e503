import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANNN

@Suite("Losses")
struct LossTests {
    @Test func matchPyTorch() {
        let p = gold("loss.prob")
        let t = gold("loss.target")
        assertClose(Loss.binaryCrossEntropy(p, t), gold("loss.bce"), rtol: 1e-5, atol: 1e-6, "bce")
        assertClose(Loss.binaryCrossEntropy(p, t, reduction: .none), gold("loss.bce_none"), rtol: 1e-5, atol: 1e-6, "bce none")
        let logits = gold("loss.logits")
        assertClose(Loss.binaryCrossEntropyWithLogits(logits, t), gold("loss.bce_logits"), rtol: 1e-5, atol: 1e-6, "bce with logits")
        assertClose(Loss.binaryCrossEntropyWithLogits(logits, t, reduction: .sum), gold("loss.bce_logits_sum"), rtol: 1e-5, atol: 1e-6, "bce with logits sum")
        assertClose(Loss.meanSquaredError(gold("loss.a"), gold("loss.b")), gold("loss.mse"), rtol: 1e-5, atol: 1e-6, "mse")
        assertClose(Loss.l1(gold("loss.a"), gold("loss.b")), gold("loss.l1"), rtol: 1e-5, atol: 1e-6, "l1")
        let labels = gold("loss.ce_labels").scalars.map { Int($0) }
        let ceLogits = gold("loss.ce_logits").requiringGradient()
        let smoothed = Loss.crossEntropy(ceLogits, labels: labels, labelSmoothing: 0.1)
        assertClose(smoothed, gold("loss.ce_smooth"), rtol: 1e-5, atol: 1e-6, "cross-entropy with smoothing")
        assertClose(gradients(of: smoothed, withRespectTo: [ceLogits])[0], gold("loss.ce_smooth_grad"), rtol: 1e-5, atol: 1e-6, "cross-entropy gradient")
        assertClose(Loss.crossEntropy(ceLogits, labels: labels), gold("loss.ce_plain"), rtol: 1e-5, atol: 1e-6, "cross-entropy")
    }

    @Test func stableAtExtremes() {
        let logits = Tensor([100, -100, 100, -100]).requiringGradient()
        let targets = Tensor([1, 0, 0, 1])
        let loss = Loss.binaryCrossEntropyWithLogits(logits, targets, reduction: .none)
        assertClose(loss, Tensor([0, 0, 100, 100]), rtol: 1e-6, atol: 1e-6, "bce with logits at ±100")
        let grad = gradients(of: loss.sum(), withRespectTo: [logits])[0]
        #expect(grad.scalars.allSatisfy { $0.isFinite })
        let saturatedInput = Tensor([0, 1, 0, 1]).requiringGradient()
        let saturated = Loss.binaryCrossEntropy(saturatedInput, Tensor([1, 0, 0, 1]), reduction: .none)
        #expect(saturated.scalars == [100, 100, 0, 0])
        // Saturated probabilities give finite gradients (PyTorch clamps them too).
        #expect(gradients(of: saturated.sum(), withRespectTo: [saturatedInput])[0].scalars.allSatisfy { $0.isFinite })
    }

    @Test func ganObjectives() {
        let real = Tensor([2, 0.5])
        let fake = Tensor([-3, 0.5])
        // relu(1 - [2, 0.5]) = [0, 0.5] → 0.25; relu(1 + [-3, 0.5]) = [0, 1.5] → 0.75.
        #expect(Loss.hingeDiscriminator(real: real, fake: fake).item == 1)
        #expect(Loss.hingeGenerator(fake: fake).item == 1.25)
        #expect(Loss.wassersteinCritic(real: real, fake: fake).item == -1.25 - 1.25)
        #expect(Loss.wassersteinGenerator(fake: fake).item == 1.25)
        #expect(Reduction.allCases.count == 3)
    }
}
