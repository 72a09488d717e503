import Foundation
import SwiftGANTensor

/// What `gan export` writes beside a generator's `.safetensors`: the run's
/// `config.json` and a `README.md` model card (architecture, data, training
/// command, steps, wall time, last evaluation, and the Python source of the
/// equivalent PyTorch module, which loads the file with `strict=True`).
public struct ModelCard: Sendable {
    /// The card's Markdown.
    public var readme: String
    /// The run's configuration (its `config.json`).
    public var config: [UInt8]

    /// The first line of every card, by which a later export knows it may replace it.
    public static let marker = "<!-- model card written by gan export (SwiftGAN) -->"

    /// A GAN run's generator card; `ema` says which generator the file holds.
    public static func gan(_ saved: SavedRun, ema: Bool, file: String) throws -> ModelCard {
        try gan(forConfig: saved.config, directory: saved.directory, step: saved.step, ema: ema, file: file)
    }

    /// The card of a generator of `config`, exported at `step` from the run in `directory`.
    public static func gan(forConfig config: RunConfig, directory: String, step: Int, ema: Bool, file: String) throws -> ModelCard {
        let model = config.model
        let shape = model.imageShape
        let latent = model.latentDistribution == .normal ? "torch.randn(16, \(model.latentDimension))" : "torch.rand(16, \(model.latentDimension)) * 2 - 1"
        let (classes, call): ([String], String)
        switch model.kind {
        case .tfDCGAN:
            (classes, call) = ([PyTorchSource.tensorFlowDCGAN], "TFDCGANGenerator(latent_dim=\(model.latentDimension), channels=\(shape[0]))")
        case .mlp, .mlpConv, .kerasMLPConv:
            (classes, call) = (
                [PyTorchSource.mlp],
                "MLPGenerator(latent_dim=\(model.latentDimension), image_shape=\(python(shape)), relu=\(model.generatorReLU ? "True" : "False"))"
            )
        case .dcgan:
            (classes, call) = (
                [PyTorchSource.dcgan], "DCGANGenerator(latent_dim=\(model.latentDimension), channels=\(shape[0]), size=\(shape[1]), width=\(model.width))"
            )
        case .cgan:
            (classes, call) = (
                [PyTorchSource.conditional],
                "ConditionalGenerator(latent_dim=\(model.latentDimension), image_shape=\(python(shape)), classes=\(model.classCount))"
            )
        case .cdcgan, .acgan:
            (classes, call) = (
                [PyTorchSource.dcgan, PyTorchSource.conditionalDCGAN],
                "ConditionalDCGANGenerator(latent_dim=\(model.latentDimension), channels=\(shape[0]), size=\(shape[1]), width=\(model.width), classes=\(model.classCount))"
            )
        case .mlp2d:
            (classes, call) = ([PyTorchSource.mixture], "MixtureGenerator(latent_dim=\(model.latentDimension), width=\(model.width))")
        }
        let generate =
            model.isConditional
            ? "    z = \(latent)\n    labels = torch.arange(16) % \(model.classCount)\n    x = G(z, labels)  # [16, \(shape.map(String.init).joined(separator: ", "))] in [-1, 1], class labels[i]"
            : "    z = \(latent)\n    x = G(z)  # \(model.kind == .mlp2d ? "[16, 2] points" : "[16, \(shape.map(String.init).joined(separator: ", "))] in [-1, 1]")"
        let data = config.data.path.map { "\(config.data.name) (\($0))" } ?? config.data.name
        let architecture =
            model.kind == .mlp2d
            ? "\(model.kind.rawValue): 2-D points from a \(model.latentDimension)-D \(model.latentDistribution.rawValue) latent, width \(model.width)"
            : "\(model.kind.rawValue): \(shape[2])x\(shape[1]) images with \(shape[0]) channel\(shape[0] == 1 ? "" : "s") from a \(model.latentDimension)-D \(model.latentDistribution.rawValue) latent, width \(model.width)"
        let training = config.training
        let recipe =
            "\(training.objective.rawValue), \(training.optimizer.rawValue) (G \(training.learningRateG), D \(training.learningRateD)), batch \(training.batchSize)"
        return try card(
            title: "\(model.kind.rawValue) generator", file: file, directory: directory, step: step,
            rows: [
                ("architecture", architecture), ("weights", ema ? "the EMA generator (decay \(training.emaDecay ?? 0))" : "the generator"),
                ("data", data), ("objective", recipe)
            ],
            classes: classes, build: call, generate: generate, config: try config.encoded())
    }

