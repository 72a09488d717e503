import ArgumentParser
import Foundation
import SwiftGANTraining

/// `gan train`'s flags as run settings, and the --config file they override.
extension TrainCommand {
    /// The settings the command line can give, by flag name, with the given value or nil.
    var settingFlags: [(flag: String, value: SettingValue?)] {
        [
            ("task", task.map(SettingValue.string)), ("generator", generator.map(SettingValue.string)),
            ("norm", norm.map(SettingValue.string)), ("d-width", dWidth.map(SettingValue.init)),
            ("residual-blocks", residualBlocks.map(SettingValue.init)), ("patch-layers", patchLayers.map(SettingValue.init)),
            ("conditional-d", conditionalDiscriminator.map(SettingValue.bool)), ("l1-weight", l1Weight.map(SettingValue.init)),
            ("adversarial-weight", adversarialWeight.map(SettingValue.init)),
            ("perceptual-weight", perceptualWeight.map(SettingValue.init)), ("cycle-weight", cycleWeight.map(SettingValue.init)),
            ("identity-weight", identityWeight.map(SettingValue.init)), ("pool-size", poolSize.map(SettingValue.init)),
            ("jitter", jitter.map(SettingValue.bool)), ("flip", flip.map(SettingValue.bool)), ("reverse", reverse.map(SettingValue.bool)),
            ("downscale", downscale.map(SettingValue.init)),
            ("preset", preset.map(SettingValue.string)), ("model", model.map(SettingValue.string)), ("data", data.map(SettingValue.string)),
            ("limit", limit.map(SettingValue.init)), ("image-size", imageSize.map(SettingValue.init)),
            ("channels", channels.map(SettingValue.init)), ("mixture-count", mixtureCount.map(SettingValue.init)), ("cache", cache.map(SettingValue.bool)),
            ("latent-dim", latentDim.map(SettingValue.init)), ("latent", latent.map(SettingValue.string)),
            ("width", width.map(SettingValue.init)), ("spectral-norm", spectralNorm.map(SettingValue.bool)),
            ("d-output", discriminatorOutput.map(SettingValue.string)), ("d-norm", discriminatorNorm.map(SettingValue.string)),
            ("g-relu", generatorReLU.map(SettingValue.bool)), ("projection", projection.map(SettingValue.bool)),
            ("class-weight", classWeight.map(SettingValue.init)),
            ("class-on-fakes", classOnFakes.map(SettingValue.bool)), ("d-loss-scale", discriminatorLossScale.map(SettingValue.init)),
            ("d-widths", discriminatorWidths.map(SettingValue.string)), ("pack", pack.map(SettingValue.init)),
            ("objective", objective.map(SettingValue.string)), ("optimizer", optimizer.map(SettingValue.string)),
            ("lr-g", learningRateG.map(SettingValue.init)), ("lr-d", learningRateD.map(SettingValue.init)),
            ("beta1", beta1.map(SettingValue.init)), ("beta2", beta2.map(SettingValue.init)),
            ("critic-steps", criticSteps.map(SettingValue.init)), ("update", update.map(SettingValue.string)),
            ("weight-clip", weightClip.map(SettingValue.init)),
            ("gp-weight", gradientPenaltyWeight.map(SettingValue.init)), ("r1", r1.map(SettingValue.init)),
            ("label-smoothing", labelSmoothing.map(SettingValue.init)), ("ema", ema.map(SettingValue.init)),
            ("lr-decay", lrDecay.map(SettingValue.bool)), ("batch-size", batchSize.map(SettingValue.init)),
            ("steps", steps.map(SettingValue.init)), ("epochs", epochs.map(SettingValue.init)), ("seed", seed.map(SettingValue.init)),
            ("sample-every", sampleEvery.map(SettingValue.init)), ("checkpoint-every", checkpointEvery.map(SettingValue.init)),
            ("log-every", logEvery.map(SettingValue.init)), ("eval-every", evalEvery.map(SettingValue.init)),
            ("eval-count", evalCount.map(SettingValue.init)), ("eval-metrics", evalMetrics.map(SettingValue.string)),
            ("diffaugment", diffAugment.map(SettingValue.string)),
            ("features", features.map(SettingValue.string)), ("sync-batchnorm", syncBatchnorm.map(SettingValue.bool))
        ]
    }

    /// The settings given as flags, each from its flag (`--batch-size`).
    var commandLineSettings: RunSettings {
        var settings = RunSettings()
        for (flag, value) in settingFlags {
            if let value { settings.set(flag, value, origin: "--\(flag)") }
        }
        return settings
    }

    /// The --config file's settings (none without one).
    /// - Throws: `CLIError` naming the file when it cannot be read.
    func fileSettings() throws -> RunSettings {
        guard let config else { return RunSettings() }
        do { return try RunSettings.read(config) } catch { throw CLIError("\(error)") }
    }

    /// The resolved configuration for a new GAN run: preset, file, flags; steps from `epochs` when given
    /// (which needs the data's size), the features path made absolute.
    func resolvedConfig(_ settings: RunSettings, parallel: DataParallel?) throws -> RunConfig {
        var settings = settings
        let epochs = try Self.epochs(&settings)
        var config: RunConfig
        do { config = try RunConfig.resolve(settings) } catch { throw CLIError("\(error)") }
        if let features = config.training.featuresPath { config.training.featuresPath = URL(fileURLWithPath: features).standardizedFileURL.path }
        if let epochs {
            // Steps from epochs need the dataset size: load once to count.
            let size = try Self.rootCount(try config.data.load(seed: config.training.seed).count, parallel)
            // An epoch is the global batches (every rank's) that cover the data.
            let perEpoch = Swift.max(1, size / (config.training.batchSize * (parallel?.size ?? 1)) / config.training.criticSteps)
            config.training.steps = Swift.max(1, Int((epochs * Double(perEpoch)).rounded()))
        }
        return config
    }

    /// Takes `epochs` out of the settings (steps are computed from it and the data's size).
    /// - Throws: `CLIError` naming its origin when it is not a number in (0, 1000000].
    static func epochs(_ settings: inout RunSettings) throws -> Double? {
        guard let entry = settings.remove("epochs") else { return nil }
        var problem = ""
        guard let epochs = Double(setting: entry.value, problem: &problem), epochs > 0 && epochs <= 1_000_000 else {
            throw CLIError("\(entry.origin): epochs must be a number in (0, 1000000], got \(entry.value)")
        }
        return epochs
    }

    /// `--print-config`: the resolved configuration as `config.json` will hold it.
    static func printConfig(_ config: some RunConfigFile) throws {
        print(String(decoding: try config.encoded(), as: UTF8.self), terminator: "")
    }
}
