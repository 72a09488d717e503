// MARK: - Printing

extension Tensor: CustomStringConvertible {
    /// A readable rendering: nested brackets for small tensors, a summary
    /// (shape, min, max, mean) for large ones.
    public var description: String {
        let gradientNote = requiresGrad ? ", requiresGrad" : ""
        if count > 1000 {
            let values = scalars
            let mean = values.reduce(0, +) / Float(values.count)
            return "Tensor(shape: \(shape), min: \(values.min()!), max: \(values.max()!), mean: \(mean)\(gradientNote))"
        }
        return "Tensor(\(nested(level: 0, offset: 0)), shape: \(shape)\(gradientNote))"
    }

    private func nested(level: Int, offset: Int) -> String {
        if level == rank { return format(storage.pointer[offset]) }
        let inner = shape[(level + 1)...].reduce(1, *)
        let parts = (0..<shape[level]).map { nested(level: level + 1, offset: offset + $0 * inner) }
        return "[" + parts.joined(separator: level == rank - 1 ? ", " : ",\n" + String(repeating: " ", count: level + 8)) + "]"
    }

    private func format(_ value: Float) -> String {
        if value == value.rounded() && Swift.abs(value) < 1e7 { return String(Int(value)) + "." }
        return "\(value)"
    }
}

extension Tensor: Equatable {
    /// Same shape and bitwise-equal elements (autodiff state is ignored).
    public static func == (a: Tensor, b: Tensor) -> Bool {
        a.shape == b.shape && (a.storage === b.storage || a.scalars == b.scalars)
    }
}
