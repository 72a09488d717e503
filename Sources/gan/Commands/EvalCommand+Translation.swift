import Foundation
import SwiftGANMetrics
import SwiftGANTraining

/// `gan eval --run` on a translation run: L1, PSNR, SSIM, FID and classifier
/// consistency on the test split, beside the task's baselines.
extension EvalCommand {
    func evaluateTranslation(_ directory: String) throws {
        let began = Date()
        let saved = try SavedTranslationRun(directory: directory)
        let classifier = try translationJudge(saved.config)
        let evaluation = try TranslationEvaluator.evaluate(saved, count: count, classifier: classifier)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(evaluation), as: UTF8.self))
            return
        }
        print("\(directory): \(evaluation.task) on \(evaluation.data), step \(evaluation.step), \(evaluation.testCount) test pairs")
        func number(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
        let header = "                      L1      PSNR    SSIM    FID      consistency"
        print(header)
        for (name, scores) in [("model", evaluation.model)] + evaluation.baselines.map({ ($0.name, $0.scores) }) {
            print(
                name.padding(toLength: 20, withPad: " ", startingAt: 0) + "  " + String(format: "%.4f  %6.2f  %.4f  ", scores.l1, scores.psnr, scores.ssim)
                    + number(scores.fid, "%7.3f").padding(toLength: 9, withPad: " ", startingAt: 0)
                    + number(scores.classifierConsistency.map { 100 * $0 }, "%.1f%%"))
        }
        if let ceiling = evaluation.targetConsistency {
            print(String(format: "targets' own consistency (the classifier's accuracy): %.1f%%", 100 * ceiling))
        }
        if classifier == nil { print("FID and consistency need a feature classifier for these images: pass --features") }
        if let classifier {
            let colour = classifier.architecture.imageShape == saved.config.model.outputShape && saved.config.model.outputShape[0] == 3
            print("FID and consistency: \(features ?? "the shipped classifier") on \(colour ? "the colour images" : "gray (luma)")")
        }
        print(String(format: "(%.1f s)", Date().timeIntervalSince(began)))
    }

    /// The classifier that judges a translation run's outputs: `--features`
    /// (taking the outputs' shape, or their luma's); for `colorize` the shipped
    /// classifier of the colourised Fashion-MNIST (colour decides the class
    /// there); for the other built-in tasks the shipped Fashion-MNIST one;
    /// none for folders.
    private func translationJudge(_ config: TranslationConfig) throws -> FeatureClassifier? {
        let output = config.model.outputShape
        let gray = [1] + Array(output.dropFirst())
        if let features {
            let classifier = try FeatureClassifier.load(features).classifier
            guard [output, gray].contains(classifier.architecture.imageShape) else {
                throw CLIError(
                    "\(features): the classifier takes images \(classifier.architecture.imageShape), the run's outputs are \(output)")
            }
            return classifier
        }
        switch config.data.task {
        case .colorize:
            return try FeatureClassifier.load(FeatureClassifier.shippedPath(FeatureClassifier.colorizedFashionMNISTFileName)).classifier
        case .some:
            return try EvaluationSetup.classifier(featuresPath: nil, imageShape: gray)
        case nil:
            return nil
        }
    }
}
