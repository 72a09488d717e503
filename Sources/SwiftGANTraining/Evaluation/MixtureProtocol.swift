import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANTensor

/// The evaluation protocol of PacGAN's Table 1 (Lin et al. 2018, after
/// VEEGAN): train the same configuration on a 2-D mixture from several
/// seeds, measure 2,500 samples of each trained generator with
/// `MixtureMetrics`, and report each measure's mean and standard error
/// over the trials.
///
/// ```swift
/// let config = try RunConfig.resolve(RunSettings(["data": .string("grid25"), "pack": 4], origin: "example"))
/// let summary = try MixtureProtocol(config: config, trials: 10).run()
/// print(summary.modes.mean, summary.highQualityPercent.mean, summary.reverseKL.mean)
/// ```
public struct MixtureProtocol: Sendable {
    /// A run's configuration on a mixture with discrete modes (`ring8`, `grid25`); each trial replaces its seed.
    public var config: RunConfig
    /// How many runs (PacGAN: 10).
    public var trials: Int
    /// Samples measured per trained generator (PacGAN: 2,500).
    public var sampleCount: Int
    /// Trial `t` trains with seed `firstSeed + t` (the mixture's training points, G's and D's
    /// initialisation, every draw of training) and measures samples drawn from seed `firstSeed + t + 1,000,000`.
    public var firstSeed: UInt64

    /// One trained run's measures.
    public struct Trial: Codable, Equatable, Sendable {
        public var seed: UInt64
        public var metrics: MixtureMetrics
        /// Wall-clock seconds of training (data loading and the model build included, evaluation not).
        public var trainingSeconds: Double
    }

    /// A mean and its standard error (the sample standard deviation over √n; 0 for one trial).
    public struct Estimate: Codable, Equatable, Sendable {
        public var mean: Double
        public var standardError: Double

        public init(_ values: [Double]) {
            let n = Double(values.count)
            mean = values.reduce(0, +) / Swift.max(n, 1)
            let m = mean
            let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1) : 0
            standardError = (variance / Swift.max(n, 1)).squareRoot()
        }
    }

    /// The protocol's result: every trial and the summary rows PacGAN's table prints.
    public struct Summary: Codable, Equatable, Sendable {
        public var mixture: String
        public var pack: Int
        public var steps: Int
        public var trials: [Trial]
        /// Modes captured (of the mixture's 8 or 25).
        public var modes: Estimate
        /// Percent of samples within 3σ of their nearest mode.
        public var highQualityPercent: Estimate
        /// Reverse KL of the high-quality samples' mode histogram to uniform (a trial with no
        /// high-quality sample counts as log K, every mass on one mode's worth of nothing).
        public var reverseKL: Estimate
        /// Mean training seconds per trial.
        public var meanTrainingSeconds: Double
    }

    /// - Precondition: `config.data` names a mixture with discrete modes; `trials` and `sampleCount` are positive.
    public init(config: RunConfig, trials: Int = 10, sampleCount: Int = MixtureMetrics.standardSampleCount, firstSeed: UInt64 = 0) {
        self.config = config
        self.trials = trials
        self.sampleCount = sampleCount
        self.firstSeed = firstSeed
    }

    /// Why this protocol cannot run, or nil.
    public var problem: String? {
        guard let mixture = config.data.mixture, !mixture.modes.isEmpty else {
            return "the mixture protocol needs ring8 or grid25, not \(config.data.name)"
        }
        guard trials >= 1 else { return "trials must be at least 1, got \(trials)" }
        guard sampleCount >= 1 else { return "the sample count must be at least 1, got \(sampleCount)" }
        return nil
    }

    /// Trains and measures every trial in turn, telling `progress` of each as it ends.
    /// - Throws: `TrainingError` for a configuration that cannot train, or a step that
    ///   fails (a non-finite loss); the trials before it were told to `progress`.
    public func run(progress: (Trial) -> Void = { _ in }) throws -> Summary {
        if let problem { throw TrainingError.invalidConfiguration(problem) }
        let mixture = config.data.mixture!
        var results: [Trial] = []
        for index in 0..<trials {
            let seed = firstSeed &+ UInt64(index)
            let trial = try runTrial(seed: seed, mixture: mixture)
            results.append(trial)
            progress(trial)
        }
        let worstKL = log(Double(mixture.modes.count))
        return Summary(
            mixture: mixture.rawValue, pack: config.model.pack, steps: config.training.steps, trials: results,
            modes: Estimate(results.map { Double($0.metrics.modesCaptured) }),
            highQualityPercent: Estimate(results.map { 100 * $0.metrics.highQualityFraction }),
            reverseKL: Estimate(results.map { $0.metrics.reverseKL ?? worstKL }),
            meanTrainingSeconds: results.map(\.trainingSeconds).reduce(0, +) / Double(results.count))
    }

    private func runTrial(seed: UInt64, mixture: Mixture2D) throws -> Trial {
        var trialConfig = config
        trialConfig.training.seed = seed
        let start = Date()
        let trainer = try Trainer(config: trialConfig, dataset: try trialConfig.data.load(seed: seed))
        while trainer.step < trialConfig.training.steps {
            _ = try trainer.trainStep()
        }
        let seconds = Date().timeIntervalSince(start)
        let points = trainer.samplingGenerator().sample(count: sampleCount, seed: seed &+ 1_000_000).samples
        return Trial(seed: seed, metrics: MixtureMetrics.compute(points: points, mixture: mixture), trainingSeconds: seconds)
    }
}
