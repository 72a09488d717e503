import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import SwiftGANTraining
import Testing

@testable import SwiftGANDashboard

/// The dashboard's library parts without a server: reading logs, resolving
/// paths, chart rules, the GAN Lab view and the lab session.
@Suite("Dashboard library")
struct DashboardLibraryTests {
    @Test func theMetricsLogIsReadIncrementallyAndItsReplacementSeen() throws {
        let directory = temporaryDirectory("metrics")
        let path = "\(directory)/metrics.jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: Data("{\"step\": 10, \"loss/generator\": 1.5}\n{\"step\": 20, \"loss/gen".utf8))
        let first = MetricsReader.read(path)
        #expect(first.records == [MetricRecord(step: 10, values: ["loss/generator": 1.5])])
        #expect(first.cursor.offset == 36 && !first.reset)
        // The line being written is read once its newline is on disk.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("erator\": null}\n".utf8))
        try handle.close()
        let second = MetricsReader.read(path, after: first.cursor)
        #expect(second.records == [MetricRecord(step: 20, values: ["loss/generator": Double?.none])])
        #expect(MetricsReader.read(path, after: second.cursor).records.isEmpty)
        // A resumed run rewrites the log by renaming a new file over it: the reader starts again.
        try AtomicFile.write(Array("{\"step\": 10, \"loss/generator\": 2}\n".utf8), to: path)
        let replaced = MetricsReader.read(path, after: second.cursor)
        #expect(replaced.reset && replaced.records.map(\.step) == [10])
        // Foreign lines are skipped, not fatal.
        try AtomicFile.write(Array("not json\n{\"no step\": 1}\n{\"step\": 5}\n".utf8), to: path)
        #expect(MetricsReader.readAll(path).map(\.step) == [5])
        #expect(MetricsReader.read("\(directory)/absent.jsonl").records.isEmpty)
    }

    @Test func filePathsStayInsideTheRun() throws {
        let run = temporaryDirectory("paths")
        try FileManager.default.createDirectory(atPath: "\(run)/samples", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(run)/samples/step-000010.png", contents: Data([1]))
        let outside = temporaryDirectory("outside")
        _ = FileManager.default.createFile(atPath: "\(outside)/secret", contents: Data([2]))
        try FileManager.default.createSymbolicLink(atPath: "\(run)/samples/link.png", withDestinationPath: "\(outside)/secret")
        try FileManager.default.createSymbolicLink(atPath: "\(run)/inner.png", withDestinationPath: "\(run)/samples/step-000010.png")
        func refusal(_ path: String) -> RunFileRefusal? {
            if case .failure(let refusal) = RunFilePath.resolve(path, in: run) { return refusal }
            return nil
        }
        #expect(refusal("samples/step-000010.png") == nil)
        #expect(refusal("inner.png") == nil, "a link that stays inside the run is served")
        #expect(refusal("../x") == .traversal)
        #expect(refusal("samples/../../x") == .traversal)
        #expect(refusal("samples/./step-000010.png") == .traversal)
        #expect(refusal("samples//step-000010.png") == .traversal)
        #expect(refusal("/etc/passwd") == .absolute)
        #expect(refusal(".lock") == .hidden)
        #expect(refusal("samples/link.png") == .outsideRun)
        #expect(refusal("samples") == .notAFile)
        #expect(refusal("missing.png") == .notFound)
        #expect(refusal(String(repeating: "x", count: 600)) == .tooLong(600))
        #expect(RunFileRefusal.tooLong(600).status == 414 && RunFileRefusal.notFound.status == 404 && RunFileRefusal.hidden.status == 403)
        #expect(!RunCatalog.isValidName("..") && !RunCatalog.isValidName("a/b") && !RunCatalog.isValidName("") && RunCatalog.isValidName("dcgan-quick"))
    }

    @Test func chartsFollowTheGroupingRules() {
        #expect(ChartLayout.ticks(0...1000, count: 5) == [0, 200, 400, 600, 800, 1000])
        #expect(ChartLayout.ticks(0.13...0.61, count: 4) == [0.2, 0.4, 0.6])
        #expect(ChartLayout.ticks(0.13...0.61, count: 8) == [0.2, 0.3, 0.4, 0.5, 0.6])
        #expect(ChartLayout.label(0.25, step: 0.05) == "0.25" && ChartLayout.label(0.4, step: 0.2) == "0.4")
        #expect(ChartLayout.label(2000, step: 500) == "2000" && ChartLayout.label(2e-4, step: 1e-4) == "2e-04")
        #expect(ChartLayout.label(1.8e-4, step: 1e-5) == "1.8e-04" && ChartLayout.label(1.9e-4, step: 1e-5) == "1.9e-04")
        // Debiased smoothing starts at the first value and follows a constant exactly.
        let constant = smoothed([(1, 3), (2, 3), (3, 3)], weight: 0.9)
        #expect(constant.map(\.y).allSatisfy { abs($0 - 3) < 1e-12 })
        let raw: [(x: Double, y: Double)] = [(1, 0), (2, 10)]
        #expect(abs(smoothed(raw, weight: 0.5)[1].y - 10 * 0.5 / 0.75) < 1e-12)

        let records = [
            MetricRecord(step: 10, values: ["loss/discriminator": 1, "loss/generator": 2, "score/real": 0.6, "loss/gradient_penalty": 0]),
            MetricRecord(step: 20, values: ["loss/discriminator": 0.9, "loss/generator": 2.1, "score/real": 0.7, "loss/gradient_penalty": 0]),
            MetricRecord(step: 20, values: ["eval/fid": 30, "eval/class/0": 0.75, "eval/class/2": 0.25]),
            MetricRecord(step: 40, values: ["eval/fid": 20]), MetricRecord(step: 60, values: ["eval/fid": 25])
        ]
        let charts = ChartPanels.charts(runs: [("a", records)])
        #expect(charts.map(\.key) == ["loss", "score", "eval/fid"], "an all-zero penalty has no chart")
        #expect(charts[0].series.map(\.label) == ["discriminator", "generator"])
        #expect(charts[1].series.map(\.label) == ["D(x)"])
        #expect(charts[2].marks == [ChartMark(x: 40, label: "best")])
        let overlay = ChartPanels.charts(runs: [("a", records), ("b", records)])
        #expect(overlay[0].series.map(\.label) == ["a: discriminator", "a: generator", "b: discriminator", "b: generator"])
        let histogram = ChartPanels.latestClassHistogram(records)
        #expect(histogram?.step == 20 && histogram?.fractions == [0.75, 0, 0.25])
        let svg = SVGChart.render(charts[0])
        #expect(svg.contains("data-chart=\"loss\" data-points=\"4\""))
        #expect(svg.components(separatedBy: "class=\"series\"").count - 1 == 2)
        #expect(SVGChart.escape("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
    }

    /// The view's arrows are minus G's loss gradient at each generated
    /// point: stepping a point a little along its arrow lowers G's loss on
    /// it, by the amount the gradient predicts (a finite-difference check).
    @Test func theArrowsPointDownGsLoss() throws {
        var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
        var training = TrainingConfig(seed: 3)
        Preset.mixture2d.apply(to: &model, &training)
        var random = RandomGenerator(seed: 3)
        let (generator, discriminator) = model.build(random: &random)
        let objective = training.objective.make(output: model.discriminatorOutput, training: training)
        var sizes = MixtureView.Sizes()
        sizes.points = 64
        sizes.arrows = 16
        sizes.map = 8
        sizes.modeSamples = 200
        let real = Mixture2D.ring8.sample(64, random: &random).points
        let view = MixtureView.compute(
            step: 0, generator: generator, discriminator: discriminator, objective: objective, latent: model, real: real,
            mixture: .ring8, seed: 5, sizes: sizes)
        #expect(view.generated.count == 128 && view.real.count == 128 && view.decision.count == 64)
        #expect(view.generatorGradients.count == 32 && view.manifold.count == 22 && view.samplesPerMode?.count == 8)
        #expect((view.samplesPerMode?.reduce(0, +) ?? 999) <= 200)
        #expect(view.decision.allSatisfy { $0 > 0 && $0 < 1 })
        discriminator.eval()
        func loss(_ point: [Float]) -> Double {
            withoutGradients { Double(objective.generatorLoss(fake: discriminator.score(Tensor(point, shape: [1, 1, 1, 2]), labels: nil)).item) }
        }
        for index in 0..<16 {
            let point = [view.generated[2 * index], view.generated[2 * index + 1]]
            let arrow = [view.generatorGradients[2 * index], view.generatorGradients[2 * index + 1]]
            let length = Double((arrow[0] * arrow[0] + arrow[1] * arrow[1]).squareRoot())
            guard length > 1e-4 else { continue }
            let step: Float = 1e-2
            let moved = [point[0] + step * arrow[0] / Float(length), point[1] + step * arrow[1] / Float(length)]
            let change = loss(moved) - loss(point)
            // The view scales the mean loss's gradient by the point count: each arrow is its own point's gradient.
            let predicted = -Double(step) * length
            #expect(change < 0, "point \(index): the loss rose by \(change)")
            #expect(abs(change - predicted) <= 0.2 * abs(predicted) + 1e-6, "point \(index): \(change) against \(predicted)")
        }
    }

    @Test func aSingleUpdateMovesOnlyItsNetwork() throws {
        var model = ModelConfig(kind: .mlp2d, imageShape: [1, 1, 2])
        var training = TrainingConfig(seed: 1)
        Preset.mixture2d.apply(to: &model, &training)
        training.criticSteps = 2
        let trainer = try Trainer(
            config: RunConfig(model: model, training: training, data: DataSpec(name: "ring8")), dataset: Mixture2D.ring8.dataset(count: 1024, seed: 1))
        func values(_ optimizer: Optimizer) -> [[Float]] { optimizer.parameters.map(\.value.scalars) }
        let (g0, d0) = (values(trainer.optimizerG), values(trainer.optimizerD))
        let scalars = try trainer.trainUpdate("discriminator")
        #expect(scalars["loss/discriminator"] != nil && scalars["loss/generator"] == nil)
        #expect(values(trainer.optimizerG) == g0 && values(trainer.optimizerD) != d0)
        let d1 = values(trainer.optimizerD)
        _ = try trainer.trainUpdate("generator")
        #expect(values(trainer.optimizerD) == d1 && values(trainer.optimizerG) != g0)
        #expect(trainer.step == 0, "single updates are not whole steps")
        #expect(throws: TrainingError.self) { try trainer.trainUpdate("critic") }
    }

    @Test func theLabSessionFollowsItsControls() throws {
        let session = try LabSession(settings: LabSettings(seed: 4), threads: 1)
        defer { session.close() }
        let start = session.current()
        #expect(start.view != nil && !start.playing)
        let afterD = try session.perform(.discriminatorStep)
        #expect(afterD.discriminatorUpdates == 1 && afterD.generatorUpdates == 0)
        #expect(afterD.view?.decision != start.view?.decision)
        let afterG = try session.perform(.generatorStep)
        #expect(afterG.generatorUpdates == 1 && afterG.view?.generated != afterD.view?.generated)
        #expect(afterG.history.count == 1 && afterG.metrics["loss/generator"] != nil)

        var settings = afterG.settings
        settings.learningRateD = 0
        #expect(throws: TrainingError.self) { try session.perform(.configure(settings)) }
        #expect(session.current().generatorUpdates == 1, "a refused setting changes nothing")
        settings.learningRateD = 5e-4
        settings.discriminatorSteps = 3
        let retuned = try session.perform(.configure(settings))
        #expect(retuned.generatorUpdates == 1, "rates and the ratio apply without a restart")
        try session.perform(.play)
        let deadline = Date().addingTimeInterval(60)
        while session.current().generatorUpdates < 11 && Date() < deadline { usleep(20_000) }
        let played = try session.perform(.pause)
        #expect(played.generatorUpdates >= 11)
        #expect(played.discriminatorUpdates == 1 + 3 * (played.generatorUpdates - 1), "three D updates per G update")
        settings.data = "custom"
        settings.customPoints = [0, 0, 1, 0, 0, 1, 1, 1]
        let drawn = try session.perform(.configure(settings))
        #expect(drawn.generatorUpdates == 0 && drawn.view?.real.count == 1000)
        #expect(drawn.view.map { $0.real.allSatisfy { $0 > -0.5 && $0 < 1.5 } } == true, "the drawn points are the data")
        let reset = try session.perform(.reset)
        #expect(reset.generatorUpdates == 0 && reset.discriminatorUpdates == 0 && reset.settings.data == "custom")
    }
}
