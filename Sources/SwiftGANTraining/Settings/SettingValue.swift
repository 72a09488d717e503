import Foundation

/// One value of a run setting, as a config file, a flag or a run's
/// `config.json` holds it: JSON's and YAML's scalars and lists.
///
/// Numbers keep their decimal text, so a 64-bit seed or a learning rate of
/// `2e-4` reads back exactly as written.
public enum SettingValue: Equatable, Sendable, Codable, CustomStringConvertible {
    case bool(Bool)
    /// A number's decimal text (`64`, `0.0002`, `18446744073709551615`).
    case number(String)
    case string(String)
    case list([SettingValue])
    /// Not set (JSON `null`, YAML `~`): the setting's own default.
    case null

    public init(_ value: Int) { self = .number(String(value)) }
    public init(_ value: UInt64) { self = .number(String(value)) }
    /// `Float`'s shortest text that reads back to the same value (`0.0002`, not `0.00019999999`; `100`, not `100.0`).
    public init(_ value: Float) { self = .number(Self.text(value.description)) }
    public init(_ value: Double) { self = .number(Self.text(value.description)) }

    /// A whole number's text without its `.0`.
    private static func text(_ description: String) -> String {
        description.hasSuffix(".0") ? String(description.dropLast(2)) : description
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .number(String(value))
        } else if let value = try? container.decode(Int64.self) {
            self = .number(String(value))
        } else if let value = try? container.decode(Double.self) {
            self = SettingValue(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([SettingValue].self) {
            self = .list(value)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "a setting is a number, string, true/false, null or a list of those, not a nested table")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .number(let text):
            if let value = UInt64(text) {
                try container.encode(value)
            } else if let value = Int64(text) {
                try container.encode(value)
            } else {
                try container.encode(Double(text) ?? .nan)
            }
        case .string(let value): try container.encode(value)
        case .list(let values): try container.encode(values)
        case .null: try container.encodeNil()
        }
    }

    /// The value as a user would type it (`64`, `dcgan`, `true`, `[kid, precision-recall]`, `null`).
    public var description: String {
        switch self {
        case .bool(let value): String(value)
        case .number(let text): text
        case .string(let value): "\"\(value)\""
        case .list(let values): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .null: "null"
        }
    }
}

/// Whether a `config.json` has the nested layout of runs written before
/// version 0.10 (a `model` section), which its own decoder then reads.
func hasNestedModelSection(_ decoder: any Decoder) -> Bool {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    guard let container = try? decoder.container(keyedBy: Key.self) else { return false }
    return (try? container.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: "model"))) != nil
}
