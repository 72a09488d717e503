import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining
import Synchronization

/// What the lab trains and how: the data (a built-in mixture or points the
/// user drew), the objective, both learning rates and the D:G update ratio.
public struct LabSettings: Codable, Equatable, Sendable {
    /// `ring8`, `grid25`, `spiral`, `moons`, or `custom` (then `customPoints`).
    public var data: String
    /// Drawn points `[x0, y0, x1, y1, ...]` for `custom` data.
    public var customPoints: [Float]?
    /// An objective's name as `--objective` takes it (`non-saturating`, `lsgan`, `wgan-gp`, ...).
    public var objective: String
    public var learningRateG: Float
    public var learningRateD: Float
    /// D updates per G update (the D:G ratio's D part) and G updates per step.
    public var discriminatorSteps: Int
    public var generatorSteps: Int
    /// Steps between two views (while playing).
    public var refreshEvery: Int
    public var seed: UInt64

    public init(
        data: String = "ring8", customPoints: [Float]? = nil, objective: String = "non-saturating", learningRateG: Float = 1e-3,
        learningRateD: Float = 1e-3, discriminatorSteps: Int = 1, generatorSteps: Int = 1, refreshEvery: Int = 10, seed: UInt64 = 0
    ) {
        self.data = data
        self.customPoints = customPoints
        self.objective = objective
        self.learningRateG = learningRateG
        self.learningRateD = learningRateD
        self.discriminatorSteps = discriminatorSteps
        self.generatorSteps = generatorSteps
        self.refreshEvery = refreshEvery
        self.seed = seed
    }

    /// Why these settings cannot be trained, or nil.
    public var problem: String? {
        if data == "custom" {
            guard let points = customPoints, points.count >= 6, points.count % 2 == 0, points.count <= 20_000 else {
                return "custom data needs 3 to 10,000 drawn points"
            }
            if !points.allSatisfy({ $0.isFinite && abs($0) < 1e4 }) { return "drawn points must be finite" }
        } else if Mixture2D(rawValue: data) == nil {
            return "data \(data) is not one of \(Mixture2D.allCases.map(\.rawValue).joined(separator: ", ")) or custom"
        }
        if Objective(rawValue: objective) == nil {
            return "objective \(objective) is not one of \(Objective.allCases.map(\.rawValue).joined(separator: ", "))"
        }
        for (name, rate) in [("learning rate of G", learningRateG), ("learning rate of D", learningRateD)]
        where !(rate > 0 && rate <= 1) {
            return "\(name) \(rate) must be in (0, 1]"
        }
        if !(1...20).contains(discriminatorSteps) || !(1...20).contains(generatorSteps) { return "D and G steps per round must be 1 to 20" }
        if !(1...1000).contains(refreshEvery) { return "refresh every \(refreshEvery) steps must be 1 to 1000" }
        return nil
    }
}

/// An action from the lab's page.
public enum LabAction: Sendable {
    case play, pause, discriminatorStep, generatorStep, reset
    /// New settings: rates and ratio apply at once; new data or a new objective restart training.
    case configure(LabSettings)
}

/// The lab's state as the page shows it.
public struct LabState: Codable, Equatable, Sendable {
    /// Bumped on every change; the page's stream sends a state when it moves.
    public var version: Int
    public var playing: Bool
    /// G updates and D updates so far.
    public var generatorUpdates: Int
    public var discriminatorUpdates: Int
    public var settings: LabSettings
    /// The last logged scalars (`loss/discriminator`, `score/real`, ...).
    public var metrics: [String: Float]
    /// Recent (G update, D loss, G loss) triples, for the loss chart.
    public var history: [[Float]]
    public var view: MixtureView?
    /// Why training stopped (a diverged loss), or nil.
    public var error: String?
    /// Which session this state is of (a page that reconnects to a restarted lab takes the new one's states).
    public var session: String
}

