import SwiftGANTensor

/// An error restoring optimizer state: which key and what was wrong.
public struct OptimizerStateError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public var description: String { "error loading optimizer state: \(message)" }
}

/// The base of every optimizer: a list of parameters, a learning rate (or a
/// schedule), per-parameter state with PyTorch's names, and a step count.
///
/// ```swift
/// let optimizer = Adam(model.parameters(), learningRate: 2e-4, betas: (0.5, 0.999))
/// model.zeroGrad()
/// loss.backward()
/// optimizer.step()
/// ```
open class Optimizer: @unchecked Sendable {
    /// The parameters updated by `step()`.
    public let parameters: [Parameter]
    /// The learning rate used by the next step (set by `schedule` if any).
    public var learningRate: Float
    /// Optional schedule, consulted before each step with the step index.
    public var schedule: (any LearningRateSchedule)?
    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// Per-parameter state tensors by PyTorch name (`exp_avg`, `momentum_buffer`, …).
    public internal(set) var state: [[String: Tensor]]

    public init(_ parameters: [Parameter], learningRate: Float) {
        require(
            learningRate >= 0 && learningRate.isFinite,
            "\(Self.self): learning rate \(learningRate) must be a non-negative number")
        self.parameters = parameters
        self.learningRate = learningRate
        state = Array(repeating: [:], count: parameters.count)
    }

    /// Clears the gradients of all parameters.
    public func zeroGrad() {
        for parameter in parameters { parameter.grad = nil }
    }

    /// Updates every parameter that has a gradient, in place.
    public func step() {
        if let schedule { learningRate = schedule.learningRate(atStep: stepCount) }
        stepCount += 1
        for (index, parameter) in parameters.enumerated() {
            guard let gradient = parameter.grad else { continue }
            require(
                gradient.shape == parameter.shape,
                "\(Self.self).step: gradient \(gradient.shape) does not match parameter \(parameter.shape)")
            update(index: index, parameter: parameter, gradient: gradient)
        }
    }

    /// Applies one update to `parameter` given its `gradient`; subclasses override.
    open func update(index: Int, parameter: Parameter, gradient: Tensor) {
        fatalError("\(Self.self) does not implement update(index:parameter:gradient:)")
    }

    /// A zero-filled state tensor `name` for parameter `index`, created on first use.
    func stateTensor(_ name: String, index: Int, initial: () -> Tensor) -> Tensor {
        if let existing = state[index][name] { return existing }
        let created = initial()
        state[index][name] = created
        return created
    }

    // MARK: Saving and restoring

    /// The state as `state.{index}.{name}` entries plus `step_count`.
    public func stateDict() -> StateDict {
        var result = StateDict()
        result.set("step_count", Tensor(Float(stepCount)), storedType: .int64)
        result.set("learning_rate", Tensor(learningRate))
        for (index, entries) in state.enumerated() {
            for name in entries.keys.sorted() { result.set("state.\(index).\(name)", entries[name]!) }
        }
        return result
    }

    /// Whether every update leaves state for its parameter (Adam's moments,
    /// SGD's momentum buffer), so that a checkpoint after a step without
    /// any is incomplete.
    open var keepsStatePerParameter: Bool { false }

