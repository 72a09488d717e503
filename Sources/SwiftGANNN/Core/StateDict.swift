import SwiftGANTensor

/// An ordered map from dotted keys to tensors, with the element type each
/// entry is saved as: what `Module.stateDict()` returns and a safetensors
/// checkpoint holds.
public struct StateDict: Sendable, Equatable {
    /// One named tensor.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var tensor: Tensor
        public var storedType: StoredElementType
    }

    public private(set) var entries: [Entry] = []
    private var positions: [String: Int] = [:]

    public init() {}

    /// Keys in insertion order.
    public var keys: [String] { entries.map(\.key) }
    /// Number of entries.
    public var count: Int { entries.count }

    /// The tensor stored under `key`.
    public subscript(key: String) -> Tensor? {
        positions[key].map { entries[$0].tensor }
    }

    /// The full entry stored under `key`.
    public func entry(_ key: String) -> Entry? { positions[key].map { entries[$0] } }

    /// Adds or replaces `key`.
    public mutating func set(_ key: String, _ tensor: Tensor, storedType: StoredElementType = .float32) {
        let entry = Entry(key: key, tensor: tensor.detached(), storedType: storedType)
        if let position = positions[key] {
            entries[position] = entry
        } else {
            positions[key] = entries.count
            entries.append(entry)
        }
    }

    /// Entries whose key starts with `prefix.`, with the prefix removed.
    public func scoped(_ prefix: String) -> StateDict {
        var result = StateDict()
        for entry in entries where entry.key.hasPrefix(prefix + ".") {
            result.set(String(entry.key.dropFirst(prefix.count + 1)), entry.tensor, storedType: entry.storedType)
        }
        return result
    }

    public static func == (a: StateDict, b: StateDict) -> Bool { a.entries == b.entries }
}

/// What went wrong loading a state dict: every problem at once.
public struct StateDictError: Error, CustomStringConvertible, Equatable {
    public var missingKeys: [String]
    public var unexpectedKeys: [String]
    /// Keys whose shapes differ: (key, shape in the module, shape in the state dict).
    public var shapeMismatches: [(key: String, expected: [Int], found: [Int])]

    public static func == (a: StateDictError, b: StateDictError) -> Bool {
        a.missingKeys == b.missingKeys && a.unexpectedKeys == b.unexpectedKeys
            && a.shapeMismatches.map { "\($0)" } == b.shapeMismatches.map { "\($0)" }
    }

    public var description: String {
        var lines = ["error loading state dict:"]
        if !missingKeys.isEmpty { lines.append("  missing keys: " + missingKeys.joined(separator: ", ")) }
        if !unexpectedKeys.isEmpty { lines.append("  unexpected keys: " + unexpectedKeys.joined(separator: ", ")) }
        for mismatch in shapeMismatches {
            lines.append("  size mismatch for \(mismatch.key): the module has shape \(mismatch.expected), the state dict has \(mismatch.found)")
        }
        return lines.joined(separator: "\n")
    }
}

extension Module {
    /// Parameters and buffers under dotted PyTorch keys, in PyTorch's order
    /// (each module's parameters, then its buffers, then its children).
    public func stateDict() -> StateDict {
        var result = StateDict()
        for (path, module) in namedModules() {
            let prefix = path.isEmpty ? "" : path + "."
            for (name, parameter) in module.localParameters { result.set(prefix + name, parameter.value) }
            for (name, buffer) in module.localBuffers {
                result.set(prefix + name, buffer.value, storedType: buffer.storedType)
            }
        }
        return result
    }

    /// Copies values from `state` into the parameters and buffers.
    ///
    /// With `strict` (the default), missing and unexpected keys are errors;
    /// shape mismatches are always errors. All problems are reported
    /// together and nothing is changed when there is any.
    /// - Throws: `StateDictError`.
    public func loadStateDict(_ state: StateDict, strict: Bool = true) throws {
        let parameters = namedParameters()
        let buffers = namedBuffers()
        var known = Set<String>()
        var error = StateDictError(missingKeys: [], unexpectedKeys: [], shapeMismatches: [])
        var assignments: [() -> Void] = []
        for (key, parameter) in parameters {
            known.insert(key)
            guard let tensor = state[key] else {
                error.missingKeys.append(key)
                continue
            }
            guard tensor.shape == parameter.shape else {
                error.shapeMismatches.append((key, parameter.shape, tensor.shape))
                continue
            }
            assignments.append { parameter.assign(tensor) }
        }
        for (key, buffer) in buffers {
            known.insert(key)
            guard let tensor = state[key] else {
                error.missingKeys.append(key)
                continue
            }
            guard tensor.shape == buffer.value.shape else {
                error.shapeMismatches.append((key, buffer.value.shape, tensor.shape))
                continue
            }
            assignments.append { buffer.value = tensor.detached() }
        }
        error.unexpectedKeys = state.keys.filter { !known.contains($0) }
        if !strict {
            error.missingKeys = []
            error.unexpectedKeys = []
        }
        if !error.missingKeys.isEmpty || !error.unexpectedKeys.isEmpty || !error.shapeMismatches.isEmpty {
            throw error
        }
        for assign in assignments { assign() }
    }

    /// Copies every parameter and buffer value from `other`, a module of the same architecture.
    public func copyValues(from other: Module) throws {
        try loadStateDict(other.stateDict())
    }
}