/// GAN Lab's experience on SwiftGAN's engine: a 2-D GAN trained in this
/// process, driven by the page (play, pause, one D update, one G update,
/// reset, new settings or drawn data). Training runs on its own thread
/// inside the execution context given at creation; every action and read
/// takes the session's lock, so the page sees whole steps only.
public final class LabSession: @unchecked Sendable {
    private let condition = NSCondition()
    private var trainer: Trainer
    private var real: Tensor
    private var state: LabState
    private var closed = false
    /// Callers waiting for the lock; the training thread steps aside for them between steps.
    private let waiting = Atomic<Int>(0)
    /// The G update of the last view.
    private var viewedAt = 0
    private let threads: Int
    private static let historyLimit = 600

    /// Builds the first GAN for `settings` and starts the (paused) training thread.
    /// - Throws: `TrainingError.invalidConfiguration` naming the bad setting.
    public init(settings: LabSettings = LabSettings(), threads: Int) throws {
        if let problem = settings.problem { throw TrainingError.invalidConfiguration(problem) }
        self.threads = threads
        (trainer, real) = try withExecutionContext(threads: threads) { try Self.makeTrainer(settings) }
        state = LabState(
            version: 0, playing: false, generatorUpdates: 0, discriminatorUpdates: 0, settings: settings, metrics: [:], history: [],
            view: nil, error: nil, session: UUID().uuidString)
        withExecutionContext(threads: threads) { refreshView() }
        // The thread holds the session until `close()`.
        let thread = Thread { self.trainLoop() }
        thread.name = "swiftgan-lab"
        thread.start()
    }

    /// Stops the training thread (the session cannot be used afterwards);
    /// until then the thread keeps the session alive.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The current state.
    public func current() -> LabState {
        lock()
        defer { condition.unlock() }
        return state
    }

    /// Takes the lock, telling the training thread someone waits for it.
    private func lock() {
        waiting.add(1, ordering: .relaxed)
        condition.lock()
        waiting.subtract(1, ordering: .relaxed)
    }

    /// Applies `action` and returns the new state.
    /// - Throws: `TrainingError.invalidConfiguration` for unusable settings (nothing changes then).
    @discardableResult
    public func perform(_ action: LabAction) throws -> LabState {
        lock()
        defer { condition.unlock() }
        try withExecutionContext(threads: threads) {
            switch action {
            case .play:
                state.playing = true
                state.error = nil
            case .pause:
                state.playing = false
            case .discriminatorStep:
                state.playing = false
                state.error = nil
                runUpdate("discriminator")
                refreshView()
            case .generatorStep:
                state.playing = false
                state.error = nil
                runUpdate("generator")
                refreshView()
            case .reset:
                try restart(state.settings)
            case .configure(let settings):
                if let problem = settings.problem { throw TrainingError.invalidConfiguration(problem) }
                let restarts =
                    settings.data != state.settings.data || settings.customPoints != state.settings.customPoints
                    || settings.objective != state.settings.objective || settings.seed != state.settings.seed
                if restarts {
                    try restart(settings)
                } else {
                    state.settings = settings
                    trainer.optimizerG.learningRate = settings.learningRateG
                    trainer.optimizerD.learningRate = settings.learningRateD
                }
            }
        }
        state.version += 1
        condition.broadcast()
        return state
    }

    // MARK: - Training

    private func trainLoop() {
        withExecutionContext(threads: threads) {
            while true {
                condition.lock()
                while !closed && !state.playing { condition.wait() }
                if closed {
                    condition.unlock()
                    return
                }
                let updates =
                    [String](repeating: "discriminator", count: state.settings.discriminatorSteps)
                    + [String](repeating: "generator", count: state.settings.generatorSteps)
                // A diverged update ends the round (and pauses).
                for name in updates where state.error == nil { runUpdate(name) }
                if state.generatorUpdates - viewedAt >= state.settings.refreshEvery || !state.playing {
                    refreshView()
                    state.version += 1
                }
                condition.unlock()
                // Let a waiting action or reader in before the next step (the lock is not fair).
                while waiting.load(ordering: .relaxed) > 0 { usleep(200) }
            }
        }
    }