    /// A paired translation run's generator card.
    public static func translation(_ saved: SavedTranslationRun, file: String) throws -> ModelCard {
        let model = saved.config.model
        let (input, output) = (model.inputShape, model.outputShape)
        let call: String
        let classes: [String]
        switch model.generator {
        case .unet:
            classes = [PyTorchSource.normLayer, PyTorchSource.unet]
            call =
                "UNet(in_channels=\(input[0]), out_channels=\(output[0]), size=\(output[1]), width=\(model.width), norm=\"\(model.normalization.rawValue)\", upscale=\(model.upscale))"
        case .srresnet:
            classes = [PyTorchSource.normLayer, PyTorchSource.srresnet]
            call =
                "SRResNet(in_channels=\(input[0]), out_channels=\(output[0]), width=\(model.width), blocks=\(model.residualBlocks), upscale=\(model.upscale), norm=\"\(model.normalization.rawValue)\")"
        }
        let generate =
            "    x = torch.rand(4, \(input.map(String.init).joined(separator: ", "))) * 2 - 1  # inputs in [-1, 1]\n    y = G(x)  # [4, \(output.map(String.init).joined(separator: ", "))]"
        let data = saved.config.data.path.map { "\(saved.config.data.name) (\($0))" } ?? saved.config.data.name
        let training = saved.config.training
        return try card(
            title: "\(saved.config.task.rawValue) generator (\(model.generator.rawValue))", file: file, directory: saved.directory, step: saved.step,
            rows: [
                ("architecture", "\(model.generator.rawValue): \(input) → \(output), width \(model.width), \(model.normalization.rawValue) norm"),
                ("data", data),
                (
                    "objective",
                    "\(training.objective.rawValue) + \(training.l1Weight)·L1, Adam (G \(training.learningRateG), D \(training.learningRateD)), batch \(training.batchSize)"
                )
            ],
            classes: classes, build: call, generate: generate, config: try saved.config.encoded())
    }

    /// One direction's generator card of a CycleGAN run.
    public static func cycleGAN(_ saved: SavedCycleGANRun, direction: CycleGANTrainer.Direction, file: String) throws -> ModelCard {
        let model = saved.config.model
        let (from, to) = direction == .a2b ? (model.shapeA, model.shapeB) : (model.shapeB, model.shapeA)
        let call =
            "ResnetGenerator(in_channels=\(from[0]), out_channels=\(to[0]), width=\(model.width), blocks=\(model.blocks), norm=\"\(model.normalization.rawValue)\")"
        let generate =
            "    x = torch.rand(4, \(from.map(String.init).joined(separator: ", "))) * 2 - 1  # images of the source domain in [-1, 1]\n    y = G(x)  # [4, \(to.map(String.init).joined(separator: ", "))]"
        let data = saved.config.data.path.map { "\(saved.config.data.name) (\($0))" } ?? saved.config.data.name
        let training = saved.config.training
        return try card(
            title: "CycleGAN \(direction.rawValue) generator", file: file, directory: saved.directory, step: saved.step,
            rows: [
                (
                    "architecture",
                    "ResNet generator: \(from) → \(to), width \(model.width), \(model.blocks) residual blocks, \(model.normalization.rawValue) norm"
                ),
                ("data", data),
                (
                    "objective",
                    "\(training.objective.rawValue), cycle λ \(training.cycleWeight), identity \(training.identityWeight), pool \(training.poolSize), batch \(training.batchSize)"
                )
            ],
            classes: [PyTorchSource.normLayer, PyTorchSource.resnet], build: call, generate: generate, config: try saved.config.encoded())
    }

    /// Writes the card's `README.md` and `config.json` into the directory of `file` (after `check(besides:)`).
    public func write(besides file: String) throws {
        try check(besides: file)
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        try AtomicFile.write(config, to: "\(directory)/config.json")
        try AtomicFile.write(Array(readme.utf8), to: "\(directory)/README.md")
    }

