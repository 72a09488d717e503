import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANNN

@Suite("Optimizers")
struct OptimizerTests {
    /// L(p) = sum(c (p - t)²) + 0.05 sum(p⁴), as in the fixture script.
    func objective(_ p: Tensor) -> Tensor {
        let difference = p - gold("opt.t")
        return (gold("opt.c") * difference * difference).sum() + 0.05 * p.pow(4).sum()
    }

    func runFiveSteps(_ name: String, _ make: ([Parameter]) -> Optimizer) {
        let parameter = Parameter(gold("opt.p0"))
        let optimizer = make([parameter])
        for _ in 0..<5 {
            optimizer.zeroGrad()
            objective(parameter.value).backward()
            optimizer.step()
        }
        assertClose(parameter.value, gold("opt.\(name).p5"), rtol: 1e-5, atol: 1e-6, "\(name) parameters after 5 steps")
        for key in golden.keys where key.hasPrefix("opt.\(name).state.") {
            let stateName = String(key.dropFirst("opt.\(name).state.".count))
            guard let mine = optimizer.state[0][stateName] else {
                Issue.record("\(name): state '\(stateName)' missing")
                continue
            }
            assertClose(mine.reshaped(gold(key).shape), gold(key), rtol: 1e-5, atol: 1e-6, "\(name) state \(stateName)")
        }
    }

    @Test func adamFamilyMatchesPyTorch() {
        runFiveSteps("adam") { Adam($0, learningRate: 0.05, betas: (0.5, 0.999)) }
        runFiveSteps("adam_wd_ams") { Adam($0, learningRate: 0.05, betas: (0.9, 0.99), weightDecay: 0.1, amsgrad: true) }
        runFiveSteps("adamw") { AdamW($0, learningRate: 0.05, betas: (0.0, 0.9), weightDecay: 0.1) }
    }

    @Test func rmspropMatchesPyTorch() {
        runFiveSteps("rmsprop") { RMSprop($0, learningRate: 0.01) }
        runFiveSteps("rmsprop_centered") { RMSprop($0, learningRate: 0.01, alpha: 0.9, weightDecay: 0.05, momentum: 0.5, centered: true) }
    }

    @Test func sgdMatchesPyTorch() {
        runFiveSteps("sgd") { SGD($0, learningRate: 0.05) }
        runFiveSteps("sgd_nesterov") { SGD($0, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true) }
        runFiveSteps("sgd_dampening") { SGD($0, learningRate: 0.05, momentum: 0.8, dampening: 0.3) }
    }

    @Test func stateSavesAndRestores() throws {
        func train(_ optimizer: Optimizer, _ parameter: Parameter, steps: Int) {
            for _ in 0..<steps {
                optimizer.zeroGrad()
                objective(parameter.value).backward()
                optimizer.step()
            }
        }
        let straight = Parameter(gold("opt.p0"))
        let straightOptimizer = Adam([straight], learningRate: 0.05)
        train(straightOptimizer, straight, steps: 6)

        let first = Parameter(gold("opt.p0"))
        let firstOptimizer = Adam([first], learningRate: 0.05)
        train(firstOptimizer, first, steps: 3)
        let path = temporaryDirectory() + "/optimizer.safetensors"
        try SafeTensors.write(firstOptimizer.stateDict(), to: path)

        let resumed = Parameter(first.value)
        let resumedOptimizer = Adam([resumed], learningRate: 0.05)
        try resumedOptimizer.loadStateDict(SafeTensors.read(path).tensors)
        #expect(resumedOptimizer.stepCount == 3)
        #expect(Set(resumedOptimizer.state[0].keys) == ["step", "exp_avg", "exp_avg_sq"])
        train(resumedOptimizer, resumed, steps: 3)
        #expect(resumed.value.scalars == straight.value.scalars, "resumed run must be bit-identical")

        var wrong = firstOptimizer.stateDict()
        wrong.set("state.0.exp_avg", Tensor.zeros([2]))
        #expect(throws: OptimizerStateError.self) { try resumedOptimizer.loadStateDict(wrong) }
    }

    @Test func skipsParametersWithoutGradients() {
        let used = Parameter(Tensor([1, 2]))
        let unused = Parameter(Tensor([3, 4]))
        let optimizer = SGD([used, unused], learningRate: 0.1)
        (used.value * used.value).sum().backward()
        optimizer.step()
        #expect(used.value.scalars == [0.8, 1.6])
        #expect(unused.value.scalars == [3, 4])
    }

