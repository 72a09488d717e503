/// Compares autodiff gradients with central finite differences, like
/// PyTorch's `torch.autograd.gradcheck`.
///
/// The function's output is reduced to a scalar with fixed random weights
/// (so every output element's gradient path is exercised); the loss is
/// computed by the engine in float32 and summed in Double.
///
/// Default tolerances: with step h = 1e-2, central differences have
/// truncation error O(h²·f''') ≈ 1e-4 for smooth functions of O(1) inputs,
/// and float32 round-off of about ε·|L|/h ≈ 1e-7·|L|/1e-2 = 1e-5·|L|. An
/// absolute tolerance of 5e-3 plus 3% relative covers both with margin while
/// catching wrong rules (which are off by O(1)). Functions with kinks (ReLU,
/// max) need inputs farther than h from the kink.
///
/// ```swift
/// let mismatches = GradientCheck().mismatches([x, w]) { conv2d($0[0], weight: $0[1]) }
/// ```
public struct GradientCheck: Sendable {
    /// One element whose autodiff and numeric gradients disagree.
    public struct Mismatch: CustomStringConvertible, Sendable {
        public var input: Int
        public var element: Int
        public var automatic: Double
        public var numeric: Double
        public var description: String {
            "input \(input) element \(element): autodiff \(automatic) vs finite difference \(numeric)"
        }
    }

    public var step: Float
    public var absoluteTolerance: Double
    public var relativeTolerance: Double

    public init(step: Float = 1e-2, absoluteTolerance: Double = 5e-3, relativeTolerance: Double = 3e-2) {
        self.step = step
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
    }

    /// Elements of `inputs` where d(sum(function(inputs) · weights))/d(inputs)
    /// from autodiff and from central differences disagree; empty when all agree.
    public func mismatches(_ inputs: [Tensor], seed: UInt64 = 99, _ function: ([Tensor]) -> Tensor) -> [Mismatch] {
        let leaves = inputs.map { $0.requiringGradient() }
        let probe = withoutGradients { function(leaves.map { $0.detached() }) }
        var random = RandomGenerator(seed: seed)
        let weights = Tensor.uniform(probe.shape, low: -1, high: 1, random: &random)
        let analytic = withGradientRecording(true) {
            gradients(of: (function(leaves) * weights).sum(), withRespectTo: leaves)
        }
        func loss(_ values: [Tensor]) -> Double {
            let output = withoutGradients { function(values) }
            return zip(output.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        var result: [Mismatch] = []
        for (inputIndex, input) in inputs.enumerated() {
            let automaticValues = analytic[inputIndex].scalars
            for element in 0..<input.count {
                var plus = inputs
                var minus = inputs
                plus[inputIndex].withUnsafeMutableBufferPointer { $0[element] += step }
                minus[inputIndex].withUnsafeMutableBufferPointer { $0[element] -= step }
                let numeric = (loss(plus) - loss(minus)) / (2 * Double(step))
                let automatic = Double(automaticValues[element])
                if Swift.abs(numeric - automatic) > absoluteTolerance + relativeTolerance * Swift.abs(numeric) {
                    result.append(Mismatch(input: inputIndex, element: element, automatic: automatic, numeric: numeric))
                }
            }
        }
        return result
    }
}
