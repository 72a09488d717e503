import SwiftGANTensor

/// A trainable tensor owned by a module (PyTorch `nn.Parameter`).
///
/// The parameter is a reference: the module, the optimizer and the EMA all
/// see the same object. Its `value` is a leaf that requires gradients;
/// `backward()` accumulates into `grad`. Optimizers update `value` in place
/// (its autodiff identity stays the same).
public final class Parameter: @unchecked Sendable {
    /// The current values (a leaf requiring gradients).
    public private(set) var value: Tensor

    /// A parameter holding `initialValue`.
    public init(_ initialValue: Tensor) {
        value = initialValue.detached().requiringGradient()
    }

    /// The parameter's shape.
    public var shape: [Int] { value.shape }
    /// The number of elements.
    public var count: Int { value.count }

    /// The gradient accumulated by `backward()`, or set by clipping.
    public var grad: Tensor? {
        get { value.grad }
        set { value.grad = newValue }
    }

    /// Replaces the values, keeping the parameter's identity.
    ///
    /// - Precondition: `newValue.shape == shape`.
    public func assign(_ newValue: Tensor) {
        require(newValue.shape == shape, "Parameter.assign: shape \(newValue.shape) does not match \(shape)")
        value.assign(newValue.detached())
    }

    /// Modifies the values in place (for optimizers and initialisers).
    public func update(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        value.withUnsafeMutableBufferPointer(body)
    }
}

/// The element type a state entry is saved as (tensors compute in float32).
public enum StoredElementType: String, Sendable, Equatable {
    case float32 = "F32"
    case int64 = "I64"
}

/// Non-trainable module state (PyTorch `register_buffer`): BatchNorm running
/// statistics, spectral-norm vectors.
public final class Buffer: @unchecked Sendable {
    /// The current values.
    public var value: Tensor
    /// How the buffer is saved: `num_batches_tracked` is int64 as in PyTorch.
    public let storedType: StoredElementType

    public init(_ value: Tensor, storedType: StoredElementType = .float32) {
        self.value = value.detached()
        self.storedType = storedType
    }
}