    /// Throws unless the card may be written beside `file`: a `README.md` or
    /// `config.json` there must be an earlier card's, and the directory not a run's.
    /// - Throws: `FileError` naming what would be replaced.
    public func check(besides file: String) throws {
        let directory = URL(fileURLWithPath: file).deletingLastPathComponent().path
        let readmePath = "\(directory)/README.md"
        let configPath = "\(directory)/config.json"
        let earlierCard = (try? FileContents.readIfPresent(readmePath)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self).hasPrefix(Self.marker) }
        for path in [readmePath, configPath] where FileManager.default.fileExists(atPath: path) && earlierCard != true {
            throw FileError(file: path, problem: "exists and is not a model card gan export wrote; export into another directory or pass --no-card")
        }
        if RunDirectory.isRun(directory) {
            throw FileError(file: directory, problem: "is a run directory; its config.json is the run's own: export elsewhere or pass --no-card")
        }
        for path in [readmePath, configPath] { try AtomicFile.checkReplaceable(path) }
    }

    // MARK: - Assembly

    private static func card(
        title: String, file: String, directory: String, step: Int, rows: [(String, String)], classes: [String], build: String, generate: String,
        config: [UInt8]
    ) throws -> ModelCard {
        let history = RunHistory(directory: directory)
        let name = URL(fileURLWithPath: file).lastPathComponent
        var table = rows
        table.append(("training", history.command.map { "`\($0)`" } ?? "(no run.json)"))
        table.append(("steps", "\(step)"))
        if let seconds = history.seconds {
            table.append(("wall time", String(format: "%.1f s over %d session%@", seconds, history.sessions, history.sessions == 1 ? "" : "s")))
        }
        table.append(("evaluation", history.evaluation ?? "none logged (train with --eval-every to log FID)"))
        table.append(("SwiftGAN", SwiftGANVersion.current))
        let source = ([PyTorchSource.imports] + classes).joined(separator: "\n\n\n")
        let readme = """
            \(marker)
            # \(title)

            Exported by `gan export` from the run `\(directory)` into `\(name)` (safetensors with PyTorch state-dict keys).
            `config.json` beside it is the run's configuration (`gan train --config config.json` trains the same run again).

            | | |
            | --- | --- |
            \(table.map { "| \($0.0) | \($0.1.replacingOccurrences(of: "|", with: "\\|")) |" }.joined(separator: "\n"))

            ## Use it in PyTorch

            The module below has exactly the keys and shapes of `\(name)`.

            ```python
            \(source)


            def build():
                return \(build)


            G = build()
            G.load_state_dict(load_file("\(name)"), strict=True)
            G.eval()
            with torch.no_grad():
            \(generate)
            ```

            """
        return ModelCard(readme: readme, config: config)
    }

    /// A shape as a Python tuple.
    private static func python(_ shape: [Int]) -> String { "(" + shape.map(String.init).joined(separator: ", ") + ")" }
}

/// What a run directory says about how it was trained: `run.json`'s sessions and `metrics.jsonl`'s last evaluation.
struct RunHistory {
    var command: String?
    var seconds: Double?
    var sessions = 0
    var evaluation: String?

    init(directory: String) {
        if let bytes = (try? FileContents.readIfPresent(RunRecord.path(directory))).flatMap({ $0 }),
            let record = try? JSONDecoder().decode(RunRecord.self, from: Data(bytes))
        {
            command = record.sessions.first.map { $0.command.joined(separator: " ") }
            sessions = record.sessions.count
            let times = record.sessions.compactMap(\.seconds)
            seconds = times.isEmpty ? nil : times.reduce(0, +)
        }
        // The last line with evaluation scalars (`eval/fid`, `eval/kid`, …).
        guard let bytes = (try? FileContents.readIfPresent("\(directory)/metrics.jsonl")).flatMap({ $0 }) else { return }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").reversed() where line.contains("\"eval/") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            let values = object.filter { $0.key.hasPrefix("eval/") && !$0.key.hasPrefix("eval/class/") }.compactMap { key, value in
                (value as? Double).map { (key.dropFirst(5), $0) }
            }.sorted { $0.0 < $1.0 }
            let step = (object["step"] as? Int).map { " at step \($0)" } ?? ""
            evaluation = values.map { "\($0.0) \(String(format: "%.4g", $0.1))" }.joined(separator: ", ") + step
            return
        }
    }
}