    /// One update; a diverged loss pauses training and is reported in the state.
    private func runUpdate(_ name: String) {
        do {
            let scalars = try trainer.trainUpdate(name)
            state.metrics.merge(scalars) { $1 }
            if name == "generator" {
                state.generatorUpdates += 1
                state.history.append([
                    Float(state.generatorUpdates), state.metrics["loss/discriminator"] ?? .nan, state.metrics["loss/generator"] ?? .nan
                ])
                if state.history.count > Self.historyLimit { state.history.removeFirst(state.history.count - Self.historyLimit) }
            } else {
                state.discriminatorUpdates += 1
            }
        } catch {
            state.playing = false
            state.error = "\(error)"
        }
    }

    private func restart(_ settings: LabSettings) throws {
        (trainer, real) = try Self.makeTrainer(settings)
        state = LabState(
            version: state.version, playing: false, generatorUpdates: 0, discriminatorUpdates: 0, settings: settings, metrics: [:],
            history: [], view: nil, error: nil, session: state.session)
        refreshView()
    }

    private func refreshView() {
        viewedAt = state.generatorUpdates
        let mixture = Mixture2D(rawValue: state.settings.data)
        state.view = MixtureView.compute(
            step: state.generatorUpdates, generator: trainer.generator, discriminator: trainer.discriminator, objective: trainer.objective,
            latent: trainer.config.model, real: real, mixture: mixture.flatMap { $0.modes.isEmpty ? nil : $0 },
            seed: state.settings.seed &+ 0x1AB)
    }

    /// The 2-D preset's GAN for `settings`, with constant rates, and real points to draw.
    static func makeTrainer(_ settings: LabSettings) throws -> (Trainer, Tensor) {
        var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
        var training = TrainingConfig(seed: settings.seed)
        Preset.mixture2d.apply(to: &model, &training)
        training.objective = Objective(rawValue: settings.objective)!
        training.learningRateG = settings.learningRateG
        training.learningRateD = settings.learningRateD
        training.learningRateDecay = false
        training.steps = 1_000_000_000
        let dataset: ImageDataset
        let name: String
        if let mixture = Mixture2D(rawValue: settings.data) {
            dataset = mixture.dataset(count: 20_000, seed: settings.seed)
            name = mixture.rawValue
        } else {
            dataset = drawnDataset(settings.customPoints ?? [], count: 20_000, seed: settings.seed)
            name = "ring8"  // The config's data name only; the drawn points are the dataset.
        }
        let config = RunConfig(model: model, training: training, data: DataSpec(name: name), preset: Preset.mixture2d.rawValue)
        let trainer = try Trainer(config: config, dataset: dataset)
        let count = min(dataset.count, 500)
        return (trainer, dataset.images.slice(axis: 0, start: 0, end: count).reshaped([count, 2]))
    }

    /// `count` points around drawn ones: each a drawn point plus Gaussian
    /// noise of 2% of the drawing's extent, as GAN Lab does.
    static func drawnDataset(_ points: [Float], count: Int, seed: UInt64) -> ImageDataset {
        var random = RandomGenerator(seed: seed)
        let drawn = points.count / 2
        let xs = stride(from: 0, to: points.count, by: 2).map { points[$0] }
        let ys = stride(from: 1, to: points.count, by: 2).map { points[$0] }
        let extent = max((xs.max()! - xs.min()!), (ys.max()! - ys.min()!), 0.1)
        let noise = Tensor.normal([count, 2], random: &random).scalars
        var values = [Float](repeating: 0, count: count * 2)
        for index in 0..<count {
            let chosen = Int(random.next() % UInt64(drawn))
            values[2 * index] = points[2 * chosen] + 0.02 * extent * noise[2 * index]
            values[2 * index + 1] = points[2 * chosen + 1] + 0.02 * extent * noise[2 * index + 1]
        }
        return ImageDataset(images: Tensor(values, shape: [count, 1, 1, 2]), labels: [Int](repeating: 0, count: count), classNames: ["drawn"])
    }
}
