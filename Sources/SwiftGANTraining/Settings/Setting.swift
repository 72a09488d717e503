import Foundation

/// A type a setting's value converts to and from.
public protocol SettingConvertible {
    /// The value, or nil with `problem` saying what was expected.
    init?(setting: SettingValue, problem: inout String)
    var setting: SettingValue { get }
}

/// One key of a configuration and the field it sets: the same table reads
/// a config file, the command line's flags and a run's `config.json`, and
/// writes `config.json` and `--print-config`.
public struct Setting<Root> {
    public let key: String
    let read: (Root) -> SettingValue
    let write: (inout Root, SettingValue) -> String?

    /// The setting `key` for the field at `path`.
    public init<Value: SettingConvertible>(_ key: String, _ path: WritableKeyPath<Root, Value>) {
        self.key = key
        read = { $0[keyPath: path].setting }
        write = { root, value in
            var problem = ""
            guard let converted = Value(setting: value, problem: &problem) else { return problem }
            root[keyPath: path] = converted
            return nil
        }
    }

    /// A setting whose value maps onto the fields its own way (`width` sets both networks', `ema: 0` turns the EMA off).
    public init<Value: SettingConvertible>(_ key: String, get: @escaping (Root) -> Value, set: @escaping (inout Root, Value) -> Void) {
        self.key = key
        read = { get($0).setting }
        write = { root, value in
            var problem = ""
            guard let converted = Value(setting: value, problem: &problem) else { return problem }
            set(&root, converted)
            return nil
        }
    }

    /// A setting with its own conversion (a value that maps onto several fields, or `0` meaning off).
    public init(_ key: String, read: @escaping (Root) -> SettingValue, write: @escaping (inout Root, SettingValue) -> String?) {
        self.key = key
        self.read = read
        self.write = write
    }
}

extension Array {
    /// Every setting of `root`, by key.
    public func values<Root>(of root: Root) -> [String: SettingValue] where Element == Setting<Root> {
        Dictionary(uniqueKeysWithValues: map { ($0.key, $0.read(root)) })
    }

    /// Applies each of `settings` whose key is in this table to `root`.
    /// - Throws: `SettingError` naming the origin and key of a value that does not convert.
    public func apply<Root>(_ settings: RunSettings, to root: inout Root) throws where Element == Setting<Root> {
        for setting in self {
            guard let value = settings[setting.key] else { continue }
            if let problem = setting.write(&root, value) { throw settings.problem(setting.key, "\(problem), got \(value)") }
        }
    }
}

// MARK: - Conversions

extension Int: SettingConvertible {
    public init?(setting: SettingValue, problem: inout String) {
        guard case .number(let text) = setting, let value = Int(text) else {
            problem = "expected a whole number"
            return nil
        }
        self = value
    }
    public var setting: SettingValue { SettingValue(self) }
}

extension UInt64: SettingConvertible {
    public init?(setting: SettingValue, problem: inout String) {
        guard case .number(let text) = setting, let value = UInt64(text) else {
            problem = "expected a whole number from 0 to \(UInt64.max)"
            return nil
        }
        self = value
    }
    public var setting: SettingValue { SettingValue(self) }
}

extension Float: SettingConvertible {
    public init?(setting: SettingValue, problem: inout String) {
        guard case .number(let text) = setting, let value = Float(text), value.isFinite else {
            problem = "expected a finite number"
            return nil
        }
        self = value
    }
    public var setting: SettingValue { SettingValue(self) }
}

extension Double: SettingConvertible {
    public init?(setting: SettingValue, problem: inout String) {
        guard case .number(let text) = setting, let value = Double(text), value.isFinite else {
            problem = "expected a finite number"
            return nil
        }
        self = value
    }
    public var setting: SettingValue { SettingValue(self) }
}

extension Bool: SettingConvertible {
    public init?(setting: SettingValue, problem: inout String) {
        guard case .bool(let value) = setting else {
            problem = "expected true or false"
            return nil
        }
        self = value
    }
    public var setting: SettingValue { .bool(self) }
}

extension String: SettingConvertible {
    public init?(setting: SettingValue, problem: inout String) {
        guard case .string(let value) = setting else {
            problem = "expected text"
            return nil
        }
        self = value
    }
    public var setting: SettingValue { .string(self) }
}

extension Optional: SettingConvertible where Wrapped: SettingConvertible {
    public init?(setting: SettingValue, problem: inout String) {
        if setting == .null {
            self = .none
            return
        }
        guard let value = Wrapped(setting: setting, problem: &problem) else {
            problem += " or null"
            return nil
        }
        self = .some(value)
    }
    public var setting: SettingValue { map(\.setting) ?? .null }
}

