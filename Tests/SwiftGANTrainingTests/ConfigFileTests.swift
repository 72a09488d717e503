import Foundation
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// Run settings from config files, flags and `config.json`: one table per kind of run.
@Suite("Config files")
struct ConfigFileTests {
    func settings(_ text: String, file: String = "run.yaml") throws -> RunSettings {
        try RunSettings.parse(Data(text.utf8), file: file)
    }

    /// The message of the error `body` throws.
    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "(no error)"
        } catch {
            return "\(error)"
        }
    }

    @Test func yamlAndJSONReadAlikeWithEitherKeyStyle() throws {
        let yaml = try settings("preset: wgan-gp\nbatch-size: 32\nlr_g: 2e-4\neval_metrics: [kid]\nseed: 18446744073709551615\n")
        let json = try settings(
            #"{"preset": "wgan-gp", "batch_size": 32, "lr-g": 0.0002, "eval_metrics": ["kid"], "seed": 18446744073709551615}"#,
            file: "run.json")
        let a = try RunConfig.resolve(yaml)
        let b = try RunConfig.resolve(json)
        #expect(a == b)
        #expect(a.training.batchSize == 32 && a.training.learningRateG == 2e-4 && a.training.evalMetrics == [.kid])
        // The preset's other values stay: WGAN-GP's critic steps and betas.
        #expect(a.training.criticSteps == 5 && a.training.beta2 == 0.9 && a.model.discriminatorNormalization == .layerNorm)
        // A 64-bit seed is exact (numbers keep their text).
        #expect(a.training.seed == UInt64.max)
        #expect(try settings("").isEmpty)
    }

    @Test func badFilesAndValuesNameTheFileTheKeyAndTheValue() throws {
        #expect(message { _ = try settings("batch_size: 1\nbatch-size: 2\n") }.contains("run.yaml: the setting 'batch_size' is given twice"))
        #expect(message { _ = try settings("- 1\n- 2\n") }.contains("run.yaml: not a mapping of settings"))
        #expect(message { _ = try settings("a: [1\n") }.contains("line 1"))
        #expect(message { _ = try settings("model: {kind: dcgan}\n") }.contains("not a nested table"))
        #expect(message { _ = try RunSettings.read("/nonexistent/run.yaml") } == "/nonexistent/run.yaml: no such config file")
        let cases: [(String, String)] = [
            ("batch_sise: 3", "run.yaml: 'batch_sise': not a setting of GAN runs (did you mean 'batch_size'?)"),
            ("batch_size: big", #"run.yaml: 'batch_size': expected a whole number, got "big""#),
            ("batch_size: 2.5", "run.yaml: 'batch_size': expected a whole number, got 2.5"),
            ("lr_g: fast", #"run.yaml: 'lr_g': expected a finite number, got "fast""#),
            ("objective: best", "run.yaml: 'objective': expected one of minimax, non-saturating"),
            ("spectral_norm: 1", "run.yaml: 'spectral_norm': expected true or false, got 1"),
            ("eval_metrics: [kid, fid2]", "run.yaml: 'eval_metrics': in a list: expected one of kid, precision-recall"),
            ("preset: dcgan-slow", "run.yaml: 'preset': unknown preset 'dcgan-slow'"),
            ("model: resnet", "run.yaml: 'model': unknown model 'resnet'"),
            ("steps: 0", "run.yaml: steps 0 must be at least 1"),
            ("ema: 1.5", "run.yaml: EMA decay 1.5 must be in (0, 1)"),
            ("data: ring8\npreset: mlp\nmodel: mlp", "run.yaml: 'model': 2-D data needs the model mlp2d, not mlp")
        ]
        for (text, expected) in cases {
            let found = message { _ = try RunConfig.resolve(try settings(text)) }
            #expect(found.hasPrefix(expected), "\(text): \(found)")
        }
        // A flag's value is named by its flag.
        let flags = RunSettings(["batch_size": .string("big")], origin: "--batch-size")
        #expect(message { _ = try RunConfig.resolve(flags) } == #"--batch-size: expected a whole number, got "big""#)
        // Keys of another kind of run are refused by name.
        #expect(message { _ = try TranslationConfig.resolve(try settings("task: pix2pix\nema: 0.9")) }.contains("'ema': not a setting of translation runs"))
        #expect(
            message { _ = try CycleGANConfig.resolve(try settings("task: cyclegan\nl1_weight: 3")) }.contains("'l1_weight': not a setting of CycleGAN runs"))
        #expect(message { _ = try TranslationConfig.resolve(try settings("task: pix3pix")) }.contains("'task': expected one of pix2pix"))
    }

    /// Preset, then file, then flags: each later source wins, and what none sets is the preset's.
    @Test func flagsOverrideTheFileWhichOverridesThePreset() throws {
        let file = try settings("preset: hinge-sn\nbatch_size: 32\nlr_d: 1e-3\nspectral_norm: false\n")
        let flags = RunSettings(["batch_size": SettingValue(8), "spectral_norm": .bool(true)], origin: "--flags")
        let config = try RunConfig.resolve(file.merging(flags))
        #expect(config.training.batchSize == 8 && config.model.spectralNorm)
        #expect(config.training.learningRateD == 1e-3)
        #expect(config.training.learningRateG == 1e-4 && config.training.objective == .hinge && config.training.beta1 == 0)
        #expect(config.preset == "hinge-sn")
        // Without a preset: the model's own preset, and for 2-D data the 2d preset.
        #expect(try RunConfig.resolve(try settings("model: mlp")).preset == "mlp")
        #expect(try RunConfig.resolve(try settings("data: grid25")).model.kind == .mlp2d)
        #expect(try RunConfig.resolve(RunSettings()).preset == "dcgan-quick")
    }

    /// file → resolved → written → read as a config file again gives the same run, for every kind.
    @Test func writtenConfigurationsResolveToTheSameRun() throws {
        func roundTrip<Config: RunConfigFile & Equatable>(
            _ config: Config, _ resolve: (RunSettings) throws -> Config, trained: ((inout Config) -> Void)? = nil
        ) throws {
            let written = try config.encoded()
            let again = try resolve(try settings(String(decoding: written, as: UTF8.self), file: "config.json"))
            #expect(again == config)
            #expect(try again.encoded() == written)
            // And read as a run's config.json, with the shapes its data gave it.
            var run = config
            trained?(&run)
            #expect(try Config.decode(Data(try run.encoded()), file: "config.json") == run)
        }
        for text in ["", "preset: wgan-gp\nwidth: 16", "data: ring8\nema: 0.99\neval_every: 100", "preset: mlp\nd_output: logit\nseed: 7"] {
            try roundTrip(try RunConfig.resolve(try settings(text)), RunConfig.resolve)
        }
        for text in ["task: pix2pix\nwidth: 16\nd_width: 8", "task: sr\nlimit: 5", "task: colorize\nnorm: instance\njitter: true\nflip: false"] {
            let config = try TranslationConfig.resolve(try settings(text))
            // sr4's inputs are 7x7 (a run's config.json holds the checked shapes its data gave).
            try roundTrip(config, TranslationConfig.resolve) { if $0.task == .sr { $0.model.inputShape = [1, 7, 7] } }
        }
        for text in ["task: cyclegan", "task: cyclegan\ndata: gray2color\npool_size: 0\nresidual_blocks: 2"] {
            try roundTrip(try CycleGANConfig.resolve(try settings(text)), CycleGANConfig.resolve)
        }
        // Recorded keys (the data's shape) are taken from a run's config.json, and ignored by --config.
        var trained = try RunConfig.resolve(try settings("data: ring8"))
        trained.model.imageShape = [1, 1, 2]
        trained.model.classCount = 8
        let written = try trained.encoded()
        #expect(try RunConfig.decode(Data(written), file: "config.json") == trained)
        #expect(try RunConfig.resolve(try settings(String(decoding: written, as: UTF8.self), file: "config.json")).model.classCount == 10)
    }

    /// Runs written before version 0.10 nest their configuration in sections with camelCase keys; they still read.
    @Test func theNestedLayoutOfEarlierRunsReads() throws {
        var config = try RunConfig.resolve(try settings("preset: wgan-gp\ndata: ring8\nema: 0.99"))
        config.model.imageShape = [1, 1, 2]
        func section(_ value: some Encodable) throws -> Any { try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) }
        let nested: [String: Any] = [
            "model": try section(config.model), "training": try section(config.training), "data": try section(config.data), "preset": "wgan-gp"
        ]
        let read = try RunConfig.decode(try JSONSerialization.data(withJSONObject: nested), file: "config.json")
        #expect(read == config)
        // A bad value in the old layout is named as it was before.
        var bad = nested
        bad["training"] = ["batchSize": "many"]
        #expect(message { _ = try RunConfig.decode(try JSONSerialization.data(withJSONObject: bad), file: "old/config.json") }.contains("batchSize"))
    }
}

