/// A dense, contiguous, row-major float32 tensor with reverse-mode autodiff.
///
/// Images use PyTorch's NCHW layout `[N, C, H, W]`. A tensor is a value:
/// copying it is cheap (the buffer is shared) and mutating one copy never
/// changes another (copy-on-write).
///
/// Autodiff identity is shared by copies: a copy of a tensor that requires
/// gradients is the same graph node, so `backward()`, `grad` and
/// `zeroGrad()` act on both (as for a PyTorch tensor and its aliases).
///
/// When any input of an op requires gradients (and gradient recording is on,
/// see `withoutGradients`), the result records how it was computed, so that
/// `gradients(of:withRespectTo:createGraph:)` and `backward()` can
/// differentiate through it.
///
/// ```swift
/// var random = RandomGenerator(seed: 0)
/// let x = Tensor.normal([64, 100], random: &random)   // [64, 100]
/// let w = Tensor.normal([256, 100], std: 0.02, random: &random).requiringGradient()
/// let y = matmul(x, w, transposeB: true).leakyRelu(0.2)        // [64, 256]
/// let (dw) = gradients(of: y.mean(), withRespectTo: [w])[0]  // [256, 100]
/// ```
public struct Tensor: @unchecked Sendable {
    /// The size of each dimension, outermost first; `[]` for a scalar.
    public let shape: [Int]
    @usableFromInline var storage: TensorStorage
    /// The autodiff record; non-nil exactly when the tensor requires gradients.
    @usableFromInline var node: AutogradNode?

    @usableFromInline
    init(shape: [Int], storage: TensorStorage, node: AutogradNode? = nil) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    // MARK: - Creation from values

    /// A tensor holding `values` in row-major order.
    ///
    /// - Precondition: `values.count` equals the product of `shape`, and no
    ///   dimension is negative.
    public init(_ values: [Float], shape: [Int]) {
        let count = Shape.elementCount(shape, op: "Tensor.init")
        require(
            values.count == count,
            "Tensor.init: \(values.count) values do not fill shape \(shape) (\(count) elements)")
        self.init(shape: shape, storage: TensorStorage(values))
    }

    /// A tensor of `shape` holding a copy of `values` times `scale`, in row-major order.
    ///
    /// - Precondition: `values.count` equals the product of `shape`.
    public init(shape: [Int], copying values: UnsafeBufferPointer<Float>, scale: Float = 1) {
        let count = Shape.elementCount(shape, op: "Tensor.init")
        require(values.count == count, "Tensor.init: \(values.count) values do not fill shape \(shape) (\(count) elements)")
        let storage = TensorStorage(uninitializedCount: count)
        if let base = values.baseAddress {
            if scale == 1 {
                storage.pointer.update(from: base, count: count)
            } else {
                for index in 0..<count { storage.pointer[index] = base[index] * scale }
            }
        }
        self.init(shape: shape, storage: storage)
    }

    /// A 1-D tensor of shape `[values.count]`.
    public init(_ values: [Float]) {
        self.init(values, shape: [values.count])
    }

    /// A scalar (rank-0) tensor.
    public init(_ value: Float) {
        self.init(shape: [], storage: TensorStorage(count: 1, repeating: value))
    }

    // MARK: - Properties

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements (1 for a scalar).
    public var count: Int { storage.count }
    /// Whether this tensor takes part in autodiff.
    public var requiresGrad: Bool { node != nil }
    /// Whether this tensor was created by the user (not computed by an op).
    public var isLeaf: Bool { node?.isLeaf ?? true }

    /// The elements in row-major order.
    public var scalars: [Float] { Array(UnsafeBufferPointer(storage.buffer)) }

    /// The single element of a one-element tensor.
    ///
    /// - Precondition: `count == 1`.
    public var item: Float {
        require(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements, not 1")
        return storage.pointer[0]
    }

    /// The element at a multi-dimensional index.
    public subscript(_ index: Int...) -> Float {
        get { storage.pointer[Shape.flatIndex(index, shape: shape)] }
        set {
            let flat = Shape.flatIndex(index, shape: shape)
            makeStorageUnique()
            storage.pointer[flat] = newValue
            storage.contentsChanged()
        }
    }

    // MARK: - Mutation (copy-on-write)

    @usableFromInline
    mutating func makeStorageUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Calls `body` with the elements for in-place modification.
    ///
    /// The buffer is copied first if another tensor shares it, so no other
    /// tensor changes. Autodiff does not see this change: use it for optimizer
    /// updates and initialisation, not inside a differentiated computation.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeStorageUnique()
        defer { storage.contentsChanged() }
        return try body(storage.buffer)
    }

    /// Calls `body` with the elements, read-only.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(storage.buffer))
    }

    /// Replaces the elements with those of `other` (same shape), keeping this
    /// tensor's autodiff identity (so a parameter stays the same parameter).
    ///
    /// - Precondition: `other.shape == shape`.
    public mutating func assign(_ other: Tensor) {
        require(other.shape == shape, "Tensor.assign: shape \(other.shape) does not match \(shape)")
        if isKnownUniquelyReferenced(&storage) {
            storage.pointer.update(from: other.storage.pointer, count: count)
            storage.contentsChanged()
        } else {
            storage = other.storage
        }
    }
}