    @Test func schedules() {
        let linear = LinearDecaySchedule(initial: 1, final: 0, startStep: 10, decaySteps: 10)
        #expect(linear.learningRate(atStep: 0) == 1 && linear.learningRate(atStep: 10) == 1)
        #expect(linear.learningRate(atStep: 15) == 0.5 && linear.learningRate(atStep: 30) == 0)
        let stepDecay = StepDecaySchedule(initial: 1, stepSize: 3, gamma: 0.5)
        #expect(stepDecay.learningRate(atStep: 2) == 1 && stepDecay.learningRate(atStep: 3) == 0.5 && stepDecay.learningRate(atStep: 7) == 0.25)
        #expect(ConstantSchedule(0.1).learningRate(atStep: 99) == 0.1)
        let parameter = Parameter(Tensor([1]))
        let optimizer = SGD([parameter], learningRate: 99)
        optimizer.schedule = StepDecaySchedule(initial: 1, stepSize: 1, gamma: 0.5)
        for _ in 0..<3 {
            parameter.grad = Tensor([1])
            optimizer.step()
        }
        // Steps used rates 1, 0.5, 0.25.
        #expect(parameter.value.scalars == [1 - 1.75])
    }

    @Test func clipping() {
        let a = Parameter(Tensor([3, 0]))
        let b = Parameter(Tensor([0]))
        a.grad = Tensor([3, 0])
        b.grad = Tensor([4])
        let norm = Clipping.clipGradientNorm([a, b], maxNorm: 1)
        #expect(norm == 5)
        assertClose(a.grad!, Tensor([0.6, 0]), rtol: 1e-5, atol: 1e-6, "clipped a")
        assertClose(b.grad!, Tensor([0.8]), rtol: 1e-5, atol: 1e-6, "clipped b")
        b.grad = Tensor([-9])
        Clipping.clipGradientValue([b], limit: 2)
        #expect(b.grad!.scalars == [-2])
        let weights = Parameter(Tensor([-0.5, 0.005, 0.2]))
        Clipping.clipWeights([weights], limit: 0.01)
        #expect(weights.value.scalars == [-0.01, 0.005, 0.01])
    }

    @Test func exponentialMovingAverage() throws {
        var g1 = RandomGenerator(seed: 1)
        var g2 = RandomGenerator(seed: 2)
        let source = Sequential([Linear(2, 2, random: &g1), BatchNorm1d(2)])
        let target = Sequential([Linear(2, 2, random: &g2), BatchNorm1d(2)])
        let ema = try ExponentialMovingAverage(source: source, target: target, decay: 0.9)
        #expect(target.stateDict() == source.stateDict(), "the average starts at the source")
        let before = source.namedParameters()[0].parameter.value
        source.namedParameters()[0].parameter.assign(before + 1)
        _ = source(Tensor([1, 2, 3, 5], shape: [2, 2]))  // updates BatchNorm's running statistics
        ema.update()
        assertClose(target.namedParameters()[0].parameter.value, before + 0.1, rtol: 1e-6, atol: 1e-6, "EMA weight")
        #expect(target.namedBuffers().map(\.buffer.value) == source.namedBuffers().map(\.buffer.value))
    }

    @Test func invalidHyperparametersFailAtConstruction() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Adam([], learningRate: 1e-3, betas: (1.0, 0.999))
        }.map { #expect(String(decoding: $0.standardErrorContent, as: UTF8.self).contains("Adam: beta1 1.0 must be in [0, 1)")) }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD([], learningRate: -0.1)
        }.map { #expect(String(decoding: $0.standardErrorContent, as: UTF8.self).contains("SGD: learning rate -0.1 must be a non-negative number")) }
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = RMSprop([], alpha: 1.5)
        }.map { #expect(String(decoding: $0.standardErrorContent, as: UTF8.self).contains("RMSprop: alpha 1.5 must be in [0, 1]")) }
    }
}

@Suite("Adam on large parameters")
struct AdamLargeParameterTests {
    /// Parameters large enough for the update to be split across threads
    /// give exactly PyTorch's formula, element by element, over three steps
    /// (with and without weight decay, which take different loops).
    @Test(.executionContext(threads: 2), arguments: [Float(0), 0.01])
    func splitUpdateMatchesTheFormula(weightDecay: Float) {
        var random = RandomGenerator(seed: 5)
        let count = 50_001
        let parameter = Parameter(Tensor.normal([count], random: &random))
        let optimizer = Adam([parameter], learningRate: 1e-2, betas: (0.5, 0.9), weightDecay: weightDecay)
        var p = parameter.value.scalars.map(Double.init)
        var m = [Double](repeating: 0, count: count)
        var v = [Double](repeating: 0, count: count)
        for step in 1...3 {
            let gradient = Tensor.normal([count], random: &random)
            parameter.grad = gradient
            optimizer.step()
            let g = gradient.scalars
            for i in 0..<count {
                let grad = Double(g[i]) + Double(weightDecay) * p[i]
                m[i] = 0.5 * m[i] + 0.5 * grad
                v[i] = 0.9 * v[i] + 0.1 * grad * grad
                let correction1 = 1 - pow(0.5, Double(step))
                let correction2 = 1 - pow(0.9, Double(step))
                p[i] -= 1e-2 / correction1 * m[i] / (v[i].squareRoot() / correction2.squareRoot() + 1e-8)
            }
        }
        let actual = parameter.value.scalars
        let worst = (0..<count).map { Swift.abs(Double(actual[$0]) - p[$0]) }.max()!
        #expect(worst < 1e-5, "largest difference \(worst)")
    }
}