/// `gan train --config`, `--print-config`.
@Suite("Config files on the command line", .serialized)
struct ConfigFileCommandLineTests {
    @Test func aRunStartedFromItsOwnConfigIsTheSameRun() throws {
        let work = temporaryDirectory("config-cli")
        let file = "\(work)/ring.yaml"
        try "# a 2-D run\ndata: ring8\nbatch_size: 32\nsteps: 4\nsample-every: 2\nwidth: 16\nlimit: 256\n".write(
            toFile: file, atomically: true, encoding: .utf8)
        let printed = try runGAN(["train", "--config", file, "--steps", "3", "--print-config"])
        #expect(printed.status == 0, "\(printed.output)")
        let resolved = try RunConfig.decode(Data(printed.output.utf8), file: "printed")
        #expect(resolved.training.steps == 3 && resolved.training.batchSize == 32 && resolved.model.width == 16)
        #expect(resolved.data.limit == 256 && resolved.training.sampleEvery == 2 && resolved.preset == "2d")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/runs"), "--print-config writes nothing")

        let train = try runGAN(["train", "--config", file, "--steps", "3", "--run-dir", "\(work)/run"], in: work)
        #expect(train.status == 0, "\(train.output)")
        let written = try String(contentsOfFile: "\(work)/run/config.json", encoding: .utf8)
        #expect(written.contains("\"batch_size\" : 32") && written.contains("\"steps\" : 3"))
        // The written config.json given back as --config resolves to what it holds.
        let again = try runGAN(["train", "--config", "\(work)/run/config.json", "--print-config"])
        #expect(again.status == 0, "\(again.output)")
        #expect(try RunConfig.decode(Data(again.output.utf8), file: "again").training == (try RunConfig.read("\(work)/run/config.json")).training)
        #expect(try RunConfig.decode(Data(again.output.utf8), file: "again").data == (try RunConfig.read("\(work)/run/config.json")).data)
    }

