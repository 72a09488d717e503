import Foundation
import SwiftGANTensor

/// Adam (Kingma & Ba 2015) and, with `decoupledWeightDecay`, AdamW
/// (Loshchilov & Hutter 2019), exactly as `torch.optim.Adam` / `AdamW`,
/// including AMSGrad. State: `step`, `exp_avg`, `exp_avg_sq`
/// (`max_exp_avg_sq` with AMSGrad).
public class Adam: Optimizer, @unchecked Sendable {
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public let amsgrad: Bool
    let decoupledWeightDecay: Bool

    /// - Precondition: learning rate ≥ 0, β1 and β2 in [0, 1), ε ≥ 0, weight decay ≥ 0.
    public convenience init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
        epsilon: Float = 1e-8, weightDecay: Float = 0, amsgrad: Bool = false
    ) {
        self.init(
            parameters, learningRate: learningRate, betas: betas, epsilon: epsilon, weightDecay: weightDecay,
            amsgrad: amsgrad, decoupled: false, name: "Adam")
    }

    init(
        _ parameters: [Parameter], learningRate: Float, betas: (Float, Float), epsilon: Float,
        weightDecay: Float, amsgrad: Bool, decoupled: Bool, name: String
    ) {
        self.beta1 = betas.0
        self.beta2 = betas.1
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.amsgrad = amsgrad
        decoupledWeightDecay = decoupled
        super.init(parameters, learningRate: learningRate)
        Self.validate(betas: betas, epsilon: epsilon, weightDecay: weightDecay, name: name)
    }

    static func validate(betas: (Float, Float), epsilon: Float, weightDecay: Float, name: String) {
        require(betas.0 >= 0 && betas.0 < 1, "\(name): beta1 \(betas.0) must be in [0, 1)")
        require(betas.1 >= 0 && betas.1 < 1, "\(name): beta2 \(betas.1) must be in [0, 1)")
        require(epsilon >= 0, "\(name): epsilon \(epsilon) must not be negative")
        require(weightDecay >= 0, "\(name): weight decay \(weightDecay) must not be negative")
    }

    public override var keepsStatePerParameter: Bool { true }

    public override func update(index: Int, parameter: Parameter, gradient: Tensor) {
        let zeros = { Tensor.zeros(parameter.shape) }
        var step = stateTensor("step", index: index) { Tensor(0) }
        var expAvg = stateTensor("exp_avg", index: index, initial: zeros)
        var expAvgSq = stateTensor("exp_avg_sq", index: index, initial: zeros)
        var maxExpAvgSq = amsgrad ? stateTensor("max_exp_avg_sq", index: index, initial: zeros) : Tensor(0)
        state[index] = [:]  // release references so the updates below are in place
        step = Tensor(step.item + 1)
        let t = step.item
        let biasCorrection1 = 1 - Float(pow(Double(beta1), Double(t)))
        let biasCorrection2 = 1 - Float(pow(Double(beta2), Double(t)))
        let stepSize = learningRate / biasCorrection1
        let correction2Root = biasCorrection2.squareRoot()
        let (b1, b2, eps, decay, rate) = (beta1, beta2, epsilon, weightDecay, learningRate)
        let decoupled = decoupledWeightDecay
        let useMax = amsgrad
        gradient.withUnsafeBufferPointer { g in
            expAvg.withUnsafeMutableBufferPointer { m in
                expAvgSq.withUnsafeMutableBufferPointer { v in
                    maxExpAvgSq.withUnsafeMutableBufferPointer { vMax in
                        parameter.update { p in
                            // The common case (no weight decay, no AMSGrad) gets an explicitly
                            // vectorized loop; both are split across the compute threads.
                            let plain = !decoupled && decay == 0 && !useMax
                            ExecutionContext.forEachChunk(count: p.count, costPerElement: 8) { range in
                                if plain {
                                    let coefficients = PlainAdamStep(
                                        beta1: b1, beta2: b2, stepSize: stepSize,
                                        correction2Root: correction2Root, epsilon: eps)
                                    coefficients.apply(
                                        range, parameter: p.baseAddress!, gradient: g.baseAddress!,
                                        expAvg: m.baseAddress!, expAvgSq: v.baseAddress!)
                                    return
                                }
                                for i in range {
                                    var grad = g[i]
                                    if decoupled {
                                        p[i] *= 1 - rate * decay
                                    } else if decay != 0 {
                                        grad += decay * p[i]
                                    }
                                    m[i] = b1 * m[i] + (1 - b1) * grad
                                    v[i] = b2 * v[i] + (1 - b2) * grad * grad
                                    var second = v[i]
                                    if useMax {
                                        vMax[i] = Swift.max(vMax[i], v[i])
                                        second = vMax[i]
                                    }
                                    let denominator = second.squareRoot() / correction2Root + eps
                                    p[i] -= stepSize * m[i] / denominator
                                }
                            }
                        }
                    }
                }
            }
        }
        state[index] = ["step": step, "exp_avg": expAvg, "exp_avg_sq": expAvgSq]
        if amsgrad { state[index]["max_exp_avg_sq"] = maxExpAvgSq }
    }
}

/// One Adam step without weight decay or AMSGrad: the C kernel behind
/// `VectorMath.adamStep` (16 lanes with AVX-512, else 4), bit-identical to the
/// scalar formula and to PyTorch's reference values in the tests. The plain
/// Swift loop did not vectorize: its division and square root ran one element
/// at a time and took a fifth of the MLP training step.
struct PlainAdamStep {
    let beta1: Float, beta2: Float, stepSize: Float, correction2Root: Float, epsilon: Float

    func apply(
        _ range: Range<Int>, parameter p: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
        expAvg m: UnsafeMutablePointer<Float>, expAvgSq v: UnsafeMutablePointer<Float>
    ) {
        let start = range.lowerBound
        VectorMath.adamStep(
            count: range.count, parameter: p + start, gradient: g + start, expAvg: m + start,
            expAvgSq: v + start, beta1: beta1, beta2: beta2, stepSize: stepSize,
            correction2Root: correction2Root, epsilon: epsilon)
    }
}

/// AdamW: Adam with decoupled weight decay (`torch.optim.AdamW`, default decay 0.01).
public final class AdamW: Adam, @unchecked Sendable {
    public init(
        _ parameters: [Parameter], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
        epsilon: Float = 1e-8, weightDecay: Float = 0.01, amsgrad: Bool = false
    ) {
        super.init(
            parameters, learningRate: learningRate, betas: betas, epsilon: epsilon,
            weightDecay: weightDecay, amsgrad: amsgrad, decoupled: true, name: "AdamW")
    }
}
