import SwiftGANTensor

/// Runs modules one after another (PyTorch `nn.Sequential`); children are
/// named `0`, `1`, … in the state dict.
public final class Sequential: Module {
    public let layers: [Module]

    public init(_ layers: [Module]) {
        self.layers = layers
    }

    public override var children: [(name: String, module: Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    public override var treatsSamplesIndependently: Bool { layers.allSatisfy(\.treatsSamplesIndependently) }

    public override func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }
}

/// A lookup table of `numEmbeddings` vectors of size `embeddingDim`
/// (PyTorch `nn.Embedding`), weight `[numEmbeddings, embeddingDim]` ~ N(0, 1).
/// Used for class labels in conditional GANs.
public final class Embedding: Module {
    public let weight: Parameter

    public init(_ numEmbeddings: Int, _ embeddingDim: Int, random: inout RandomGenerator) {
        require(
            numEmbeddings > 0 && embeddingDim > 0,
            "Embedding: sizes must be positive, got \(numEmbeddings) x \(embeddingDim)")
        weight = Parameter(Tensor.normal([numEmbeddings, embeddingDim], random: &random))
    }

    /// Rows for integer `indices`: `[indices.count, embeddingDim]`.
    public func callAsFunction(_ indices: [Int]) -> Tensor {
        require(
            indices.allSatisfy { $0 >= 0 && $0 < weight.shape[0] },
            "Embedding: indices must be in 0..<\(weight.shape[0]), got \(indices.filter { $0 < 0 || $0 >= weight.shape[0] }.prefix(5))")
        return weight.value.indexSelect(indices)
    }

    public override var treatsSamplesIndependently: Bool { true }

    /// Rows for a 1-D tensor of integral class indices: `[N]` → `[N, embeddingDim]`.
    public override func forward(_ input: Tensor) -> Tensor {
        require(input.rank == 1, "Embedding: expected a 1-D tensor of indices, got \(input.shape)")
        return self(input.scalars.map { Int($0) })
    }
}

/// Inverted dropout (PyTorch `nn.Dropout`): in training, zeroes elements with
/// probability `p` and scales the rest by `1/(1-p)`; identity in evaluation.
/// Draws from its own generator, seeded at construction.
public final class Dropout: Module {
    public let probability: Float
    /// The dropout masks' random stream, saved in training checkpoints
    /// (`namedRandomStreams()`) for exact resume.
    public let random: RandomStream

    /// - Parameter random: one draw seeds the layer's own mask stream.
    public init(_ probability: Float = 0.5, random: inout RandomGenerator) {
        require(probability >= 0 && probability < 1, "Dropout: probability \(probability) must be in [0, 1)")
        self.probability = probability
        self.random = RandomStream(splittingFrom: &random)
    }

    /// Masks are drawn per element, so one call on a concatenated batch is
    /// distributed as separate calls, though its mask is not theirs.
    public override var treatsSamplesIndependently: Bool { true }

    public override func forward(_ input: Tensor) -> Tensor {
        input.dropout(probability: probability, training: isTraining, random: &random.generator)
    }
}

/// Merges axes `startDim...endDim` (PyTorch `nn.Flatten`, default `[N, ...]` → `[N, rest]`).
public final class Flatten: Module {
    public let startDim: Int
    public let endDim: Int

    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
    }

    public override var treatsSamplesIndependently: Bool { startDim >= 1 }

    public override func forward(_ input: Tensor) -> Tensor { input.flattened(startAxis: startDim, endAxis: endDim) }
}

/// Splits axis `dim` into `sizes` (PyTorch `nn.Unflatten`), e.g. `[N, 784]` → `[N, 1, 28, 28]`.
public final class Unflatten: Module {
    public let dim: Int
    public let sizes: [Int]

    public init(dim: Int, sizes: [Int]) {
        self.dim = dim
        self.sizes = sizes
    }

    public override var treatsSamplesIndependently: Bool { dim >= 1 }

    public override func forward(_ input: Tensor) -> Tensor {
        let axis = dim < 0 ? dim + input.rank : dim
        require(
            axis >= 0 && axis < input.rank && sizes.reduce(1, *) == input.shape[axis],
            "Unflatten: cannot split axis \(dim) of \(input.shape) into \(sizes)")
        return input.reshaped(Array(input.shape[..<axis]) + sizes + Array(input.shape[(axis + 1)...]))
    }
}

/// A residual connection around `body` (`x + body(x)`, the blocks of
/// ResNet, SRGAN and CycleGAN); keys `body.0.weight`, …. The body must keep
/// the input's shape.
public final class Residual: Module {
    public let body: Sequential

    public init(_ layers: [Module]) { body = Sequential(layers) }

    public override var treatsSamplesIndependently: Bool { body.treatsSamplesIndependently }

    public override func forward(_ input: Tensor) -> Tensor {
        let output = body(input)
        require(output.shape == input.shape, "Residual: the body maps \(input.shape) to \(output.shape), not to the same shape")
        return input + output
    }
}
