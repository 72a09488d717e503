import SwiftGANTensor

/// The base class of every layer and model (PyTorch `nn.Module`).
///
/// A module finds its parameters, buffers, random streams and child modules
/// by reflecting over its stored properties: a property of type `Parameter`,
/// `Buffer`, `RandomStream`, `Module` (or an optional of one), or `[Module]`
/// is registered under its state-dict key: the Swift name as written, or
/// the key the class declares in `stateKeys` (`runningMean` →
/// `running_mean`), so keys match the equivalent PyTorch module
/// (`main.0.weight`, `main.1.running_mean`) and renaming a Swift property
/// cannot silently rename a key without a declaration saying so. The keys of
/// every shipped model are pinned against PyTorch's `state_dict()`.
/// Arrays of modules contribute `name.0`, `name.1`, …; `Sequential` names its
/// children `0`, `1`, ….
///
/// Subclasses implement `forward(_:)`; call the module as a function.
///
/// ```swift
/// final class Generator: Module {
///     let main: Sequential
///     init(random: inout RandomGenerator) {
///         main = Sequential([Linear(100, 256, random: &random), LeakyReLU(0.2),
///                            Linear(256, 784, random: &random), Tanh()])
///     }
///     override func forward(_ z: Tensor) -> Tensor { main(z) }   // [N, 100] -> [N, 784]
/// }
/// ```
open class Module {
    /// Whether the module is in training mode (see `train(_:)` / `eval()`).
    public private(set) var isTraining = true

    public init() {}

    // MARK: Forward

    /// The module's computation; override in subclasses.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("\(type(of: self)) does not implement forward(_:)")
    }

    /// Whether, in the current mode, `forward(_:)` maps each sample (each
    /// index of axis 0) on its own and changes no state that a second call
    /// would see, so that one call on a concatenated batch gives exactly the
    /// rows of separate calls on its parts. Random layers (Dropout) qualify
    /// too: their draws advance a generator, so the rows are not the same
    /// bits as separate calls, but they have the same distribution. Trainers
    /// use it to score the real and the fake batch in one pass. BatchNorm in training mode mixes
    /// samples, and spectral normalisation's power iteration updates state on
    /// every training call. The default is `false`, since a custom module may
    /// mix samples (minibatch statistics); the built-in layers declare theirs,
    /// and containers ask their children.
    open var treatsSamplesIndependently: Bool { false }

    /// Runs `forward(_:)` (and records the output shape when a summary is being taken).
    public final func callAsFunction(_ input: Tensor) -> Tensor {
        let output = forward(input)
        SummaryRecorder.current?.record(module: self, output: output)
        return output
    }

    // MARK: Registration (reflection)

    /// The state-dict keys of this class's registered properties where they
    /// differ from the Swift names (`["runningMean": "running_mean"]`);
    /// subclasses add theirs to their superclass's.
    open class var stateKeys: [String: String] { [:] }

    /// Parameters owned directly by this module, in declaration order.
    open var localParameters: [(name: String, parameter: Parameter)] {
        reflectedProperties().compactMap { name, value in (value as? Parameter).map { (name, $0) } }
    }

    /// Buffers owned directly by this module, in declaration order.
    open var localBuffers: [(name: String, buffer: Buffer)] {
        reflectedProperties().compactMap { name, value in (value as? Buffer).map { (name, $0) } }
    }

    /// Random streams owned directly by this module, in declaration order.
    open var localRandomStreams: [(name: String, stream: RandomStream)] {
        reflectedProperties().compactMap { name, value in (value as? RandomStream).map { (name, $0) } }
    }

    /// Direct child modules, in declaration order.
    open var children: [(name: String, module: Module)] {
        var result: [(String, Module)] = []
        for (name, value) in reflectedProperties() {
            if let module = value as? Module {
                result.append((name, module))
            } else if let modules = value as? [Module] {
                for (index, module) in modules.enumerated() { result.append(("\(name).\(index)", module)) }
            }
        }
        return result
    }

    /// Stored properties of this object and its superclasses up to `Module`.
    private func reflectedProperties() -> [(String, Any)] {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let current = mirror, current.subjectType != Module.self {
            mirrors.append(current)
            mirror = current.superclassMirror
        }
        let keys = type(of: self).stateKeys
        var result: [(String, Any)] = []
        for current in mirrors.reversed() {
            for child in current.children {
                guard let label = child.label, !label.hasPrefix("_"), !label.hasPrefix("$") else { continue }
                result.append((keys[label] ?? label, child.value))
            }
        }
        return result
    }

    // MARK: Traversal

    /// This module and every descendant with its dotted path ("" for self).
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var result: [(String, Module)] = [(prefix, self)]
        for (name, child) in children {
            result.append(contentsOf: child.namedModules(prefix: prefix.isEmpty ? name : "\(prefix).\(name)"))
        }
        return result
    }

    /// Every parameter with its dotted key (`main.0.weight`).
    public func namedParameters() -> [(name: String, parameter: Parameter)] {
        namedModules().flatMap { path, module in
            module.localParameters.map { (path.isEmpty ? $0.name : "\(path).\($0.name)", $0.parameter) }
        }
    }

    /// Every buffer with its dotted key (`main.1.running_mean`).
    public func namedBuffers() -> [(name: String, buffer: Buffer)] {
        namedModules().flatMap { path, module in
            module.localBuffers.map { (path.isEmpty ? $0.name : "\(path).\($0.name)", $0.buffer) }
        }
    }

    /// Every random stream with its dotted key (`main.3.random`): the state
    /// a training checkpoint keeps besides `stateDict()`.
    public func namedRandomStreams() -> [(name: String, stream: RandomStream)] {
        namedModules().flatMap { path, module in
            module.localRandomStreams.map { (path.isEmpty ? $0.name : "\(path).\($0.name)", $0.stream) }
        }
    }

    /// All trainable parameters, for an optimizer.
    public func parameters() -> [Parameter] { namedParameters().map(\.parameter) }

    /// The total number of trainable scalars.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    // MARK: Modes

    /// Sets training mode (`true`) or evaluation mode on this module and every descendant.
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for (_, module) in namedModules() { module.isTraining = mode }
        return self
    }

    /// Evaluation mode: BatchNorm uses running statistics, Dropout is the
    /// identity, spectral norm does no power iteration.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Clears the accumulated gradient of every parameter.
    public func zeroGrad() {
        for parameter in parameters() { parameter.grad = nil }
    }
}
