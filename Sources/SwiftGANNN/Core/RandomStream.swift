import SwiftGANTensor

/// A random stream owned by a module (Dropout's masks): module state that is
/// neither a parameter nor a buffer.
///
/// A module's stored property of this type is registered by reflection, as
/// parameters and buffers are, under its state-dict key; `namedRandomStreams()`
/// lists every stream of a tree with its dotted key (`main.3.random`).
/// Training checkpoints save and restore them, so a resumed run draws the
/// same masks as an uninterrupted one. They are not in `stateDict()`, which
/// matches PyTorch's `state_dict()` (PyTorch keeps one global generator).
public final class RandomStream: @unchecked Sendable {
    /// The generator; layers draw from it in place (`&stream.generator`).
    public var generator: RandomGenerator

    /// A stream seeded from one draw of `parent`.
    public init(splittingFrom parent: inout RandomGenerator) {
        generator = RandomGenerator(seed: parent.next())
    }

    /// A stream in a saved state.
    public init(_ generator: RandomGenerator) {
        self.generator = generator
    }
}