    /// Without --run-dir a second run goes beside the first (runs/2d-2), never over it.
    /// `--update simultaneous` (or `update: simultaneous` in a file) trains
    /// and is recorded; a bad value and more than one critic step are refused.
    @Test func simultaneousUpdatesFromAFlagOrAFile() throws {
        let work = temporaryDirectory("update-cli")
        try "data: ring8\nupdate: simultaneous\nsteps: 3\nwidth: 16\n".write(toFile: "\(work)/tape.yaml", atomically: true, encoding: .utf8)
        let train = try runGAN(["train", "--config", "\(work)/tape.yaml", "--run-dir", "\(work)/run"])
        #expect(train.status == 0, "\(train.output)")
        #expect(try RunConfig.read("\(work)/run/config.json").training.update == .simultaneous)
        let printed = try runGAN(["train", "--data", "ring8", "--update", "simultaneous", "--print-config"])
        #expect(try RunConfig.decode(Data(printed.output.utf8), file: "printed").training.update == .simultaneous, "\(printed.output)")
        for (arguments, message) in [
            (["train", "--data", "ring8", "--update", "sideways"], "expected one of alternating, simultaneous"),
            (["train", "--data", "ring8", "--update", "simultaneous", "--critic-steps", "5"], "the critic steps must be 1, not 5"),
            (["train", "--task", "pix2pix", "--update", "simultaneous"], "--update applies to GANs from noise")
        ] {
            let result = try runGAN(arguments + ["--run-dir", "\(work)/\(UUID().uuidString)"])
            #expect(result.status != 0 && result.output.contains(message), "\(arguments): \(result.output)")
        }
    }

    @Test func theDefaultRunDirectoryNeverReplacesARun() throws {
        let work = temporaryDirectory("default-run-dir")
        let arguments = ["train", "--data", "ring8", "--steps", "2", "--batch-size", "16", "--width", "8", "--limit", "64"]
        #expect(try runGAN(arguments, in: work).status == 0)
        let first = FileManager.default.contents(atPath: "\(work)/runs/2d/checkpoint.safetensors")
        let second = try runGAN(arguments + ["--seed", "3"], in: work)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("run: runs/2d-2 "), "\(second.output)")
        #expect(FileManager.default.contents(atPath: "\(work)/runs/2d/checkpoint.safetensors") == first)
        #expect(try RunConfig.read("\(work)/runs/2d-2/config.json").training.seed == 3)
        // --overwrite names the base directory itself.
        let replaced = try runGAN(arguments + ["--overwrite"], in: work)
        #expect(replaced.status == 0 && replaced.output.contains("run: runs/2d "), "\(replaced.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/runs/2d-3"))
    }

    @Test func aBadConfigFileStopsBeforeAnythingIsWritten() throws {
        let work = temporaryDirectory("config-cli-bad")
        try "data: ring8\ncritic_steps: lots\n".write(toFile: "\(work)/bad.yaml", atomically: true, encoding: .utf8)
        let result = try runGAN(["train", "--config", "\(work)/bad.yaml", "--run-dir", "\(work)/run"])
        #expect(result.status != 0)
        #expect(result.output.contains(#"bad.yaml: 'critic_steps': expected a whole number, got "lots""#), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(work)/run"))
        let resume = try runGAN(["train", "--resume", "\(work)/run", "--config", "\(work)/bad.yaml"])
        #expect(resume.status != 0 && resume.output.contains("--config and --print-config apply to new runs"), "\(resume.output)")
        // A task from the file picks the kind of run; the flags of that kind then apply.
        try "task: pix2pix\nsteps: 2\n".write(toFile: "\(work)/p2p.yaml", atomically: true, encoding: .utf8)
        let p2p = try runGAN(["train", "--config", "\(work)/p2p.yaml", "--l1-weight", "5", "--print-config"])
        #expect(p2p.status == 0, "\(p2p.output)")
        let config = try TranslationConfig.decode(Data(p2p.output.utf8), file: "printed")
        #expect(config.task == .pix2pix && config.training.l1Weight == 5 && config.training.steps == 2)
    }
}
