import SwiftGANTensor

/// How well a conditional generator's samples match the classes they were
/// generated for, judged by the feature classifier: its accuracy against
/// the requested labels (overall and per class), and the intra-class FID,
/// the mean over classes of the FID between a class's samples and the
/// reference images of that class (as StudioGAN reports it; lower is better).
public struct ConditionalEvaluation: Sendable, Codable, Equatable {
    /// The fraction of samples the classifier assigns to their requested class.
    public var labelAccuracy: Double
    /// The same per requested class (nil for a class with no samples).
    public var perClassAccuracy: [Double?]
    /// The mean of `perClassFID` over the classes that have one; nil when no class has.
    public var intraClassFID: Double?
    /// Per class, the FID of its samples against its reference images (nil
    /// for a class with fewer than 2 of either).
    public var perClassFID: [Double?]

    /// - Parameters:
    ///   - outputs: the classifier's outputs for the samples `[N, ...]`.
    ///   - labels: the class each sample was generated for, N of them, in `0..<classCount`.
    ///   - reference: the classifier's outputs for the reference images, with their `referenceLabels`.
    public static func compute(
        outputs: ClassifierOutputs, labels: [Int], reference: ClassifierOutputs, referenceLabels: [Int], classCount: Int
    ) -> ConditionalEvaluation {
        require(labels.count == outputs.features.shape[0], "ConditionalEvaluation: \(labels.count) labels for \(outputs.features.shape[0]) samples")
        require(
            referenceLabels.count == reference.features.shape[0],
            "ConditionalEvaluation: \(referenceLabels.count) reference labels for \(reference.features.shape[0]) images")
        require(
            classCount >= 1 && (labels + referenceLabels).allSatisfy { $0 >= 0 && $0 < classCount },
            "ConditionalEvaluation: labels must be in 0..<\(classCount)")
        let predicted = outputs.predictedClasses
        var correct = [Int](repeating: 0, count: classCount)
        var counts = [Int](repeating: 0, count: classCount)
        for (label, guess) in zip(labels, predicted) {
            counts[label] += 1
            if label == guess { correct[label] += 1 }
        }
        let accuracy = Double(correct.reduce(0, +)) / Double(Swift.max(labels.count, 1))
        let perClassAccuracy = (0..<classCount).map { counts[$0] == 0 ? nil : Double(correct[$0]) / Double(counts[$0]) }
        func rows(_ labels: [Int]) -> [[Int]] {
            var result = [[Int]](repeating: [], count: classCount)
            for (index, label) in labels.enumerated() { result[label].append(index) }
            return result
        }
        let (sampleRows, referenceRows) = (rows(labels), rows(referenceLabels))
        let perClassFID: [Double?] = (0..<classCount).map { index in
            guard sampleRows[index].count >= 2, referenceRows[index].count >= 2 else { return nil }
            return FeatureStatistics.frechetDistance(
                FeatureStatistics(features: outputs.features.indexSelect(sampleRows[index])),
                FeatureStatistics(features: reference.features.indexSelect(referenceRows[index])))
        }
        let known = perClassFID.compactMap { $0 }
        return ConditionalEvaluation(
            labelAccuracy: accuracy, perClassAccuracy: perClassAccuracy,
            intraClassFID: known.isEmpty ? nil : known.reduce(0, +) / Double(known.count), perClassFID: perClassFID)
    }
}
