import Foundation
import SwiftGANMetrics
import SwiftGANTraining

/// `gan eval --run` on a CycleGAN run: per direction FID against the target
/// domain's test images, the classifier's class rate, cycle L1 and, where
/// the true mapping is known, L1/PSNR/SSIM to it, beside the baselines.
extension EvalCommand {
    func evaluateCycleGAN(_ directory: String) throws {
        let began = Date()
        let ignored: [(String, Bool)] = [("--ema", ema != nil), ("--best", best), ("--cas", cas), ("--against", against != "test")]
        if let flag = ignored.first(where: \.1) {
            throw CLIError("\(flag.0) does not apply to CycleGAN runs (they keep no EMA or best checkpoint and are scored on the test split)")
        }
        let saved = try SavedCycleGANRun(directory: directory)
        let model = saved.config.model
        let classifierA = try cycleGANJudge(model.shapeA, builtIn: saved.config.data.task != nil)
        let classifierB = try cycleGANJudge(model.shapeB, builtIn: saved.config.data.task != nil)
        if let features, classifierA == nil && classifierB == nil {
            throw CLIError(
                "\(features): the classifier takes images \(try FeatureClassifier.load(features).classifier.architecture.imageShape), the run's domains are \(model.shapeA) and \(model.shapeB)"
            )
        }
        let evaluation = try CycleGANEvaluator.evaluate(saved, count: count, classifierA: classifierA, classifierB: classifierB)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
            return
        }
        print("\(directory): cyclegan on \(evaluation.data), step \(evaluation.step)")
        func number(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        for direction in evaluation.directions {
            print("\n\(direction.name) (\(direction.count) test images)   FID      class    cycle L1  truth L1  PSNR    SSIM")
            for (name, scores) in [("model", direction.model)] + direction.baselines.map({ ($0.name, $0.scores) }) {
                let columns = [
                    number(scores.fid, "%7.3f"), number(scores.classRate.map { 100 * $0 }, "%5.1f%%"), number(scores.cycleL1, "%.4f"),
                    number(scores.truthL1, "%.4f"), number(scores.truthPSNR, "%6.2f"), number(scores.truthSSIM, "%.4f")
                ]
                print(
                    "  " + name.padding(toLength: 26, withPad: " ", startingAt: 0)
                        + zip(columns, [9, 9, 10, 10, 8, 8]).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined())
            }
            if let meaning = direction.classRateMeaning {
                let ceiling = direction.targetClassRate.map { String(format: "; on the target domain's own test images %.1f%%", 100 * $0) } ?? ""
                print("  class: the classifier's rate of the \(meaning)\(ceiling)")
            }
        }
        if classifierA == nil || classifierB == nil {
            print("FID and class rates need a feature classifier for the images of each domain: pass --features")
        }
        print(String(format: "(%.1f s)", Date().timeIntervalSince(began)))
    }

    /// The classifier that judges images of `shape`: `--features` when it
    /// takes them (or their luma); for the built-in tasks the shipped
    /// Fashion-MNIST classifier for gray images and the colourised one for colour.
    private func cycleGANJudge(_ shape: [Int], builtIn: Bool) throws -> FeatureClassifier? {
        let gray = [1] + Array(shape.dropFirst())
        if let features {
            let classifier = try FeatureClassifier.load(features).classifier
            return [shape, gray].contains(classifier.architecture.imageShape) ? classifier : nil
        }
        guard builtIn else { return nil }
        if shape[0] == 3 {
            return try FeatureClassifier.load(FeatureClassifier.shippedPath(FeatureClassifier.colorizedFashionMNISTFileName)).classifier
        }
        return try EvaluationSetup.classifier(featuresPath: nil, imageShape: gray)
    }
}
