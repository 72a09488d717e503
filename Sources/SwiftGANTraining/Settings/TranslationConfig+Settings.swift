import Foundation
import SwiftGANData

extension TranslationKind: SettingConvertible {}
extension TranslationModelConfig.Generator: SettingConvertible {}
extension TranslationModelConfig.Normalization: SettingConvertible {}

/// A paired translation run's configuration as settings (`gan train --task
/// pix2pix --config FILE`, `--print-config`, the run's `config.json`).
extension TranslationConfig {
    /// The settings that map onto the configuration's fields.
    public static var settingsTable: [Setting<TranslationConfig>] {
        [
            Setting("generator", \.model.generator),
            Setting("norm", \.model.normalization),
            // As the flag: both networks' width; d_width (after it) sets D's alone.
            Setting(
                "width", get: { $0.model.width },
                set: {
                    $0.model.width = $1
                    $0.model.discriminatorWidth = $1
                }),
            Setting("d_width", \.model.discriminatorWidth),
            Setting("residual_blocks", \.model.residualBlocks),
            Setting("patch_layers", \.model.discriminatorLayers),
            Setting("conditional_d", \.model.conditionalDiscriminator),
            Setting("l1_weight", \.training.l1Weight),
            Setting("adversarial_weight", \.training.adversarialWeight),
            Setting("perceptual_weight", \.training.perceptualWeight),
            // As the flag: jitter and flips; flip (after it) sets flips alone.
            Setting(
                "jitter", get: { $0.data.jitter },
                set: {
                    $0.data.jitter = $1
                    $0.data.flip = $1
                }),
            Setting("flip", \.data.flip),
            Setting("reverse", \.data.reversed),
            Setting("downscale", \.data.downscale)
        ] + Setting.schedule(\TranslationConfig.training) + Setting.imageData(\TranslationConfig.data)
    }

    /// Settings the run records from its data; `--config` accepts and ignores them.
    public static let recordedKeys: Set<String> = ["input_shape", "output_shape", "data_name"]

    /// Every key of a translation run's settings.
    public static var settingKeys: Set<String> { Set(settingsTable.map(\.key)).union(recordedKeys).union(["task", "data"]) }

    /// The configuration `settings` describe: the task's preset for its data (`task`, `data`), then every other setting.
    /// - Throws: `SettingError` naming the file or flag of an unknown key, a value of the wrong type, or values that cannot be trained.
    public static func resolve(_ settings: RunSettings) throws -> TranslationConfig {
        try settings.check(keys: settingKeys, kind: "translation runs")
        guard let name = try settings.text("task"), let kind = TranslationKind(rawValue: name) else {
            throw settings.problem("task", "expected one of \(TranslationKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let data = try settings.text("data").map(PairedDataSpec.parse)
        var config = preset(kind, data: data)
        try settingsTable.apply(settings, to: &config)
        if let problem = config.training.validationProblem() ?? config.data.limit.flatMap({ $0 < 1 ? "limit \($0) must be at least 1" : nil }) {
            throw settings.invalid(problem)
        }
        return config
    }

    /// Every setting of this configuration, recorded ones included: what `config.json` holds.
    public var settingValues: [String: SettingValue] {
        var values = Self.settingsTable.values(of: self)
        values["task"] = task.setting
        values["data"] = .string(data.path ?? data.name)
        values["data_name"] = .string(data.name)
        values["input_shape"] = model.inputShape.setting
        values["output_shape"] = model.outputShape.setting
        return values
    }

    public func encode(to encoder: any Encoder) throws { try settingValues.encode(to: encoder) }

    /// Reads the flat settings `encode` writes, or the nested sections runs wrote before version 0.10.
    public init(from decoder: any Decoder) throws {
        if hasNestedModelSection(decoder) {
            let nested = try NestedTranslationConfig(from: decoder)
            self.init(task: nested.task, model: nested.model, training: nested.training, data: nested.data)
            return
        }
        let settings = RunSettings(try [String: SettingValue](from: decoder), origin: "")
        guard let kind = try settings.value("task", as: TranslationKind.self) else { throw settings.problem("task", "missing") }
        let place = try settings.value("data", as: String.self)
        let name = try settings.value("data_name", as: String.self)
        var config = Self.preset(kind, data: name.map { PairedDataSpec(name: $0, path: place == $0 ? nil : place) } ?? place.map(PairedDataSpec.parse))
        try Self.settingsTable.apply(settings, to: &config)
        config.model.inputShape = try settings.value("input_shape", as: [Int].self) ?? []
        config.model.outputShape = try settings.value("output_shape", as: [Int].self) ?? []
        self = config
    }
}

/// The layout of a translation run's `config.json` before version 0.10.
private struct NestedTranslationConfig: Decodable {
    var task: TranslationKind
    var model: TranslationModelConfig
    var training: TranslationTraining
    var data: PairedDataSpec
}
