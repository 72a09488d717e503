import SwiftGANNN
import SwiftGANTensor

/// A network that training updates: a module, its optimizer, and the names
/// its state goes under in a checkpoint.
public final class TrainedNetwork {
    /// The network's name: its checkpoint prefix (`generator.main.0.weight`)
    /// and the suffix of its logged scalars.
    public let name: String
    public let module: Module
    public let optimizer: Optimizer
    /// The checkpoint prefix of the optimizer's state (`optimizer_g`).
    public let optimizerKey: String

    public init(name: String, module: Module, optimizer: Optimizer, optimizerKey: String) {
        self.name = name
        self.module = module
        self.optimizer = optimizer
        self.optimizerKey = optimizerKey
    }
}

/// What a loss closure returns: the scalar loss to minimise and the scalars
/// to log with it (scores, penalties), by their log names. An update of
/// several networks minimises one loss over all of them, or (`perNetwork`)
/// each network its own loss, all taken from one forward pass and applied
/// together (a simultaneous GAN step: D's loss and G's from the same scores).
public struct UpdateLoss {
    /// The loss of every network, or of the first when there are `perNetwork` losses.
    public var loss: Tensor
    /// One loss per network of the update, in its order (nil: `loss` for all).
    public var perNetwork: [Tensor]?
    public var scalars: [String: Float]

    public init(_ loss: Tensor, scalars: [String: Float] = [:]) {
        self.loss = loss
        self.scalars = scalars
    }

    /// Network `i` of the update minimises `losses[i]`.
    public init(perNetwork losses: [Tensor], scalars: [String: Float] = [:]) {
        require(!losses.isEmpty, "UpdateLoss: no losses")
        loss = losses[0]
        perNetwork = losses
        self.scalars = scalars
    }
}

/// One kind of update inside a training step: `repeats` times, compute
/// `loss`, take its gradient with respect to the parameters of `networks`,
/// step their optimizers, then run `afterUpdate` (a constraint such as WGAN's
/// weight clipping).
///
/// A GAN step is a D update (repeated n-critic times) then a G update;
/// pix2pix adds a reconstruction term to G's loss; CycleGAN updates both
/// generators in one update and both discriminators in the next.
public struct TrainingUpdate {
    /// The update's name: its log keys (`loss/discriminator`) and its error messages.
    public var name: String
    public var networks: [TrainedNetwork]
    public var repeats: Int
    /// Builds this update's loss; the graph it records ends with the update.
    public var loss: () throws -> UpdateLoss
    public var afterUpdate: () -> Void

    public init(
        name: String, networks: [TrainedNetwork], repeats: Int = 1, loss: @escaping () throws -> UpdateLoss,
        afterUpdate: @escaping () -> Void = {}
    ) {
        require(repeats >= 1, "TrainingUpdate \(name): repeats \(repeats) must be at least 1")
        self.name = name
        self.networks = networks
        self.repeats = repeats
        self.loss = loss
        self.afterUpdate = afterUpdate
    }
}

/// The training step every model shares: its updates in order, then the
/// step's hooks (EMA). It knows no objective and no layer: what differs
/// between GANs is in the updates' loss closures.
///
/// Every update checks its loss and its gradient norm before any parameter
/// changes, and throws `TrainingError.diverged` naming the quantity when one
/// is NaN or infinite.
///
/// With `parallel`, each update's gradients, loss and scalars are averaged
/// over the ranks between the backward pass and the optimizers (so the
/// checks see, and every rank applies, the same values), and the step
/// pauses only where the ranks agree to (`DataParallel.stopRequested`).
public struct TrainingStep {
    public let updates: [TrainingUpdate]
    /// Every network an update trains, each once, in order of first use.
    public let networks: [TrainedNetwork]
    /// Runs after all updates (the EMA of G).
    public let afterStep: () -> Void
    /// The data-parallel job this step is one rank of (nil: one process).
    public let parallel: DataParallel?

    public init(updates: [TrainingUpdate], afterStep: @escaping () -> Void = {}, parallel: DataParallel? = nil) {
        self.parallel = parallel
        self.updates = updates
        var seen: [TrainedNetwork] = []
        for network in updates.flatMap(\.networks) where !seen.contains(where: { $0 === network }) {
            seen.append(network)
        }
        networks = seen
        self.afterStep = afterStep
    }

    /// Where a step stands between two updates: the next update and its
    /// next repeat. A step paused there (a stop request during a long
    /// critic loop) continues from it exactly, since everything else it
    /// depends on (weights, optimizers, loader, random streams) is in the checkpoint.
    public struct Position: Equatable, Sendable {
        public var update: Int
        public var repeats: Int
        public init(update: Int, repeats: Int) {
            self.update = update
            self.repeats = repeats
        }
        /// The start of a step.
        public static let start = Position(update: 0, repeats: 0)
    }

