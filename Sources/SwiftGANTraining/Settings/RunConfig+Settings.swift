import Foundation
import SwiftGANData

extension ModelConfig.Kind: SettingConvertible {}
extension ModelConfig.LatentDistribution: SettingConvertible {}
extension ModelConfig.DiscriminatorOutput: SettingConvertible {}
extension ModelConfig.DiscriminatorNormalization: SettingConvertible {}
extension Objective: SettingConvertible {}
extension TrainingConfig.OptimizerKind: SettingConvertible {}
extension TrainingConfig.UpdateOrder: SettingConvertible {}
extension EvalMetric: SettingConvertible {}
extension DiffAugment.Policy: SettingConvertible {}

/// A GAN run's configuration as settings: what `gan train --config FILE`
/// reads, `--print-config` prints and the run's `config.json` holds — one flat
/// mapping whose keys are the flags' names in snake case.
extension RunConfig {
    /// The settings that map onto one field each, in the order `--help` lists them.
    public static var settingsTable: [Setting<RunConfig>] {
        [
            Setting("model", \.model.kind),
            Setting("latent_dim", \.model.latentDimension),
            Setting("latent", \.model.latentDistribution),
            Setting("width", \.model.width),
            Setting("spectral_norm", \.model.spectralNorm),
            Setting("d_output", \.model.discriminatorOutput),
            Setting("d_norm", \.model.discriminatorNormalization),
            Setting("g_relu", \.model.generatorReLU),
            Setting("projection", \.model.projection),
            Setting("d_widths", \.model.discriminatorWidths),
            Setting("pack", \.model.pack),
            Setting("optimizer", \.training.optimizer),
            Setting("critic_steps", \.training.criticSteps),
            Setting("update", \.training.update),
            Setting("weight_clip", \.training.weightClip),
            Setting("gp_weight", \.training.gradientPenaltyWeight),
            Setting("r1", \.training.r1Weight),
            Setting("label_smoothing", \.training.labelSmoothing),
            Setting("class_weight", \.training.classLossWeight),
            Setting("class_on_fakes", \.training.classLossOnFakes),
            Setting("d_loss_scale", \.training.discriminatorLossScale),
            Setting("diffaugment", \.training.diffAugment),
            // As the flag: 0 turns the EMA generator off.
            Setting("ema", get: { $0.training.emaDecay ?? 0 }, set: { $0.training.emaDecay = $1 == 0 ? nil : $1 }),
            Setting("eval_every", \.training.evalEvery),
            Setting("eval_count", \.training.evalCount),
            Setting("eval_metrics", \.training.evalMetrics),
            Setting("features", \.training.featuresPath),
            Setting("sync_batchnorm", \.training.syncBatchNorm),
            Setting("mixture_count", \.data.mixtureCount)
        ] + Setting.schedule(\RunConfig.training) + Setting.imageData(\RunConfig.data)
    }

    /// Settings a run records from what it found (the data's shape and
    /// classes, the dataset's name); a new run finds them again, so
    /// `--config` accepts and ignores them (a run's `config.json` can be given as it is).
    public static let recordedKeys: Set<String> = ["image_shape", "class_count", "data_name"]

    /// The keys `resolve` takes besides the table's.
    public static let selectorKeys: Set<String> = ["preset", "data"]

    /// Every key of a GAN run's settings.
    public static var settingKeys: Set<String> { Set(settingsTable.map(\.key)).union(recordedKeys).union(selectorKeys) }

    /// The configuration `settings` describe: the preset (`preset`, else
    /// the one for `data` and `model`: `2d` for a 2-D mixture, the model's
    /// own, else `dcgan-quick`), then every other setting on top.
    /// - Throws: `SettingError` naming the file or flag of an unknown key,
    ///   a value of the wrong type, or values that cannot be trained.
    public static func resolve(_ settings: RunSettings) throws -> RunConfig {
        try settings.check(keys: settingKeys, kind: "GAN runs")
        func text(_ key: String) throws -> String? { try settings.text(key) }
        let spec = DataSpec.parse(try text("data") ?? "fashion-mnist")
        let isMixture = spec.mixture != nil
        let model = try text("model")
        if let model, ModelConfig.Kind(rawValue: model) == nil {
            throw settings.problem("model", "unknown model '\(model)' (choose from \(ModelConfig.Kind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let presetName = try text("preset") ?? (isMixture ? "2d" : (model.flatMap(ModelConfig.Kind.init).flatMap(Preset.own)?.rawValue ?? "dcgan-quick"))
        guard let preset = Preset(rawValue: presetName) else {
            throw settings.problem(
                "preset", "unknown preset '\(presetName)' (choose from \(Preset.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        var modelConfig = ModelConfig(kind: isMixture ? .mlp2d : .dcgan, imageShape: isMixture ? [1, 1, 2] : [1, 28, 28])
        var training = TrainingConfig()
        preset.apply(to: &modelConfig, &training)
        if isMixture && modelConfig.kind != .mlp2d {
            if let model, model != ModelConfig.Kind.mlp2d.rawValue {
                throw settings.problem("model", "2-D data needs the model mlp2d, not \(model)")
            }
            modelConfig.kind = .mlp2d
            modelConfig.latentDimension = 2
            modelConfig.width = 128
        }
        var config = RunConfig(model: modelConfig, training: training, data: spec, preset: preset.rawValue)
        try settingsTable.apply(settings, to: &config)
        if let problem = config.training.validationProblem() ?? config.data.validationProblem() { throw settings.invalid(problem) }
        return config
    }

    /// Every setting of this configuration, recorded ones included: what `config.json` holds.
    public var settingValues: [String: SettingValue] {
        var values = Self.settingsTable.values(of: self)
        values["preset"] = preset.setting
        values["data"] = .string(data.path ?? data.name)
        values["data_name"] = .string(data.name)
        values["image_shape"] = model.imageShape.setting
        values["class_count"] = SettingValue(model.classCount)
        return values
    }
}

// MARK: - config.json

extension RunConfig {
    public func encode(to encoder: any Encoder) throws {
        try settingValues.encode(to: encoder)
    }

    /// Reads the flat settings `encode` writes, or the nested
    /// `model`/`training`/`data` sections runs wrote before version 0.10.
    public init(from decoder: any Decoder) throws {
        if hasNestedModelSection(decoder) {
            let nested = try NestedRunConfig(from: decoder)
            self.init(model: nested.model, training: nested.training, data: nested.data, preset: nested.preset)
            return
        }
        let settings = RunSettings(try [String: SettingValue](from: decoder), origin: "")
        let place = try settings.value("data", as: String.self)
        let data = try settings.value("data_name", as: String.self).map { DataSpec(name: $0, path: place == $0 ? nil : place) }
        var config = RunConfig(
            model: ModelConfig(kind: .dcgan, imageShape: []), training: TrainingConfig(), data: data ?? DataSpec.parse(place ?? "fashion-mnist"))
        try Self.settingsTable.apply(settings, to: &config)
        config.preset = try settings.value("preset", as: String?.self) ?? nil
        config.model.imageShape = try settings.value("image_shape", as: [Int].self) ?? []
        config.model.classCount = try settings.value("class_count") ?? config.model.classCount
        self = config
    }
}

/// The layout of `config.json` before version 0.10: the three structures as sections.
private struct NestedRunConfig: Decodable {
    var model: ModelConfig
    var training: TrainingConfig
    var data: DataSpec
    var preset: String?
}
