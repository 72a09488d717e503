import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

/// Every registered first-order shortcut against the differentiable rule it
/// stands in for: the same first-order gradients, and second-order
/// gradients (through the rule, as `createGraph` runs it) that match finite
/// differences of the shortcut's first-order gradients.
struct FusedGradientTests {
    /// A scalar function of `inputs` that exercises `fused`'s rule.
    static func example(_ fused: FusedGradient) -> (inputs: [Tensor], function: ([Tensor]) -> Tensor) {
        switch fused {
        case .batchNormalization:
            let seed = randomTensor([4, 3, 2, 2], seed: 3)
            return (
                [
                    randomTensor([4, 3, 2, 2], seed: 1), randomTensor([3], seed: 2, low: 0.5, high: 1.5),
                    randomTensor([3], seed: 4)
                ],
                { x in (x[0].batchNormalized(weight: x[1], bias: x[2], epsilon: 1e-5).output * seed).sum() }
            )
        case .transposedConvolution:
            // 8 channels and 4x4 outputs of the forward view: the Winograd plan's shape.
            let seed = randomTensor([2, 8, 8, 8], seed: 13)
            return (
                [randomTensor([2, 8, 4, 4], seed: 11), randomTensor([8, 8, 4, 4], seed: 12, low: -0.3, high: 0.3)],
                { x in (convTranspose2d(x[0], weight: x[1], stride: 2, padding: 1).tanh() * seed).sum() }
            )
        }
    }

    @Test(arguments: FusedGradient.allCases, [true, false])
    func shortcutAgreesWithTheRule(_ fused: FusedGradient, winograd: Bool) {
        withExecutionContext(threads: 1, allowsWinograd: winograd, winogradMinimumTiles: 1) {
            let (values, function) = Self.example(fused)
            let inputs = values.map { $0.requiringGradient() }
            // A backward pass without createGraph runs with recording off: the shortcut's condition.
            #expect(withoutGradients { fused.isChosen })
            #expect(withGradientRecording(true) { !fused.isChosen }, "a recorded backward pass takes the rule")
            #expect(withExecutionContext(fusedGradients: []) { withoutGradients { !fused.isChosen } })

            // First order: the shortcut and the rule.
            let shortcut = gradients(of: function(inputs), withRespectTo: inputs)
            let rule = withExecutionContext(fusedGradients: []) { gradients(of: function(inputs), withRespectTo: inputs) }
            for (index, (a, b)) in zip(shortcut, rule).enumerated() {
                assertClose(a, b, rtol: 1e-4, atol: 1e-5, "\(fused) gradient \(index)")
            }

            // Second order along random directions v: ∇(Σ ∇f · v) through the rule, against
            // central differences of the shortcut's Σ ∇f · v.
            let directions = values.enumerated().map { randomTensor($0.element.shape, seed: 100 + UInt64($0.offset)) }
            func projected(_ values: [Tensor]) -> Tensor {
                let points = values.map { $0.requiringGradient() }
                let grads = gradients(of: function(points), withRespectTo: points)
                return zip(grads, directions).map { ($0 * $1).sum() }.reduce(Tensor(0), +)
            }
            let second = gradients(
                of: withGradientRecording(true) {
                    let grads = gradients(of: function(inputs), withRespectTo: inputs, createGraph: true)
                    return zip(grads, directions).map { ($0 * $1).sum() }.reduce(Tensor(0), +)
                }, withRespectTo: inputs)
            let step: Float = 1e-2
            for (index, value) in values.enumerated() {
                for element in stride(from: 0, to: value.count, by: Swift.max(1, value.count / 6)) {
                    var plus = values
                    var minus = values
                    plus[index].withUnsafeMutableBufferPointer { $0[element] += step }
                    minus[index].withUnsafeMutableBufferPointer { $0[element] -= step }
                    let numeric = (projected(plus).item - projected(minus).item) / (2 * step)
                    let automatic = second[index].scalars[element]
                    #expect(
                        Swift.abs(numeric - automatic) <= 2e-2 + 2e-2 * Swift.abs(numeric),
                        "\(fused) input \(index) element \(element): \(automatic) vs \(numeric)")
                }
            }
        }
    }
}