    /// Restores state saved by `stateDict()` for the same parameter list.
    /// Every value is checked before anything changes: counts are whole,
    /// finite and non-negative, each parameter's state has the same entries
    /// (all or none of them lost would resume a different optimizer), and
    /// shapes match the parameters.
    /// - Throws: `OptimizerStateError` naming the key and what is wrong.
    public func loadStateDict(_ saved: StateDict) throws {
        func count(_ key: String, _ tensor: Tensor) throws -> Int {
            let value = tensor.shape.reduce(1, *) == 1 ? tensor.scalars[0] : .nan
            guard tensor.shape.reduce(1, *) == 1, value.isFinite, value >= 0, value <= 1e15, value == value.rounded() else {
                throw OptimizerStateError(
                    message: "'\(key)' must be one whole, non-negative number, found shape \(tensor.shape)"
                        + (tensor.shape.reduce(1, *) == 1 ? " value \(value)" : ""))
            }
            return Int(value)
        }
        var restored: [[String: Tensor]] = Array(repeating: [:], count: parameters.count)
        for key in saved.keys where key.hasPrefix("state.") {
            let parts = key.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, let index = Int(parts[1]), index >= 0, index < parameters.count else {
                throw OptimizerStateError(message: "key '\(key)' does not name one of the \(parameters.count) parameters")
            }
            let tensor = saved[key]!
            let name = String(parts[2])
            if name == "step" {
                _ = try count(key, tensor)
            } else if tensor.shape != parameters[index].shape {
                throw OptimizerStateError(message: "'\(key)' has shape \(tensor.shape) but parameter \(index) has shape \(parameters[index].shape)")
            }
            restored[index][name] = tensor
        }
        guard let steps = saved["step_count"] else {
            throw OptimizerStateError(message: "missing key 'step_count'")
        }
        let stepCount = try count("step_count", steps)
        var learningRate = self.learningRate
        if let rate = saved["learning_rate"] {
            guard rate.shape.reduce(1, *) == 1, rate.scalars[0].isFinite, rate.scalars[0] >= 0 else {
                throw OptimizerStateError(message: "'learning_rate' must be one non-negative number, found shape \(rate.shape)")
            }
            learningRate = rate.scalars[0]
        }
        let names = Set(restored.flatMap(\.keys))
        if let index = restored.indices.first(where: { Set(restored[$0].keys) != names }) {
            let missing = names.subtracting(restored[index].keys).sorted().map { "state.\(index).\($0)" }
            throw OptimizerStateError(message: "missing \(missing.joined(separator: ", ")) (the other parameters have them)")
        }
        if stepCount > 0 && keepsStatePerParameter && names.isEmpty && !parameters.isEmpty {
            throw OptimizerStateError(message: "no per-parameter state after \(stepCount) steps (missing state.0.…)")
        }
        state = restored
        self.stepCount = stepCount
        self.learningRate = learningRate
    }
}

/// A learning rate as a function of the step index (0 for the first step).
public protocol LearningRateSchedule: Sendable {
    func learningRate(atStep step: Int) -> Float
}

/// The same rate at every step.
public struct ConstantSchedule: LearningRateSchedule {
    public let rate: Float
    public init(_ rate: Float) { self.rate = rate }
    public func learningRate(atStep step: Int) -> Float { rate }
}

/// Constant for `startStep` steps, then linear from `initial` to `final`
/// over `decaySteps`, then `final` (the CycleGAN/BigGAN style decay).
public struct LinearDecaySchedule: LearningRateSchedule {
    public let initial: Float, final: Float, startStep: Int, decaySteps: Int

    public init(initial: Float, final: Float = 0, startStep: Int = 0, decaySteps: Int) {
        require(decaySteps > 0 && startStep >= 0, "LinearDecaySchedule: decaySteps must be positive and startStep non-negative")
        self.initial = initial
        self.final = final
        self.startStep = startStep
        self.decaySteps = decaySteps
    }

    public func learningRate(atStep step: Int) -> Float {
        let progress = Float(Swift.min(Swift.max(step - startStep, 0), decaySteps)) / Float(decaySteps)
        return initial + (final - initial) * progress
    }
}

/// Multiplies the rate by `gamma` every `stepSize` steps (PyTorch `StepLR`).
public struct StepDecaySchedule: LearningRateSchedule {
    public let initial: Float, stepSize: Int, gamma: Float

    public init(initial: Float, stepSize: Int, gamma: Float = 0.1) {
        require(stepSize > 0 && gamma > 0, "StepDecaySchedule: stepSize and gamma must be positive")
        self.initial = initial
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(atStep step: Int) -> Float {
        var rate = initial
        for _ in 0..<(step / stepSize) { rate *= gamma }
        return rate
    }
}
