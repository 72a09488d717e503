/// What a backward rule receives: the gradient flowing into the op's output,
/// the output itself (differentiable when the op saved it), and which inputs
/// need a gradient at all.
@usableFromInline
struct BackwardContext {
    /// dLoss/dOutput, same shape as the output.
    @usableFromInline let gradient: Tensor
    /// The op's output, connected to the graph, when the op asked to save it.
    @usableFromInline let output: Tensor?
    @usableFromInline let needsInput: [Bool]

    @usableFromInline
    func needs(_ index: Int) -> Bool { needsInput[index] }
}

/// A backward rule maps the output gradient to one gradient per input
/// (`nil` where the input needs none). Rules are written in tensor ops, so
/// running them with recording on yields differentiable gradients.
@usableFromInline
typealias BackwardRule = (BackwardContext) -> [Tensor?]

/// One recorded op (or a leaf tensor that requires gradients).
@usableFromInline
final class AutogradNode: @unchecked Sendable {
    /// Op name, for error messages and debugging.
    let name: String
    /// Nodes of the op's inputs (`nil` for inputs that need no gradient).
    let inputs: [AutogradNode?]
    let rule: BackwardRule?
    let shape: [Int]
    /// The output buffer, kept only for ops whose rule uses the output.
    let savedOutput: TensorStorage?
    /// Accumulated gradient of a leaf, written by `backward()`.
    var grad: Tensor?

    var isLeaf: Bool { rule == nil }

    init(name: String, inputs: [AutogradNode?], rule: BackwardRule?, shape: [Int], savedOutput: TensorStorage?) {
        self.name = name
        self.inputs = inputs
        self.rule = rule
        self.shape = shape
        self.savedOutput = savedOutput
    }

    /// A fresh leaf.
    convenience init(leafShape shape: [Int]) {
        self.init(name: "leaf", inputs: [], rule: nil, shape: shape, savedOutput: nil)
    }
}

/// Whether ops currently record the graph (thread- and task-local).
public enum GradientMode {
    @TaskLocal static var isRecording = true

    /// Whether ops record the autodiff graph here.
    public static var isEnabled: Bool { isRecording }
}

/// Runs `body` with graph recording off: results do not require gradients.
/// Use it for evaluation, EMA updates and optimizer steps.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$isRecording.withValue(false, operation: body)
}

/// Runs `body` with graph recording set to `enabled`.
public func withGradientRecording<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
    try GradientMode.$isRecording.withValue(enabled, operation: body)
}

extension Tensor {
    /// Builds an op result, recording `rule` when an input requires
    /// gradients and recording is on.
    @usableFromInline
    static func result(
        _ name: String,
        shape: [Int],
        storage: TensorStorage,
        inputs: [Tensor],
        savesOutput: Bool = false,
        rule: @escaping BackwardRule
    ) -> Tensor {
        guard GradientMode.isRecording, inputs.contains(where: { $0.node != nil }) else {
            return Tensor(shape: shape, storage: storage)
        }
        let node = AutogradNode(
            name: name,
            inputs: inputs.map(\.node),
            rule: rule,
            shape: shape,
            savedOutput: savesOutput ? storage : nil
        )
        return Tensor(shape: shape, storage: storage, node: node)
    }

    /// The same values, marked as a leaf that requires gradients.
    public func requiringGradient() -> Tensor {
        Tensor(shape: shape, storage: storage, node: AutogradNode(leafShape: shape))
    }

    /// The same values, cut from the graph (requires no gradients).
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage)
    }

    /// Turns gradient tracking on (as a fresh leaf) or off.
    public mutating func setRequiresGrad(_ flag: Bool) {
        node = flag ? AutogradNode(leafShape: shape) : nil
    }

    /// The gradient accumulated by `backward()` into this leaf, if any.
    /// Setting it (e.g. after gradient clipping) requires that the tensor
    /// requires gradients; setting it on other tensors has no effect.
    public var grad: Tensor? {
        get { node?.grad }
        nonmutating set { node?.grad = newValue?.detached() }
    }

    /// Clears the gradient accumulated by `backward()`.
    public func zeroGrad() { node?.grad = nil }
}
