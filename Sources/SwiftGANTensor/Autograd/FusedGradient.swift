/// First-order shortcuts registered beside differentiable backward rules:
/// a fused kernel that computes what the rule's tensor ops compute, in fewer
/// passes over memory, but is not itself differentiable.
///
/// A rule with a shortcut asks `isChosen` in one place: the shortcut runs
/// only when nothing records the backward pass (a first-order gradient;
/// with `createGraph: true` the differentiable rule runs, so the gradient
/// can be differentiated again) and when the execution context allows it.
/// `FusedGradientTests` holds every case against its differentiable rule,
/// first order and (through finite differences of the shortcut) second.
public enum FusedGradient: String, CaseIterable, Sendable {
    /// Batch normalisation's input, weight and bias gradients in two passes
    /// over the data (`NormalizationKernels.backward`) instead of a dozen
    /// tensor ops.
    case batchNormalization = "batch-normalization"
    /// A transposed convolution's input and weight gradients from one im2col
    /// (or Winograd transform) of the incoming gradient instead of two.
    case transposedConvolution = "transposed-convolution"

    /// Whether the shortcut runs here: recording is off and the current
    /// execution context allows it.
    var isChosen: Bool {
        !GradientMode.isEnabled && ExecutionContext.current.fusedGradients.contains(self)
    }
}
