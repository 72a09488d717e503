import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// Closed-form latent directions (SeFa) and `gan edit`.
@Suite struct LatentDirectionsTests {
    static func flat(_ tensor: Tensor) -> [Float] { tensor.scalars }

    /// `latentWeights` is the map of z through each generator's first layer:
    /// moving z by δ moves that layer's output by A·δ, whatever the label.
    @Test(arguments: [ModelConfig.Kind.mlp, .dcgan, .cgan, .cdcgan, .acgan, .tfDCGAN, .mlp2d])
    func latentWeightsAreTheFirstLayersMapOfZ(_ kind: ModelConfig.Kind) throws {
        var random = RandomGenerator(seed: 6)
        var config = ModelConfig(kind: kind, imageShape: kind == .mlp2d ? [1, 1, 2] : [1, 28, 28], latentDimension: 5, width: 4)
        config.classCount = 3
        let generator = config.build(random: &random).generator
        let weights = try #require(generator.latentWeights)
        let (z, delta) = (Tensor.normal([1, 5], random: &random), Tensor.normal([1, 5], random: &random))
        let embedding = Tensor.normal([1, 3], random: &random)
        // The first layer's input for latents z, as each generator builds it.
        func firstLayer(_ z: Tensor) -> Tensor {
            withoutGradients {
                switch generator {
                case let g as DCGANGenerator: return g.main.layers[0](z.reshaped([1, 5, 1, 1]))
                case let g as ConditionalDCGANGenerator: return g.main.layers[0](concat([z, embedding], axis: 1).reshaped([1, 8, 1, 1]))
                case let g as ConditionalGenerator: return g.model.layers[0](concat([embedding, z], axis: 1))
                case let g as MLPGenerator: return g.model.layers[0](z)
                case let g as TensorFlowDCGANGenerator: return g.model.layers[0](z)
                case let g as Mixture2DGenerator: return g.model.layers[0](z)
                default: fatalError("no first layer for \(type(of: generator))")
                }
            }
        }
        let moved = Self.flat(firstLayer(z + delta) - firstLayer(z))
        let predicted = Self.flat(matmul(weights, delta.reshaped([5, 1])))
        #expect(weights.shape == [moved.count, 5], "\(kind)")
        for (a, b) in zip(moved, predicted) { #expect(Swift.abs(a - b) <= 1e-4 * Swift.max(1, Swift.abs(b)), "\(kind)") }
    }

    /// The directions are orthonormal and ordered: ‖A·n_k‖² is the k-th
    /// eigenvalue, decreasing, and no random unit vector beats direction 0.
    @Test func directionsAreOrthonormalEigenvectorsInOrder() throws {
        var random = RandomGenerator(seed: 7)
        let weights = Tensor.normal([40, 6], random: &random) * Tensor([3, 1, 0.5, 2, 0.1, 1.5], shape: [1, 6])
        let found = LatentDirections(weights: weights)
        #expect(found.count == 6 && found.directions.shape == [6, 6])
        let gram = matmul(found.directions, found.directions, transposeB: true).scalars
        for row in 0..<6 {
            for column in 0..<6 { #expect(Swift.abs(gram[row * 6 + column] - (row == column ? 1 : 0)) < 1e-4) }
        }
        let stretched = matmul(weights, found.directions, transposeB: true)  // column k is A·n_k
        let squaredNorms = (stretched * stretched).sum(axes: [0]).scalars
        for k in 0..<6 { #expect(Swift.abs(squaredNorms[k] - found.eigenvalues[k]) <= 1e-3 * found.eigenvalues[0]) }
        #expect(zip(found.eigenvalues, found.eigenvalues.dropFirst()).allSatisfy { $0 >= $1 })
        for _ in 0..<50 {
            let vector = Tensor.normal([6, 1], random: &random)
            let unit = vector / (vector * vector).sum().sqrt()
            let moved = matmul(weights, unit)
            #expect((moved * moved).sum().item <= found.eigenvalues[0] * (1 + 1e-4))
        }
        #expect(Swift.abs(found.eigenvalues.indices.map(found.share).reduce(0, +) - 1) < 1e-5)
        // Each direction's largest entry is positive.
        for k in 0..<6 {
            let row = Array(found.directions.scalars[(k * 6)..<(k * 6 + 6)])
            #expect(row.max()! >= -row.min()!)
        }
    }

    /// A walk holds each latent's steps together, both ends of the range included.
    @Test func walkMovesEachLatentAlongTheDirection() {
        let found = LatentDirections(weights: Tensor([2, 0, 0, 1], shape: [2, 2]))  // direction 0 is (1, 0)
        let walked = found.walk(Tensor([0, 0, 1, 1], shape: [2, 2]), direction: 0, range: -2...2, steps: 3)
        #expect(walked.shape == [6, 2])
        #expect(walked.scalars == [-2, 0, 0, 0, 2, 0, -1, 1, 1, 1, 3, 1])
        #expect(found.walk(Tensor([0, 0], shape: [1, 2]), direction: 1, range: 0...1, steps: 2).scalars == [0, 0, 0, 1])
    }

    /// `gan edit`: the list, the grid (a row per latent, a column per step),
    /// the walked latents as the library walks them, and bad input refused
    /// with the value named before anything is written.
    @Test func editCommandWalksAndRefusesBadInput() throws {
        let work = temporaryDirectory()
        let data = tinyIDXDirectory()
        let train = try runGAN(["train", "--preset", "cgan", "--data", data, "--steps", "3", "--batch-size", "16", "--run-dir", "\(work)/run"])
        #expect(train.status == 0, "\(train.output)")
        let listed = try runGAN(["edit", "--run", "\(work)/run", "--list", "--save-directions", "\(work)/directions.npy"])
        #expect(listed.status == 0 && listed.output.contains("direction  eigenvalue  share"), "\(listed.output)")
        let saved = try SavedRun(directory: "\(work)/run")
        let directions = try #require(LatentDirections(try saved.generator()))
        #expect(try NPY.read("\(work)/directions.npy").tensor == directions.directions)

        let edit = try runGAN([
            "edit", "--run", "\(work)/run", "--direction", "2", "--count", "3", "--steps", "5", "--range", "-2:2",
            "--out", "\(work)/walk.png", "--out-latents", "\(work)/walk.npy"
        ])
        #expect(edit.status == 0, "\(edit.output)")
        let grid = try PNG.read("\(work)/walk.png")
        #expect(grid.width == 5 * 10 + 2 && grid.height == 3 * 10 + 2)
        var random = RandomGenerator(seed: 0)
        let start = saved.config.model.sampleLatents(3, random: &random)
        #expect(try NPY.read("\(work)/walk.npy").tensor == directions.walk(start, direction: 2, range: -2...2, steps: 5))

        // --count takes the file's first rows; --classes renders each latent in every class.
        let firstRows = try runGAN(["edit", "--run", "\(work)/run", "--latents", "\(work)/walk.npy", "--count", "2", "--steps", "3", "--out", "\(work)/w2.png"])
        #expect(firstRows.status == 0, "\(firstRows.output)")
        #expect(try PNG.read("\(work)/w2.png").height == 2 * 10 + 2)
        let swap = try runGAN(["edit", "--run", "\(work)/run", "--count", "2", "--classes", "--out", "\(work)/swap.png"])
        let classCount = saved.config.model.classCount
        #expect(swap.status == 0 && swap.output.contains("2 latents in each of \(classCount) classes"), "\(swap.output)")
        let swapGrid = try PNG.read("\(work)/swap.png")
        #expect(swapGrid.width == classCount * 10 + 2 && swapGrid.height == 2 * 10 + 2)

        try Data("keep".utf8).write(to: URL(fileURLWithPath: "\(work)/kept.png"))
        try NPY.write(Tensor.zeros([2, 7]), to: "\(work)/narrow.npy")
        for (arguments, message) in [
            (["--direction", "100"], "--direction 100 is beyond this generator's 100 directions"),
            (["--range", "3:-3"], "--range must be LOW:HIGH with LOW < HIGH, e.g. -3:3, got '3:-3'"),
            (["--label", "99"], "--label 99 is outside the model's classes 0..<"),
            (["--latents", "\(work)/narrow.npy"], "narrow.npy: expected latents [N ≥ 1, 100], found [2, 7]"),
            (["--latents", "\(work)/walk.npy", "--count", "99"], "--count 99 is more than the 15 latents in"),
            (["--classes", "--label", "1"], "--classes renders a class-swap grid")
        ] {
            let result = try runGAN(["edit", "--run", "\(work)/run", "--out", "\(work)/kept.png"] + arguments)
            #expect(result.status != 0 && result.output.contains(message), "\(arguments): \(result.output)")
            #expect(try String(contentsOfFile: "\(work)/kept.png", encoding: .utf8) == "keep")
        }
    }
}

/// Projecting images into a generator's latent space (`LatentProjection`, `gan project`).
@Suite struct LatentProjectionTests {
    /// Images G made from known latents are found again: the reconstruction
    /// error falls to a small fraction of a random start's, the best of
    /// three starts is never worse than the first alone, and a conditional
    /// search picks the label each image was made with.
    @Test func projectionFindsImagesTheGeneratorMade() throws {
        var random = RandomGenerator(seed: 9)
        var model = ModelConfig(kind: .cgan, imageShape: [1, 6, 6], latentDimension: 4)
        model.classCount = 3
        let generator = model.build(random: &random).generator
        generator.eval()
        let truth = Tensor.normal([4, 4], random: &random)
        let trueLabels = [0, 2, 1, 2]
        let images = withoutGradients { generator.generate(truth, labels: trueLabels) }
        let randomStart = withoutGradients { generator.generate(model.sampleLatents(4, random: &random), labels: trueLabels) }
        let startError = LatentProjection.pixelErrors(randomStart, images).reduce(0, +) / 4

        let candidates = Array(repeating: [0, 1, 2], count: 4)
        func project(restarts: Int) -> LatentProjection.Result {
            let options = LatentProjection.Options(steps: 150, restarts: restarts, learningRate: 0.05, featureWeight: 0, seed: 3)
            return LatentProjection(generator: generator, features: nil, options: options).project(images, candidates: candidates)
        }
        let (one, three) = (project(restarts: 1), project(restarts: 3))
        let error = three.pixelErrors.reduce(0, +) / 4
        #expect(error < 0.05 * startError, "projected \(error), random start \(startError)")
        #expect(three.labels == trueLabels)
        #expect(zip(three.losses, one.losses).allSatisfy { $0 <= $1 })
        #expect(three.latents.shape == [4, 4] && three.reconstructions.shape == [4, 1, 6, 6])
        let regenerated = withoutGradients { generator.generate(three.latents, labels: three.labels) }
        #expect(LatentProjection.pixelErrors(regenerated, three.reconstructions).allSatisfy { $0 < 1e-10 })
        #expect(LatentProjection.Options(steps: 0).validationProblem() == "steps 0 must be in 1...100000")
    }

    /// `gan project` writes the latents, reconstructions, labels, per-image
    /// errors and the pairs grid into a new directory, and refuses bad input
    /// with the file and shape named, leaving an existing directory alone.
    @Test func projectCommandWritesItsOutputsAndRefusesBadInput() throws {
        let work = temporaryDirectory()
        let train = try runGAN(["train", "--preset", "cgan", "--data", tinyIDXDirectory(), "--steps", "2", "--batch-size", "16", "--run-dir", "\(work)/run"])
        #expect(train.status == 0, "\(train.output)")
        var random = RandomGenerator(seed: 2)
        try NPY.write(Tensor.uniform([3, 1, 8, 8], low: -1, high: 1, random: &random), to: "\(work)/images.npy")
        let common = ["project", "--run", "\(work)/run", "--steps", "5", "--restarts", "2"]
        let projected = try runGAN(common + ["--input", "\(work)/images.npy", "--out", "\(work)/projected"])
        #expect(projected.status == 0 && projected.output.contains("pixels only") && projected.output.contains("mean pixel MSE"), "\(projected.output)")
        #expect(try NPY.read("\(work)/projected/latents.npy").tensor.shape == [3, 100])
        #expect(try NPY.read("\(work)/projected/reconstructions.npy").tensor.shape == [3, 1, 8, 8])
        let labels = try String(contentsOfFile: "\(work)/projected/labels.txt", encoding: .utf8).split(separator: "\n")
        #expect(labels.count == 3)
        let rows = try String(contentsOfFile: "\(work)/projected/errors.csv", encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 4 && rows[0] == "index,pixel_mse,loss,label,input_class,reconstruction_class")
        #expect(try PNG.read("\(work)/projected/pairs.png").height == 2 * 10 + 2)
        // The latents and labels feed gan edit.
        let edit = try runGAN([
            "edit", "--run", "\(work)/run", "--latents", "\(work)/projected/latents.npy", "--labels", "\(work)/projected/labels.txt",
            "--steps", "3", "--out", "\(work)/walk.png"
        ])
        #expect(edit.status == 0, "\(edit.output)")

        try NPY.write(Tensor.zeros([2, 1, 9, 9]), to: "\(work)/wrong.npy")
        try NPY.write(Tensor([Float.nan] + [Float](repeating: 0, count: 63), shape: [1, 1, 8, 8]), to: "\(work)/nan.npy")
        for (arguments, message) in [
            (["--input", "\(work)/wrong.npy", "--out", "\(work)/a"], "wrong.npy: expected images [N, 1, 8, 8] for this run, found [2, 1, 9, 9]"),
            (["--input", "\(work)/nan.npy", "--out", "\(work)/b"], "nan.npy: 1 of the 64 values are NaN or infinite"),
            (["--input", "\(work)/images.npy", "--label", "99", "--out", "\(work)/c"], "--label 99 is outside the model's classes"),
            (["--input", "\(work)/images.npy", "--out", "\(work)/projected"], "is not empty")
        ] {
            let result = try runGAN(common + arguments)
            #expect(result.status != 0 && result.output.contains(message), "\(arguments): \(result.output)")
        }
        for name in ["a", "b", "c"] { #expect(!FileManager.default.fileExists(atPath: "\(work)/\(name)")) }
        #expect(try NPY.read("\(work)/projected/latents.npy").tensor.shape == [3, 100])
    }
}
