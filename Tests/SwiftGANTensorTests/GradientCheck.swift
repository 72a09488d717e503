import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

extension GradientCheck {
    /// Records a test issue for every element whose gradient disagrees with
    /// finite differences (see `GradientCheck` for the tolerances).
    func check(
        _ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
        _ function: ([Tensor]) -> Tensor
    ) {
        let found = mismatches(inputs, function)
        #expect(found.isEmpty, "\(found.count) gradient mismatches, first: \(found.prefix(3))", sourceLocation: sourceLocation)
    }
}

/// A tensor of `shape` with values in [-1, 1] from `seed`.
func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var random = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, random: &random)
}

/// Values bounded away from 0 (for ops with a kink or pole there).
func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
    let base = randomTensor(shape, seed: seed)
    return withoutGradients { base.sign() * (base.abs() * 0.8 + 0.2) }
}
