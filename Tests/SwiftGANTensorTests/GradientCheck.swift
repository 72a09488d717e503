import Testing
@testable import SwiftGANTensor

/// Compares autodiff gradients with central finite differences.
///
/// The checked function's output is reduced to a scalar with fixed random
/// weights, so every output element's gradient path is exercised. The loss
/// is evaluated in float32 by the engine but summed in Double here.
///
/// Tolerances: with step h = 1e-2, central differences have truncation error
/// O(h²·f''') ≈ 1e-4 for the smooth ops tested, and float32 round-off of
/// about ε·|L|/h ≈ 1e-7·|L|/1e-2 = 1e-5·|L| (|L| is O(1)-O(10) here). An
/// absolute tolerance of 5e-3 plus 3% relative covers both with margin while
/// still catching any wrong rule (those are off by O(1)).
struct GradientCheck {
    var step: Float = 1e-2
    var absoluteTolerance: Double = 5e-3
    var relativeTolerance: Double = 3e-2

    /// Checks d(sum(f(inputs) * weights))/d(inputs).
    func check(_ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
               _ function: ([Tensor]) -> Tensor) {
        let leaves = inputs.map { $0.requiringGradient() }
        let probe = withoutGradients { function(leaves.map { $0.detached() }) }
        var generator = RandomGenerator(seed: 99)
        let weights = Tensor.uniform(probe.shape, low: -1, high: 1, generator: &generator)
        let analytic = gradients(of: (function(leaves) * weights).sum(), withRespectTo: leaves)

        func loss(_ values: [Tensor]) -> Double {
            let output = withoutGradients { function(values) }
            return zip(output.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        for (inputIndex, input) in inputs.enumerated() {
            #expect(analytic[inputIndex].shape == input.shape, sourceLocation: sourceLocation)
            for element in 0..<input.count {
                var plus = inputs, minus = inputs
                plus[inputIndex].withUnsafeMutableBufferPointer { $0[element] += step }
                minus[inputIndex].withUnsafeMutableBufferPointer { $0[element] -= step }
                let numeric = (loss(plus) - loss(minus)) / (2 * Double(step))
                let automatic = Double(analytic[inputIndex].scalars[element])
                let tolerance = absoluteTolerance + relativeTolerance * Swift.abs(numeric)
                #expect(Swift.abs(numeric - automatic) <= tolerance,
                        "input \(inputIndex) element \(element): autodiff \(automatic) vs finite difference \(numeric)",
                        sourceLocation: sourceLocation)
            }
        }
    }
}

/// Asserts two float arrays agree elementwise within `tolerance` (absolute + relative).
func expectClose(_ actual: [Float], _ expected: [Float], tolerance: Float = 1e-5,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, "count \(actual.count) vs \(expected.count)", sourceLocation: sourceLocation)
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        let ok = (a.isNaN && e.isNaN) || Swift.abs(a - e) <= tolerance * (1 + Swift.abs(e))
        #expect(ok, "element \(index): \(a) vs expected \(e)", sourceLocation: sourceLocation)
        if !ok { return }
    }
}

/// A tensor of `shape` with values in [-1, 1] from `seed`.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, generator: &generator)
}

/// Values bounded away from 0 (for ops with a kink or pole there).
func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
    let base = randomTensor(shape, seed: seed)
    return withoutGradients { base.sign() * (base.abs() * 0.8 + 0.2) }
}
