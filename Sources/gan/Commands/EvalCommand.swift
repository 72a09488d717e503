import ArgumentParser
import Foundation
import SwiftGANData
import SwiftGANMetrics
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// `gan eval`: the standard GAN metrics for a run, a sample file, or real data.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate samples: FID, KID, classifier score, precision/recall, density/coverage, class histogram (or the 2-D mixture metrics).",
        discussion: """
            Image metrics use the features of SwiftGAN's Fashion-MNIST classifier (or --features PATH) and compare
            with the data's test split. For ring8 and grid25 the mode-collapse metrics of the PacGAN paper are printed.

            Examples:
              gan eval --run runs/dcgan-quick
              gan eval --run runs/cgan --cas
              gan eval --samples samples.npy --data fashion-mnist --json
              gan eval --real                       # the floor: real train images against the test split
              gan eval --run runs/2d                # ring8 / grid25: modes, high-quality %, reverse KL
              gan eval --run runs/pix2pix-edges2fashion   # translation: L1, PSNR, SSIM, FID, consistency vs baselines
            """
    )

    @Option(name: .customLong("run"), help: "Evaluate this run directory's generator.")
    var runDirectory: String?

    @Option(
        help: ArgumentHelp(
            "Evaluate samples from a .npy file ([N, C, H, W] float in [-1, 1] (see --range) or uint8 0–255, or [N, 2]) "
                + "or a folder of PNG/JPEG images (resized and centre-cropped to the classifier's size, as `gan sample --out-dir` writes them)."))
    var samples: String?

    @Option(help: "The range of a float .npy's values: -1,1 (default; what generators' Tanh gives) or 0,1.")
    var range: String?

    @Option(help: "Write the mean and covariance of the evaluated images' features to this .npz (mu, sigma; as pytorch-fid's).")
    var saveStats: String?

    @Option(
        help:
            "Compute FID against these statistics (a --save-stats .npz) instead of loading the reference images; KID and the k-NN metrics need the images and are left out."
    )
    var referenceStats: String?

    @Flag(help: "Evaluate real training images (or mixture samples): the floor models are compared with.")
    var real = false

    @Option(
        help: ArgumentHelp(
            "The data for --samples and --real: fashion-mnist, ring8, grid25, a directory of IDX files, "
                + "or an image folder (its own images are the reference)."))
    var data: String = "fashion-mnist"

    @Option(parsing: .unconditional, help: "Image folders: resize to this square size.")
    var imageSize: Int?

    @Option(parsing: .unconditional, help: "Image folders: 1 (gray) or 3 (RGB) channels.")
    var channels: Int?

    @Option(parsing: .unconditional, help: "Number of samples (default 10000 for images, 2500 for 2-D mixtures, 26000 for stacked runs).")
    var count: Int?

    @Flag(inversion: .prefixedNo, help: "Use the EMA generator (default: when the run kept one).")
    var ema: Bool?

    @Flag(help: "Use the run's best.safetensors (kept by --eval-every).")
    var best = false

    @Option(help: "Feature classifier safetensors (default: the shipped Fashion-MNIST classifier).")
    var features: String?

    @Option(help: "Reference split: test or train.")
    var against: String = "test"

    @Flag(help: "Also compute the classification accuracy score (conditional runs): train a classifier on generated samples, test it on real data.")
    var cas = false

    @Option(parsing: .unconditional, help: "Training epochs of the CAS classifier.")
    var casEpochs: Int = 5

    @Option(parsing: .unconditional, help: "Random seed for latents and metric subsets.")
    var seed: UInt64 = 0

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(parsing: .unconditional, help: "Compute threads (default: the CPUs this process may use).")
    var threads: Int?

    @OptionGroup var progressOptions: ProgressOptions

    @OptionGroup var imageLimits: ImageLimitOptions

    func validate() throws {
        let sources = [runDirectory != nil, samples != nil, real].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give exactly one of --run DIR, --samples FILE.npy or --real") }
        if let count, count < 11 { throw ValidationError("--count must be at least 11, got \(count)") }
        guard IDXDataset.Split(rawValue: against) != nil else { throw ValidationError("--against must be test or train, got '\(against)'") }
        guard casEpochs >= 1 else { throw ValidationError("--cas-epochs must be at least 1, got \(casEpochs)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if runDirectory == nil && (ema != nil || best) { throw ValidationError("--ema and --best apply to --run") }
        if let channels, channels != 1 && channels != 3 { throw ValidationError("--channels must be 1 or 3, got \(channels)") }
        if cas && runDirectory == nil { throw ValidationError("--cas needs --run with a conditional model") }
        if let range, PixelScale(rawValue: range) == nil { throw ValidationError("--range must be -1,1 or 0,1, got '\(range)'") }
        if range != nil && samples == nil { throw ValidationError("--range applies to --samples FILE.npy") }
        if cas && referenceStats != nil {
            throw ValidationError("--cas trains on samples and tests on the real test split; it does not apply with --reference-stats")
        }
        try checkOutputs(saveStats)
    }

    func run() throws {
        // --threads scopes every kernel of the command (the default: all cores).
        try withExecutionContext(threads: threads) { try imageLimits.scope { try progressOptions.show(quietInLogs: json) { try execute() } } }
    }

    private func execute() throws {
        let began = Date()
        do {
            if let runDirectory {
                switch RunKind.of(directory: runDirectory) {
                case .cyclegan: return try evaluateCycleGAN(runDirectory)
                case .translation: return try evaluateTranslation(runDirectory)
                case .gan: break
                }
            }
            let input = try gatherSamples()
            // (A --samples file was checked in its declared range as it was read.)
            if samples == nil, let problem = valueProblem(input.samples, images: input.spec.mixture == nil) {
                throw CLIError("\(input.source): \(problem)")
            }
            var report = EvalReport(source: input.source, step: input.step, seconds: 0)
            if let mixture = input.spec.mixture {
                guard !mixture.modes.isEmpty else { throw CLIError("\(mixture.rawValue) has no discrete modes; use ring8 or grid25") }
                guard input.samples.rank == 2, input.samples.shape[1] == 2 else {
                    throw CLIError("\(input.source): expected 2-D points [N, 2] for \(mixture.rawValue), found \(input.samples.shape)")
                }
                report.mixture = MixtureMetrics.compute(points: input.samples, mixture: mixture)
            } else if input.spec.isStacked {
                if cas || referenceStats != nil || saveStats != nil {
                    throw CLIError("a stacked run is measured by its modes; --cas, --reference-stats and --save-stats do not apply")
                }
                let classifier = try EvaluationSetup.stackedClassifier(featuresPath: features)
                guard input.samples.rank == 4, Array(input.samples.shape.dropFirst(2)) == Array(classifier.architecture.imageShape.dropFirst()) else {
                    throw CLIError(
                        "\(input.source): the classifier labels channels of \(classifier.architecture.imageShape.dropFirst()), the samples are \(input.samples.shape)"
                    )
                }
                report.stacked = StackedModeMetrics.compute(samples: input.samples, classifier: classifier)
            } else if let referenceStats {
                let classifier = try EvaluationSetup.classifier(
                    featuresPath: features, imageShape: Array(input.samples.shape.dropFirst()), dataName: features == nil ? "fashion-mnist" : input.spec.name)
                if input.samples.shape[0] < 11 { throw CLIError("\(input.source): at least 11 samples are needed, got \(input.samples.shape[0])") }
                let (reference, referenceFeatures) = try FeatureStatistics.read(npz: referenceStats)
                if let referenceFeatures, referenceFeatures != featuresName {
                    throw CLIError("\(referenceStats): holds statistics of \(referenceFeatures)'s features; this evaluation uses \(featuresName)'s")
                }
                let outputs = classifier.outputs(for: input.samples)
                guard reference.mean.count == outputs.features.shape[1] else {
                    throw CLIError("\(referenceStats): statistics of \(reference.mean.count) features; the classifier gives \(outputs.features.shape[1])")
                }
                let names = classifier.architecture.classCount == 10 && features == nil ? IDXDataset.fashionMNISTClasses : nil
                report.statistics = StatisticsEvaluation(
                    outputs: outputs, reference: reference, named: referenceStats,
                    classNames: names ?? (0..<classifier.architecture.classCount).map(String.init))
                try saveStatistics(outputs)
            } else {
                let split = IDXDataset.Split(rawValue: against)!
                let evaluator = try EvaluationSetup.imageEvaluator(data: input.spec, featuresPath: features, split: split)
                if let problem = evaluator.shapeProblem(input.samples) { throw CLIError("\(input.source): \(problem)") }
                let outputs = evaluator.classifier.outputs(for: input.samples)
                var images = evaluator.evaluate(outputs: outputs, labels: input.labels, seed: seed)
                try saveStatistics(outputs)
                if cas {
                    guard let labels = input.labels else { throw CLIError("--cas needs a conditional model; this run is unconditional") }
                    let test = try EvaluationSetup.labelledSplit(input.spec, .test)
                    let recipe = ClassifierTraining(
                        architecture: evaluator.classifier.architecture, epochs: casEpochs,
                        horizontalFlip: input.spec.name == "fashion-mnist", seed: seed)
                    images.classificationAccuracyScore = ClassificationAccuracyScore.compute(
                        samples: input.samples, labels: labels, test: test, recipe: recipe)
                }
                report.images = images
            }
            report.seconds = Date().timeIntervalSince(began)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(report.table(featuresNote: report.images == nil && report.statistics == nil ? "" : try featuresNote()))
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// Samples to evaluate, where they came from, and the data they imitate.
    private func gatherSamples() throws -> (samples: Tensor, labels: [Int]?, source: String, step: Int?, spec: DataSpec) {
        if let run = runDirectory {
            let saved = try SavedRun(directory: run, best: best)
            let generator = try saved.generator(ema: ema)
            let mixture = saved.config.data.mixture != nil
            let n = count ?? (mixture ? MixtureMetrics.standardSampleCount : (saved.config.data.isStacked ? StackedModeMetrics.standardSampleCount : 10_000))
            try checkSampleCount(n, shape: saved.config.model.imageShape)
            let (samples, labels) = generator.sample(count: n, seed: seed)
            let which = (ema ?? saved.hasEMA) ? "EMA generator" : "generator"
            return (samples, labels, "\(run) (\(best ? "best" : "latest") checkpoint, step \(saved.step), \(which))", saved.step, saved.config.data)
        }
        let spec = DataSpec.parse(data, imageSize: imageSize, channels: channels)
        if let samples {
            var tensor = try readSamples(samples, images: spec.mixture == nil)
            if spec.mixture != nil && tensor.rank == 4 && tensor.shape.dropFirst() == [1, 1, 2] { tensor = tensor.reshaped([tensor.shape[0], 2]) }
            if let count, tensor.rank >= 1 {
                guard count <= tensor.shape[0] else {
                    throw CLIError("\(samples): --count \(count) is more than the \(tensor.shape[0]) samples in the file")
                }
                tensor = tensor.slice(axis: 0, start: 0, end: count)
            }
            return (tensor, nil, samples, nil, spec)
        }
        if spec.isStacked {
            var stacked = spec
            stacked.limit = count ?? StackedModeMetrics.standardSampleCount
            let images = try stacked.load(seed: seed)
            return (images.images, nil, "real \(spec.name) images", nil, spec)
        }
        if let mixture = spec.mixture {
            var random = RandomGenerator(seed: seed)
            let n = count ?? MixtureMetrics.standardSampleCount
            return (mixture.sample(n, random: &random).points, nil, "real \(mixture.rawValue) samples", nil, spec)
        }
        guard spec.name != "folder" && against == "test" else {
            let reason = spec.name == "folder" ? "an image folder has no test split" : "--against train would compare them with themselves"
            throw CLIError("--real compares real train images with the test split; \(reason)")
        }
        let trainSet = try EvaluationSetup.labelledSplit(spec, .train, limit: count ?? 10_000)
        return (trainSet.images, trainSet.labels, "real \(spec.name) train images", nil, spec)
    }

    private func featuresNote() throws -> String {
        let path = try features ?? FeatureClassifier.fashionMNISTPath()
        let provenance = try FeatureClassifier.load(path).provenance
        let accuracy = provenance.testAccuracy.map { String(format: ", test accuracy %.2f%%", 100 * $0) } ?? ""
        return "\(URL(fileURLWithPath: path).lastPathComponent) (trained on \(provenance.dataset)\(accuracy))"
    }
}

/// What `gan eval` prints.
struct EvalReport: Encodable {
    var source: String
    var step: Int?
    var seconds: Double
    var images: ImageEvaluation?
    /// Against `--reference-stats`.
    var statistics: StatisticsEvaluation?
    var mixture: MixtureMetrics?
    /// Stacked runs: modes by the classifier on each channel.
    var stacked: StackedModeMetrics?

    func table(featuresNote: String) -> String {
        var lines = ["Samples:    \(source)"]
        func row(_ name: String, _ value: String) { lines.append("  " + name.padding(toLength: 22, withPad: " ", startingAt: 0) + value) }
        if let images {
            lines.append("Reference:  \(images.reference) (\(images.referenceCount.formatted()) images)")
            lines.append("Features:   \(featuresNote)")
            lines.append("")
            row("samples", images.sampleCount.formatted())
            row("FID", String(format: "%.3f", images.fid))
            row(
                "KID",
                String(
                    format: "%.5f ± %.5f  (%d subsets of %d)", images.kid.mean, images.kid.standardDeviation,
                    images.kid.subsets, images.kid.subsetSize))
            row(
                "classifier score",
                String(
                    format: "%.3f ± %.3f  (%d splits; max %d)", images.classifierScore.mean,
                    images.classifierScore.standardDeviation, images.classifierScore.splits, images.classNames.count))
            row("precision (k=3)", String(format: "%.4f", images.manifold.precision))
            row("recall (k=3)", String(format: "%.4f", images.manifold.recall))
            row("density (k=5)", String(format: "%.4f", images.manifold.density))
            row("coverage (k=5)", String(format: "%.4f", images.manifold.coverage))
            row("classes ≥ 1%", "\(images.classHistogram.classesCovered) of \(images.classNames.count)")
            if let cas = images.classificationAccuracyScore { row("CAS", String(format: "%.2f%%", 100 * cas)) }
            if let conditional = images.conditional {
                row("label accuracy", String(format: "%.2f%%  (the classifier's class = the requested one)", 100 * conditional.labelAccuracy))
                if let fid = conditional.intraClassFID { row("intra-class FID", String(format: "%.3f  (mean of per-class FIDs)", fid)) }
            }
            lines.append("")
            if let conditional = images.conditional {
                lines.append("  class histogram:".padding(toLength: 36, withPad: " ", startingAt: 0) + "accuracy      FID  (of the requested class)")
                for (index, count) in images.classHistogram.counts.enumerated() {
                    let name = index < images.classNames.count ? images.classNames[index] : String(index)
                    let share = 100 * Double(count) / Double(Swift.max(images.sampleCount, 1))
                    let accuracy = index < conditional.perClassAccuracy.count ? conditional.perClassAccuracy[index] : nil
                    let fid = index < conditional.perClassFID.count ? conditional.perClassFID[index] : nil
                    lines.append(
                        "    " + name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: "%6d  %5.1f%%", count, share)
                            + "    " + (accuracy.map { String(format: "%7.1f%%", 100 * $0) } ?? "       -")
                            + (fid.map { String(format: "  %7.3f", $0) } ?? "        -"))
                }
            } else {
                lines.append("  class histogram:")
                for (index, count) in images.classHistogram.counts.enumerated() {
                    let name = index < images.classNames.count ? images.classNames[index] : String(index)
                    let share = 100 * Double(count) / Double(Swift.max(images.sampleCount, 1))
                    lines.append("    " + name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(format: "%6d  %5.1f%%", count, share))
                }
            }
        }
        if let statistics {
            lines.append("Reference:  statistics in \(statistics.reference) (of \(statistics.referenceCount.formatted()) images)")
            lines.append("Features:   \(featuresNote)")
            lines.append("")
            row("samples", statistics.sampleCount.formatted())
            row("FID", String(format: "%.3f", statistics.fid))
            row(
                "classifier score",
                String(
                    format: "%.3f ± %.3f  (%d splits; max %d)", statistics.classifierScore.mean, statistics.classifierScore.standardDeviation,
                    statistics.classifierScore.splits, statistics.classNames.count))
            row("classes ≥ 1%", "\(statistics.classHistogram.classesCovered) of \(statistics.classNames.count)")
            lines.append("  (KID, precision/recall, density/coverage need the reference images: drop --reference-stats)")
        }
        if let mixture {
            lines.append("")
            row("samples", mixture.sampleCount.formatted())
            row("modes captured", "\(mixture.modesCaptured) of \(mixture.modeCount)")
            row("high quality (≤ 3σ)", String(format: "%.1f%%", 100 * mixture.highQualityFraction))
            row("reverse KL", mixture.reverseKL.map { String(format: "%.3f", $0) } ?? "undefined (no high-quality samples)")
            lines.append("")
            lines.append("  published (2,500 samples):")
            let mixtureKind: Mixture2D = mixture.modeCount == 8 ? .ring8 : .grid25
            for result in PublishedMixtureResult.pacGANTable(for: mixtureKind) {
                lines.append(
                    "    " + result.method.padding(toLength: 26, withPad: " ", startingAt: 0)
                        + String(
                            format: "modes %.1f  high quality %.1f%%  reverse KL %.2f", result.modesCaptured,
                            result.highQualityPercent, result.reverseKL))
            }
        }
        if let stacked {
            lines.append("")
            row("samples", stacked.sampleCount.formatted())
            row("modes covered", "\(stacked.modesCovered) of \(stacked.modeCount)  (the classifier on each channel)")
            row("KL to uniform", String(format: "%.3f", stacked.klToUniform))
            lines.append("")
            lines.append("  published (Stacked MNIST, 26,000 samples):")
            for result in PublishedStackedResult.pacGANTable {
                lines.append(
                    "    " + result.method.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "modes %.1f  KL %.2f", result.modes, result.kl))
            }
        }
        lines.append("")
        lines.append(String(format: "evaluated in %.1f s", seconds))
        return lines.joined(separator: "\n")
    }
}
