import Foundation
import SwiftGANTensor
import Yams

/// Run settings by key, each with where it came from: a config file
/// (`gan train --config FILE`), the command line, or a run's `config.json`.
///
/// Keys are the flags' names in snake case (`batch_size` for `--batch-size`,
/// `lr_g` for `--lr-g`); a file may also write them in kebab case. Later
/// sources override earlier ones (`merging`): the preset, then the file,
/// then the flags.
public struct RunSettings: Equatable, Sendable {
    /// One setting and where it came from (`runs.yaml`, `--batch-size`).
    public struct Entry: Equatable, Sendable {
        public var value: SettingValue
        public var origin: String
    }

    public private(set) var entries: [String: Entry] = [:]

    public init() {}

    /// Settings with one origin (`--flags`, a file's path).
    public init(_ values: [String: SettingValue], origin: String) {
        for (key, value) in values { entries[Self.normalized(key)] = Entry(value: value, origin: origin) }
    }

    public subscript(key: String) -> SettingValue? { entries[key]?.value }

    public var keys: [String] { entries.keys.sorted() }

    public var isEmpty: Bool { entries.isEmpty }

    /// Sets `key` from `origin`, replacing what was there.
    public mutating func set(_ key: String, _ value: SettingValue, origin: String) {
        entries[Self.normalized(key)] = Entry(value: value, origin: origin)
    }

    /// Removes `key` and returns its entry.
    @discardableResult
    public mutating func remove(_ key: String) -> Entry? { entries.removeValue(forKey: key) }

    /// These settings with `other`'s on top.
    public func merging(_ other: RunSettings) -> RunSettings {
        var merged = self
        merged.entries.merge(other.entries) { _, new in new }
        return merged
    }

    /// `batch-size` and `batch_size` name one setting.
    public static func normalized(_ key: String) -> String { key.replacingOccurrences(of: "-", with: "_") }

    /// The text at `key` (nil when absent or null).
    /// - Throws: `SettingError` when it is not text.
    public func text(_ key: String) throws -> String? {
        guard let value = self[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw problem(key, "expected text, got \(value)") }
        return text
    }

    /// Throws for the first key (in order) that is not one of `known`.
    public func check(keys known: Set<String>, kind: String) throws {
        if let unknown = keys.first(where: { !known.contains($0) }) { throw unknownKey(unknown, kind: kind, known: known) }
    }

    /// The error for values that cannot be trained, naming every source they came from.
    public func invalid(_ problem: String) -> SettingError {
        SettingError(origin: Set(entries.values.map(\.origin)).sorted().joined(separator: " and "), key: "", problem: problem)
    }

    /// The value at `key` converted (nil when absent), for reading a run's `config.json`.
    /// - Throws: `SettingError` when it does not convert.
    public func value<Value: SettingConvertible>(_ key: String, as _: Value.Type = Value.self) throws -> Value? {
        guard let setting = self[key] else { return nil }
        var message = ""
        guard let value = Value(setting: setting, problem: &message) else { throw problem(key, "\(message), got \(setting)") }
        return value
    }

    /// The error for a key that is not one of `known`: the nearest known key when one is a typo away, else all of them.
    public func unknownKey(_ key: String, kind: String, known: Set<String>) -> SettingError {
        let candidates: [(key: String, distance: Int)] = known.sorted().map { ($0, Self.editDistance(key, $0)) }
        if let nearest = candidates.min(by: { $0.distance < $1.distance }), nearest.distance <= 2 {
            return problem(key, "not a setting of \(kind) (did you mean '\(nearest.key)'?)")
        }
        return problem(key, "not a setting of \(kind) (settings: \(known.sorted().joined(separator: ", ")))")
    }

    /// Levenshtein distance between two keys.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                let substitution = previous[j] + (x == y ? 0 : 1)
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, substitution))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// The error for `key`'s value: names its origin, the key and the value.
    public func problem(_ key: String, _ problem: String) -> SettingError {
        SettingError(origin: entries[key]?.origin ?? "settings", key: key, problem: problem)
    }

    // MARK: - Files

    /// Reads a config file: a JSON object or a YAML mapping of settings
    /// (`.json` is read as JSON, anything else as YAML, of which JSON is a subset).
    /// - Throws: `FileError` naming the file when it is missing or unreadable,
    ///   not a mapping of settings, or names one setting twice.
    public static func read(_ path: String) throws -> RunSettings {
        guard let bytes = try FileContents.readIfPresent(path) else { throw FileError(file: path, problem: "no such config file") }
        return try parse(Data(bytes), file: path)
    }

    /// Parses a config file's bytes as `read` does; `file` names them in errors.
    public static func parse(_ data: Data, file: String) throws -> RunSettings {
        let values: [String: SettingValue]
        do {
            if file.lowercased().hasSuffix(".json") {
                values = try JSONDecoder().decode([String: SettingValue].self, from: data)
            } else {
                guard let text = String(data: data, encoding: .utf8) else { throw FileError(file: file, problem: "not UTF-8 text") }
                // An empty YAML document is no settings.
                if text.allSatisfy(\.isWhitespace) { return RunSettings() }
                values = try YAMLDecoder().decode([String: SettingValue].self, from: text)
            }
        } catch let error as FileError {
            throw error
        } catch {
            throw FileError(file: file, problem: "not a mapping of settings (key: value per line, or a JSON object): \(Self.describe(error))")
        }
        var settings = RunSettings()
        for (key, value) in values {
            let name = normalized(key)
            if settings.entries[name] != nil { throw FileError(file: file, problem: "the setting '\(name)' is given twice") }
            settings.entries[name] = Entry(value: value, origin: file)
        }
        return settings
    }

    /// A decoding error in a line: where it is and what was wrong.
    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            // The parser's own error says where (line and column) and what it found.
            let detail = context.underlyingError.map { "\($0)".split(whereSeparator: \.isNewline).joined(separator: " ") } ?? context.debugDescription
            return (path.isEmpty ? "" : "at '\(path)': ") + detail
        @unknown default:
            return "\(error)"
        }
    }
}

/// A setting whose value cannot be used: names where it came from, the key and the value.
public struct SettingError: Error, Equatable, CustomStringConvertible {
    /// The file or flag the value came from.
    public var origin: String
    public var key: String
    public var problem: String

    /// `runs.yaml: 'batch_size': expected a whole number, got "big"`; a flag's: `--batch-size: …`.
    public var description: String {
        if key.isEmpty || origin.hasPrefix("--") { return "\(origin): \(problem)" }
        return origin.isEmpty ? "'\(key)': \(problem)" : "\(origin): '\(key)': \(problem)"
    }
}
