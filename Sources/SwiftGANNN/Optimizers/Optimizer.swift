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

    /// Restores state saved by `stateDict()` for the same parameter list.
    /// - Throws: `OptimizerStateError` naming the key when a shape or index does not match.
    public func loadStateDict(_ saved: StateDict) throws {
        var restored: [[String: Tensor]] = Array(repeating: [:], count: parameters.count)
        for key in saved.keys where key.hasPrefix("state.") {
            let parts = key.split(separator: ".", maxSplits: 2)
            guard parts.count == 3, let index = Int(parts[1]), index >= 0, index < parameters.count else {
                throw OptimizerStateError(message: "key '\(key)' does not name one of the \(parameters.count) parameters")
            }
            let tensor = saved[key]!
            let name = String(parts[2])
            if name != "step" && tensor.shape != parameters[index].shape {
                throw OptimizerStateError(message: "'\(key)' has shape \(tensor.shape) but parameter \(index) has shape \(parameters[index].shape)")
            }
            restored[index][name] = tensor
        }
        guard let steps = saved["step_count"] else {
            throw OptimizerStateError(message: "missing key 'step_count'")
        }
        state = restored
        stepCount = Int(steps.item)
        if let rate = saved["learning_rate"] { learningRate = rate.item }
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
