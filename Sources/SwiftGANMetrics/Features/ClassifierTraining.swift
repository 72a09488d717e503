import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// Supervised training of a `FeatureClassifier`: Adam, cross-entropy, random
/// horizontal flips, the learning rate held for the first half and decayed
/// linearly to zero over the second. Seeded: the same options and data give
/// the same weights.
public struct ClassifierTraining: Sendable {
    public var architecture: FeatureClassifier.Architecture
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Float
    public var horizontalFlip: Bool
    public var seed: UInt64

    /// Defaults: the recipe of the shipped Fashion-MNIST classifier.
    public init(
        architecture: FeatureClassifier.Architecture = .init(), epochs: Int = 10, batchSize: Int = 128,
        learningRate: Float = 2e-3, horizontalFlip: Bool = true, seed: UInt64 = 0
    ) {
        self.architecture = architecture
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.horizontalFlip = horizontalFlip
        self.seed = seed
    }

    /// Why these options cannot train, or nil.
    public func validationProblem() -> String? {
        if epochs <= 0 { return "epochs \(epochs) must be positive" }
        if batchSize <= 0 { return "batch size \(batchSize) must be positive" }
        if !(learningRate > 0) || !learningRate.isFinite { return "learning rate \(learningRate) must be a positive number" }
        return architecture.validationProblem()
    }

    /// Progress after each logged step.
    public struct Progress: Sendable {
        public var epoch: Int
        public var step: Int
        public var totalSteps: Int
        /// Mean training loss since the previous report.
        public var loss: Double
        /// Training accuracy since the previous report.
        public var accuracy: Double
    }

    /// Trains a fresh classifier on `dataset` (images `[N, C, H, W]`,
    /// labels in `0..<classCount`) and returns it in evaluation mode.
    public func run(
        on dataset: ImageDataset, reportEvery: Int = 100,
        progress: (Progress) -> Void = { _ in }
    ) -> FeatureClassifier {
        if let problem = validationProblem() { fatalError("ClassifierTraining: \(problem)") }
        require(
            dataset.imageShape == architecture.imageShape,
            "ClassifierTraining: dataset images \(dataset.imageShape) but the classifier expects \(architecture.imageShape)")
        require(
            dataset.labels.allSatisfy { $0 >= 0 && $0 < architecture.classCount },
            "ClassifierTraining: labels must be in 0..<\(architecture.classCount)")
        var random = RandomGenerator(seed: seed)
        let classifier = FeatureClassifier(architecture, random: &random)
        let loader = DataLoader(
            dataset, batchSize: batchSize, shuffle: true, dropLast: dataset.count >= batchSize,
            horizontalFlip: horizontalFlip, seed: random.next())
        let totalSteps = epochs * loader.batchesPerEpoch
        let optimizer = Adam(classifier.parameters(), learningRate: learningRate)
        optimizer.schedule = LinearDecaySchedule(
            initial: learningRate, final: 0, startStep: totalSteps / 2,
            decaySteps: Swift.max(1, totalSteps - totalSteps / 2))
        var lossSum = 0.0
        var correct = 0
        var seen = 0
        for step in 0..<totalSteps {
            let batch = loader.next()
            classifier.zeroGrad()
            let logits = classifier(batch.images)
            let loss = Loss.crossEntropy(logits, labels: batch.labels)
            loss.backward()
            optimizer.step()
            lossSum += Double(loss.item) * Double(batch.labels.count)
            correct += zip(logits.argmax(axis: 1), batch.labels).filter { $0 == $1 }.count
            seen += batch.labels.count
            ProgressReporting.report("training the classifier", done: step + 1, total: totalSteps)
            if (step + 1) % reportEvery == 0 || step + 1 == totalSteps {
                progress(
                    Progress(
                        epoch: batch.position.epoch, step: step + 1, totalSteps: totalSteps,
                        loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen)))
                lossSum = 0
                correct = 0
                seen = 0
            }
        }
        return classifier.eval()
    }
}
