import Foundation
import SwiftGANData

/// A CycleGAN run's configuration as settings (`gan train --task cyclegan
/// --config FILE`, `--print-config`, the run's `config.json`).
extension CycleGANConfig {
    /// The settings that map onto the configuration's fields.
    public static var settingsTable: [Setting<CycleGANConfig>] {
        [
            Setting("norm", \.model.normalization),
            // As the flag: both networks' width; d_width (after it) sets the discriminators' alone.
            Setting(
                "width", get: { $0.model.width },
                set: {
                    $0.model.width = $1
                    $0.model.discriminatorWidth = $1
                }),
            Setting("d_width", \.model.discriminatorWidth),
            Setting("residual_blocks", \.model.residualBlocks),
            Setting("patch_layers", \.model.discriminatorLayers),
            Setting("cycle_weight", \.training.cycleWeight),
            Setting("identity_weight", \.training.identityWeight),
            Setting("pool_size", \.training.poolSize),
            Setting("jitter", \.data.jitter)
        ] + Setting.schedule(\CycleGANConfig.training) + Setting.imageData(\CycleGANConfig.data)
    }

    /// Settings the run records from its data; `--config` accepts and ignores them.
    public static let recordedKeys: Set<String> = ["shape_a", "shape_b", "data_name"]

    /// Every key of a CycleGAN run's settings.
    public static var settingKeys: Set<String> { Set(settingsTable.map(\.key)).union(recordedKeys).union(["task", "data"]) }

    /// The configuration `settings` describe: the preset for its data (`data`), then every other setting.
    /// - Throws: `SettingError` naming the file or flag of an unknown key, a value of the wrong type, or values that cannot be trained.
    public static func resolve(_ settings: RunSettings) throws -> CycleGANConfig {
        try settings.check(keys: settingKeys, kind: "CycleGAN runs")
        guard try settings.text("task") == taskName else { throw settings.problem("task", "expected \(taskName)") }
        let data = try settings.text("data").map(UnpairedDataSpec.parse) ?? UnpairedDataSpec(name: UnpairedTask.fashion2edges.rawValue)
        var config = preset(data: data)
        try settingsTable.apply(settings, to: &config)
        if let problem = config.training.validationProblem() ?? config.data.limit.flatMap({ $0 < 1 ? "limit \($0) must be at least 1" : nil }) {
            throw settings.invalid(problem)
        }
        return config
    }

    /// Every setting of this configuration, recorded ones included: what `config.json` holds.
    public var settingValues: [String: SettingValue] {
        var values = Self.settingsTable.values(of: self)
        values["task"] = .string(task)
        values["data"] = .string(data.path ?? data.name)
        values["data_name"] = .string(data.name)
        values["shape_a"] = model.shapeA.setting
        values["shape_b"] = model.shapeB.setting
        return values
    }

    public func encode(to encoder: any Encoder) throws { try settingValues.encode(to: encoder) }

    /// Reads the flat settings `encode` writes, or the nested sections runs wrote before version 0.10.
    public init(from decoder: any Decoder) throws {
        if hasNestedModelSection(decoder) {
            let nested = try NestedCycleGANConfig(from: decoder)
            self.init(model: nested.model, training: nested.training, data: nested.data)
            task = nested.task
            return
        }
        let settings = RunSettings(try [String: SettingValue](from: decoder), origin: "")
        let place = try settings.value("data", as: String.self)
        let name = try settings.value("data_name", as: String.self)
        let data = name.map { UnpairedDataSpec(name: $0, path: place == $0 ? nil : place) } ?? place.map(UnpairedDataSpec.parse)
        var config = Self.preset(data: data ?? UnpairedDataSpec(name: UnpairedTask.fashion2edges.rawValue))
        try Self.settingsTable.apply(settings, to: &config)
        config.task = try settings.value("task") ?? ""
        config.model.shapeA = try settings.value("shape_a", as: [Int].self) ?? []
        config.model.shapeB = try settings.value("shape_b", as: [Int].self) ?? []
        self = config
    }
}

/// The layout of a CycleGAN run's `config.json` before version 0.10.
private struct NestedCycleGANConfig: Decodable {
    var task: String
    var model: CycleGANModelConfig
    var training: CycleGANTraining
    var data: UnpairedDataSpec
}
