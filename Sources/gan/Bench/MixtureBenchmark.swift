import Foundation
import SwiftGANMetrics
import SwiftGANTraining

/// `gan bench --suite mixtures`: PacGAN's Table 1 protocol (`MixtureProtocol`)
/// for each mixture and pack size, printed beside the published rows.
struct MixtureBenchmark {
    var mixtures: [String]
    var packs: [Int]
    var trials: Int
    /// The --config file's settings and the command's own (steps), applied to every row.
    var settings: RunSettings
    var json: Bool

    /// The configurations of every row, resolved before any trains, so a bad setting fails at once.
    func configurations() throws -> [RunConfig] {
        var configs: [RunConfig] = []
        for mixture in mixtures {
            for pack in packs {
                var row = settings
                row.set("data", .string(mixture), origin: "--mixtures")
                row.set("pack", SettingValue(pack), origin: "--packs")
                do { configs.append(try RunConfig.resolve(row)) } catch { throw CLIError("\(error)") }
            }
        }
        return configs
    }

    func run() throws {
        let configs = try configurations()
        for config in configs {
            let protocolRun = MixtureProtocol(config: config, trials: trials)
            if let problem = protocolRun.problem { throw CLIError(problem) }
        }
        var current = ""
        for config in configs {
            let name = config.data.name
            if !json && name != current {
                current = name
                print("\n\(name): \(trials) trials, 2,500 samples each, \(config.training.steps) steps (mean ± standard error)")
                print(pad("method", 30) + pad("modes", 16) + pad("high quality %", 18) + pad("reverse KL", 16) + "s / trial")
            }
            let protocolRun = MixtureProtocol(config: config, trials: trials)
            let summary = try protocolRun.run { trial in
                if !json {
                    let m = trial.metrics
                    let kl = m.reverseKL.map { String(format: "%.3f", $0) } ?? "–"
                    FileHandle.standardError.write(
                        Data(
                            String(
                                format: "  seed %llu: %d modes, %.1f%% high quality, KL %@, %.1f s\n", trial.seed, m.modesCaptured,
                                100 * m.highQualityFraction, kl, trial.trainingSeconds
                            ).utf8))
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            } else {
                let label = "SwiftGAN" + (summary.pack > 1 ? " pack \(summary.pack)" : "")
                print(
                    pad(label, 30) + pad(Self.format(summary.modes, digits: 1), 16)
                        + pad(Self.format(summary.highQualityPercent, digits: 1), 18)
                        + pad(Self.format(summary.reverseKL, digits: 3), 16) + String(format: "%.1f", summary.meanTrainingSeconds))
                if config == configs.last(where: { $0.data.name == name }), let mixture = config.data.mixture {
                    for row in PublishedMixtureResult.pacGANTable(for: mixture) {
                        print(
                            pad(row.method, 30) + pad(String(format: "%.1f", row.modesCaptured), 16)
                                + pad(String(format: "%.1f", row.highQualityPercent), 18) + pad(String(format: "%.2f", row.reverseKL), 16))
                    }
                }
            }
            fflush(nil)
        }
    }

    static func format(_ estimate: MixtureProtocol.Estimate, digits: Int) -> String {
        String(format: "%.\(digits)f ± %.\(digits)f", estimate.mean, estimate.standardError)
    }
}
