/// Reverse-mode differentiation of `loss` with respect to `targets`.
///
/// Returns one gradient per target, shaped like the target (zeros when the
/// loss does not depend on it). Nothing is mutated. With `createGraph: true`
/// the gradient computation is itself recorded, so the returned gradients can
/// be differentiated again (gradient penalties: WGAN-GP, R1, DRAGAN).
///
/// ```swift
/// let x = xHat.requiringGradient()
/// let score = critic(x).sum()
/// let g = gradients(of: score, withRespectTo: [x], createGraph: true)[0]
/// let penalty = ((g.flatten(startAxis: 1).norm(axes: [1]) - 1).square()).mean()
/// ```
///
/// - Parameters:
///   - loss: a one-element tensor (or any tensor, with `seed`).
///   - targets: tensors that require gradients (leaves or intermediates).
///   - seed: dLoss/dLoss, defaults to ones of `loss`'s shape.
///   - createGraph: record the backward pass for higher-order gradients.
/// - Precondition: `loss` has one element unless `seed` is given.
public func gradients(
    of loss: Tensor,
    withRespectTo targets: [Tensor],
    seed: Tensor? = nil,
    createGraph: Bool = false
) -> [Tensor] {
    let accumulated = Autodiff.run(loss: loss, seed: seed, targets: targets.map(\.node), createGraph: createGraph)
    return targets.map { target in
        if let node = target.node, let gradient = accumulated[ObjectIdentifier(node)] { return gradient }
        return Tensor.zeros(target.shape)
    }
}

extension Tensor {
    /// Computes gradients of this one-element tensor with respect to every
    /// leaf it depends on and adds them into those leaves' `grad`.
    ///
    /// The gradients stored are detached. Call `zeroGrad()` (or the
    /// optimizer's) between steps, as in PyTorch.
    public func backward(seed: Tensor? = nil) {
        let accumulated = Autodiff.run(loss: self, seed: seed, targets: nil, createGraph: false)
        for node in Autodiff.topologicalOrder(from: node) where node.isLeaf {
            guard let gradient = accumulated[ObjectIdentifier(node)] else { continue }
            if let existing = node.grad {
                node.grad = withoutGradients { existing + gradient }
            } else {
                node.grad = gradient.detached()
            }
        }
    }
}

enum Autodiff {
    /// Nodes reachable from `root`, inputs before the ops that use them.
    static func topologicalOrder(from root: AutogradNode?) -> [AutogradNode] {
        guard let root else { return [] }
        var order: [AutogradNode] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative post-order DFS: deep graphs must not overflow the stack.
        var stack: [(node: AutogradNode, nextInput: Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while !stack.isEmpty {
            let top = stack.count - 1
            let (node, nextInput) = stack[top]
            if nextInput < node.inputs.count {
                stack[top].nextInput += 1
                if let input = node.inputs[nextInput], visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(node)
                stack.removeLast()
            }
        }
        return order
    }

    /// Runs the backward pass; returns the gradient of every node that
    /// leads to a target (every node when `targets` is nil).
    static func run(
        loss: Tensor,
        seed: Tensor?,
        targets: [AutogradNode?]?,
        createGraph: Bool
    ) -> [ObjectIdentifier: Tensor] {
        guard let root = loss.node else {
            fatalError(
                "gradients: the loss (shape \(loss.shape)) does not require gradients; "
                    + "mark an input with requiringGradient() and compute the loss with gradient recording on")
        }
        let seedGradient: Tensor
        if let seed {
            require(
                seed.shape == loss.shape,
                "gradients: seed shape \(seed.shape) does not match loss shape \(loss.shape)")
            seedGradient = seed
        } else {
            require(
                loss.count == 1,
                "gradients: loss of shape \(loss.shape) is not a scalar; pass a seed gradient")
            seedGradient = Tensor.ones(loss.shape)
        }
        let order = topologicalOrder(from: root)

        // Which nodes lead to a target: only those need gradients.
        var needed = Set<ObjectIdentifier>()
        if let targets {
            let targetIDs = Set(targets.compactMap { $0.map(ObjectIdentifier.init) })
            for node in order {
                let id = ObjectIdentifier(node)
                if targetIDs.contains(id)
                    || node.inputs.contains(where: { $0.map { needed.contains(ObjectIdentifier($0)) } ?? false })
                {
                    needed.insert(id)
                }
            }
        } else {
            needed = Set(order.map(ObjectIdentifier.init))
        }

        var gradientsByNode: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seedGradient]
        withGradientRecording(createGraph) {
            for node in order.reversed() {
                let id = ObjectIdentifier(node)
                guard needed.contains(id), let rule = node.rule,
                    let gradient = gradientsByNode[id]
                else { continue }
                let needsInput = node.inputs.map { $0.map { needed.contains(ObjectIdentifier($0)) } ?? false }
                guard needsInput.contains(true) else { continue }
                let output = node.savedOutput.map { Tensor(shape: node.shape, storage: $0, node: node) }
                let inputGradients = rule(BackwardContext(gradient: gradient, output: output, needsInput: needsInput))
                require(
                    inputGradients.count == node.inputs.count,
                    "autodiff: rule of \(node.name) returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
                for (index, input) in node.inputs.enumerated() {
                    guard let input, needsInput[index], let inputGradient = inputGradients[index] else { continue }
                    require(
                        inputGradient.shape == input.shape,
                        "autodiff: \(node.name) produced gradient \(inputGradient.shape) for input \(index) of shape \(input.shape)")
                    let inputID = ObjectIdentifier(input)
                    if let existing = gradientsByNode[inputID] {
                        gradientsByNode[inputID] = existing + inputGradient
                    } else {
                        gradientsByNode[inputID] = inputGradient
                    }
                }
                // Interior gradients are dropped once used, unless asked for.
                if targets != nil, !(targets!.contains { $0 === node }) { gradientsByNode[id] = nil }
                if targets == nil, !node.isLeaf { gradientsByNode[id] = nil }
            }
        }
        if !createGraph {
            for (id, gradient) in gradientsByNode { gradientsByNode[id] = gradient.detached() }
        }
        return gradientsByNode
    }
}