    /// Whether `position` lies inside this step (an update and one of its repeats).
    public func contains(_ position: Position) -> Bool {
        updates.indices.contains(position.update) && (0..<updates[position.update].repeats).contains(position.repeats)
    }

    /// Runs step `step` (1-based, for error messages); returns every logged
    /// scalar: each update's `loss/NAME` and `grad_norm/NAME` (of its last
    /// repeat) and the scalars its loss reported.
    public func run(step: Int) throws -> [String: Float] {
        try run(step: step, from: .start, shouldStop: { false }).scalars
    }

    /// Runs step `step` from `position`, asking `shouldStop` before each
    /// update after the first it runs; when that says stop, returns where
    /// the step paused (`pausedAt`) with the scalars so far, and the step is
    /// continued later by calling this again from there.
    public func run(step: Int, from position: Position, shouldStop: () -> Bool) throws -> (scalars: [String: Float], pausedAt: Position?) {
        require(contains(position), "TrainingStep: position \(position) is outside the step")
        var scalars: [String: Float] = [:]
        var ranOne = false
        // Walking a module tree costs about 0.1 ms: only after something switched to evaluation.
        for network in networks where !network.module.isTraining { network.module.train() }
        for (index, update) in updates.enumerated() where index >= position.update {
            for repeatIndex in (index == position.update ? position.repeats : 0)..<update.repeats {
                if ranOne && shouldStop() { return (scalars, Position(update: index, repeats: repeatIndex)) }
                ranOne = true
                // The graph ends inside `gradients(of:step:)`: when the optimizers step, nothing else
                // holds the weights' buffers, so they update in place instead of copying.
                let (parts, updateScalars) = try gradients(of: update, step: step)
                scalars.merge(updateScalars) { $1 }
                // Every gradient is taken before any parameter changes.
                for part in parts {
                    for (parameter, gradient) in zip(part.parameters, part.gradients) { parameter.grad = gradient }
                }
                for network in update.networks { network.optimizer.step() }
                update.afterUpdate()
            }
        }
        afterStep()
        for network in networks { network.optimizer.zeroGrad() }
        return (scalars, nil)
    }

    /// The gradients of `update`'s loss (or of each network's own loss) with respect to the
    /// parameters it is minimised over, averaged over the ranks, checked to be finite; and
    /// the scalars to log: the loss closure's, each loss as `loss/NAME`, each norm as `grad_norm/NAME`.
    private func gradients(of update: TrainingUpdate, step: Int) throws -> (
        parts: [(parameters: [Parameter], gradients: [Tensor])], scalars: [String: Float]
    ) {
        let result = try update.loss()
        // What each loss is minimised over: every network for one loss, or network i for loss i.
        let parts: [(name: String, loss: Tensor, parameters: [Parameter])]
        if let losses = result.perNetwork {
            require(
                losses.count == update.networks.count,
                "TrainingStep: update \(update.name) returned \(losses.count) losses for \(update.networks.count) networks")
            parts = zip(update.networks, losses).map { ($0.name, $1, $0.optimizer.parameters) }
        } else {
            parts = [(update.name, result.loss, update.networks.flatMap(\.optimizer.parameters))]
        }
        var updateScalars = result.scalars
        var partScalars: [String: Float] = [:]
        var computed: [(parameters: [Parameter], gradients: [Tensor])] = []
        for (index, part) in parts.enumerated() {
            var loss = part.loss.item
            var grads: [Tensor]
            if let parallel {
                // Every rank reduces before any rank checks, so all stop together on a NaN.
                grads = SwiftGANTensor.gradients(of: part.loss, withRespectTo: part.parameters.map(\.value))
                var reduced = index == 0 ? updateScalars : [:]
                try parallel.average(gradients: &grads, loss: &loss, scalars: &reduced)
                if index == 0 { updateScalars = reduced }
                try Self.requireFinite(loss, "the \(part.name) loss", step: step)
            } else {
                try Self.requireFinite(loss, "the \(part.name) loss", step: step)
                grads = SwiftGANTensor.gradients(of: part.loss, withRespectTo: part.parameters.map(\.value))
            }
            partScalars["loss/\(part.name)"] = loss
            let norm = Float(grads.reduce(0.0) { $0 + $1.sumOfSquares }.squareRoot())
            try Self.requireFinite(norm, "the \(part.name) gradient norm", step: step)
            partScalars["grad_norm/\(part.name)"] = norm
            computed.append((part.parameters, grads))
        }
        return (computed, updateScalars.merging(partScalars) { $1 })
    }

    private static func requireFinite(_ value: Float, _ quantity: String, step: Int) throws {
        if !value.isFinite { throw TrainingError.diverged(step: step, quantity: quantity, value: value) }
    }
}