extension Array: SettingConvertible where Element: SettingConvertible {
    /// A list, or one value as a list of one; text is also split at commas (`kid,precision-recall`, `512,256`, as the flags take them).
    public init?(setting: SettingValue, problem: inout String) {
        let items: [SettingValue]
        switch setting {
        case .list(let values): items = values
        case .string(let text):
            items = text.split(separator: ",").map {
                let item = $0.trimmingCharacters(in: .whitespaces)
                return Double(item) == nil ? .string(item) : .number(item)
            }
        default: items = [setting]
        }
        var converted: [Element] = []
        for item in items {
            guard let value = Element(setting: item, problem: &problem) else {
                problem = "in a list: \(problem)"
                return nil
            }
            converted.append(value)
        }
        self = converted
    }
    public var setting: SettingValue { .list(map(\.setting)) }
}

/// Enumerations by their names (`objective: wgan-gp`).
extension SettingConvertible where Self: RawRepresentable & CaseIterable, RawValue == String {
    public init?(setting: SettingValue, problem: inout String) {
        guard case .string(let name) = setting, let value = Self(rawValue: name) else {
            problem = "expected one of " + Self.allCases.map(\.rawValue).joined(separator: ", ")
            return nil
        }
        self = value
    }
    public var setting: SettingValue { .string(rawValue) }
}

/// The optimisation schedule every kind of run has, under the same setting keys.
public protocol TrainingSchedule {
    var objective: Objective { get set }
    var learningRateG: Float { get set }
    var learningRateD: Float { get set }
    var beta1: Float { get set }
    var beta2: Float { get set }
    var learningRateDecay: Bool { get set }
    var batchSize: Int { get set }
    var steps: Int { get set }
    var seed: UInt64 { get set }
    var sampleEvery: Int { get set }
    var checkpointEvery: Int { get set }
    var logEvery: Int { get set }
}

/// What every kind of run's data takes from image folders.
public protocol ImageDataOptions {
    var limit: Int? { get set }
    var imageSize: Int? { get set }
    var channels: Int? { get set }
    var cache: Bool { get set }
}

/// Why an image folder's `limit`, `image_size` or `channels` cannot be used, or nil.
func imageDataProblem(limit: Int?, imageSize: Int?, channels: Int?) -> String? {
    if let limit, limit < 1 { return "limit \(limit) must be at least 1" }
    if let imageSize, !(4...ModelConfig.maximumImageSide).contains(imageSize) {
        return "image size \(imageSize) must be in 4...\(ModelConfig.maximumImageSide)"
    }
    if let channels, channels != 1 && channels != 3 { return "channels \(channels) must be 1 or 3" }
    return nil
}

extension Setting {
    /// The schedule's settings (`objective`, `lr_g`, `lr_d`, `beta1`, `beta2`, `lr_decay`, `batch_size`, `steps`, `seed`,
    /// `sample_every`, `checkpoint_every`, `log_every`) at `path`.
    public static func schedule<Schedule: TrainingSchedule>(_ path: WritableKeyPath<Root, Schedule>) -> [Setting] {
        [
            Setting("objective", path.appending(path: \.objective)),
            Setting("lr_g", path.appending(path: \.learningRateG)),
            Setting("lr_d", path.appending(path: \.learningRateD)),
            Setting("beta1", path.appending(path: \.beta1)),
            Setting("beta2", path.appending(path: \.beta2)),
            Setting("lr_decay", path.appending(path: \.learningRateDecay)),
            Setting("batch_size", path.appending(path: \.batchSize)),
            Setting("steps", path.appending(path: \.steps)),
            Setting("seed", path.appending(path: \.seed)),
            Setting("sample_every", path.appending(path: \.sampleEvery)),
            Setting("checkpoint_every", path.appending(path: \.checkpointEvery)),
            Setting("log_every", path.appending(path: \.logEvery))
        ]
    }

    /// The data's `limit`, `image_size`, `channels` and `cache` at `path`.
    public static func imageData<Data: ImageDataOptions>(_ path: WritableKeyPath<Root, Data>) -> [Setting] {
        [
            Setting("limit", path.appending(path: \.limit)),
            Setting("image_size", path.appending(path: \.imageSize)),
            Setting("channels", path.appending(path: \.channels)),
            Setting("cache", path.appending(path: \.cache))
        ]
    }
}

extension TrainingConfig: TrainingSchedule {}
extension TranslationTraining: TrainingSchedule {}
extension CycleGANTraining: TrainingSchedule {}
extension DataSpec: ImageDataOptions {}
extension PairedDataSpec: ImageDataOptions {}
extension UnpairedDataSpec: ImageDataOptions {}
