import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANTraining

/// `mpirun -np 2 gan train` on loopback (Open MPI, `openmpi-bin`): the
/// two-rank job against one process with the global batch, identical
/// weights on both ranks, rank 0 alone writing, exact resume, a killed
/// rank, a rank with another configuration, and an interrupt.
@Suite(.serialized)
struct DistributedTests {
    /// A small DCGAN on 256 Fashion-MNIST images (BatchNorm in G and D, no biases, no dropout).
    static let model = ["--model", "dcgan", "--width", "8", "--limit", "256", "--sample-every", "1000", "--log-every", "10"]

    /// `mpirun` from the PATH (Debian: openmpi-bin).
    static var mpirun: String? {
        ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `mpirun -np ranks gan ARGUMENTS` (or an MPMD line with `:`), returning its status and output.
    func launch(_ ranks: Int, _ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        let mpirun = try #require(Self.mpirun, "the distributed tests need Open MPI's mpirun: apt-get install -y openmpi-bin")
        return try runExecutable(mpirun, Self.mpirunOptions + ["-np", String(ranks), ganExecutable()] + arguments, in: directory)
    }

    /// Loopback as root in a container: two ranks on however many cores.
    static let mpirunOptions = ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none"]

    /// The MLP pair (Dropout in D: each rank draws its own masks) on the same images.
    static let mlp = ["--model", "mlp", "--limit", "256", "--sample-every", "1000", "--log-every", "10"]

    func train(_ run: String, steps: Int, batch: Int, _ extra: [String] = [], model: [String] = model) -> [String] {
        ["train"] + model + ["--steps", String(steps), "--batch-size", String(batch), "--run-dir", run] + extra
    }

    /// The largest ‖a − b‖ / ‖a‖ over the weights and BatchNorm statistics of two checkpoints.
    func largestDifference(_ a: String, _ b: String) throws -> (Double, String) {
        let first = try SafeTensors.read(a).tensors
        let second = try SafeTensors.read(b).tensors
        var worst = (0.0, "")
        for entry in first.entries where !entry.key.hasPrefix("optimizer") && !entry.key.hasSuffix("num_batches_tracked") {
            let other = try #require(second[entry.key], "\(b) lacks \(entry.key)")
            let difference = zip(entry.tensor.scalars, other.scalars).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
            let size = entry.tensor.scalars.reduce(0.0) { $0 + Double($1) * Double($1) }
            let relative = (difference / Swift.max(size, 1e-30)).squareRoot()
            if relative > worst.0 { worst = (relative, entry.key) }
        }
        return worst
    }

    /// With --sync-batchnorm, two ranks of batch 32 train as one process of batch 64: the
    /// same batches, latents and statistics, and gradients that differ only in summation order
    /// (each rank's 32-row products and the sum of two halves against 64-row products).
    ///
    /// Tolerance: after one step every tensor agrees to 1e-4 (relative, in norm; float32 rounding
    /// of ~1e-7 per value, amplified where Adam's first step divides a gradient element by its own
    /// magnitude). GAN training then amplifies rounding (each player's update feeds the other's
    /// loss), so after 50 steps the bound is 5%; without synchronized statistics (each rank
    /// normalising its own 32 samples) or with another seed the weights differ by more than 50%,
    /// which the test checks too, so the bound still separates equivalence from a different run.
    @Test func twoRanksTrainAsOneProcessWithTheGlobalBatch() throws {
        let directory = temporaryDirectory("mpi-equivalence")
        for steps in [1, 50] {
            let single = try runGAN(train("one-\(steps)", steps: steps, batch: 64), in: directory)
            #expect(single.status == 0, "\(single.output)")
            let two = try launch(2, train("two-\(steps)", steps: steps, batch: 32, ["--sync-batchnorm"]), in: directory)
            #expect(two.status == 0, "\(two.output)")
            let (difference, key) = try largestDifference(
                "\(directory)/one-\(steps)/checkpoint.safetensors", "\(directory)/two-\(steps)/checkpoint.safetensors")
            #expect(difference < (steps == 1 ? 1e-4 : 5e-2), "after \(steps) steps \(key) differs by \(difference)")
        }
        let unsynchronized = try launch(2, train("own-statistics", steps: 50, batch: 32), in: directory)
        #expect(unsynchronized.status == 0, "\(unsynchronized.output)")
        let control = try largestDifference("\(directory)/one-50/checkpoint.safetensors", "\(directory)/own-statistics/checkpoint.safetensors")
        #expect(control.0 > 0.5, "per-rank statistics should give another run: \(control)")
    }

    /// Simultaneous updates average each network's gradient of its own loss
    /// over the ranks: one step of two ranks equals one step of one process
    /// with the global batch, to the one-step bound above.
    @Test func simultaneousUpdatesAverageEachNetworksGradient() throws {
        let directory = temporaryDirectory("mpi-simultaneous")
        let extra = ["--update", "simultaneous", "--sync-batchnorm"]
        let single = try runGAN(train("one", steps: 1, batch: 64, ["--update", "simultaneous"]), in: directory)
        #expect(single.status == 0, "\(single.output)")
        let two = try launch(2, train("two", steps: 1, batch: 32, extra), in: directory)
        #expect(two.status == 0, "\(two.output)")
        let (difference, key) = try largestDifference("\(directory)/one/checkpoint.safetensors", "\(directory)/two/checkpoint.safetensors")
        #expect(difference < 1e-4, "\(key) differs by \(difference)")
    }

    /// Both ranks end with bit-identical weights (the checksum they compare is printed, and
    /// equals rank 0's checkpoint's), and only rank 0 writes: the run holds what a one-process run
    /// holds, each log line once, and nothing else appears in the working directory.
    @Test func ranksEndIdenticalAndOnlyRankZeroWrites() throws {
        let directory = temporaryDirectory("mpi-writer")
        let result = try launch(2, train("run", steps: 20, batch: 16, ["--check-weights-every", "5"]), in: directory)
        #expect(result.status == 0, "\(result.output)")
        let printed = try #require(result.output.firstMatch(of: /weights identical on 2 ranks \(checksum ([0-9a-f]+)\)/), "\(result.output)")
        #expect(String(printed.1) == String(try checksum(of: "\(directory)/run"), radix: 16))
        #expect(result.output.components(separatedBy: "done: ").count == 2, "one rank reports: \(result.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["run"])
        let single = try runGAN(train("\(directory)/single", steps: 20, batch: 32))
        #expect(single.status == 0, "\(single.output)")
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(directory)/run").filter { !$0.hasPrefix("events.") }.sorted()
        #expect(names == (try FileManager.default.contentsOfDirectory(atPath: "\(directory)/single").filter { !$0.hasPrefix("events.") }.sorted()))
        let lines = try String(contentsOfFile: "\(directory)/run/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].contains("\"step\": 10") && lines[1].contains("\"step\": 20"), "\(lines)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/run/samples").sorted() == ["step-000000.png", "step-000020.png"])
        let metadata = try SafeTensors.readMetadata("\(directory)/run/checkpoint.safetensors")
        #expect(metadata["swiftgan.ranks"] == "2")
    }

    /// The checksum `Trainer.weightChecksum()` computes, from a run's checkpoint (G's then D's parameters).
    func checksum(of run: String) throws -> UInt64 {
        let config = try RunConfig.read(TrainingRun.configPath(run))
        var random = RandomGenerator(seed: 0)
        let (generator, discriminator) = config.model.build(random: &random)
        let state = try SafeTensors.read(TrainingRun.checkpointPath(run)).tensors
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (prefix, module) in [("generator", generator as Module), ("discriminator", discriminator)] {
            for (name, _) in module.namedParameters() {
                for value in try #require(state["\(prefix).\(name)"]).scalars { hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3 }
            }
        }
        return hash
    }

    /// A two-rank run resumed under two ranks equals an uninterrupted one bit for bit (with
    /// Dropout too: rank 1's masks continue from rank 0's checkpoint); resuming it in one process
    /// is refused, naming the rank count.
    @Test(arguments: ["dcgan", "mlp"])
    func resumeUnderTwoRanksIsBitIdentical(kind: String) throws {
        let directory = temporaryDirectory("mpi-resume")
        let model = kind == "mlp" ? Self.mlp : Self.model
        let straight = try launch(2, train("straight", steps: 20, batch: 16, model: model), in: directory)
        #expect(straight.status == 0, "\(straight.output)")
        #expect(try launch(2, train("resumed", steps: 10, batch: 16, model: model), in: directory).status == 0)
        let alone = try runGAN(["train", "--resume", "resumed", "--steps", "20"], in: directory)
        #expect(alone.status != 0 && alone.output.contains("was written by a run on 2 ranks (mpirun -np 2)"), "\(alone.output)")
        let resumed = try launch(2, ["train", "--resume", "resumed", "--steps", "20"], in: directory)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(
            FileManager.default.contents(atPath: "\(directory)/straight/checkpoint.safetensors")
                == FileManager.default.contents(atPath: "\(directory)/resumed/checkpoint.safetensors"))
    }

    /// A rank started with another learning rate is refused before anything is written, naming the rank and the setting.
    @Test func aRankWithAnotherConfigurationIsRefused() throws {
        let directory = temporaryDirectory("mpi-config")
        let mpirun = try #require(Self.mpirun)
        let arguments =
            Self.mpirunOptions + ["-np", "1", ganExecutable()] + train("run", steps: 5, batch: 16, ["--lr-g", "1e-4"]) + [":"]
            + ["-np", "1", ganExecutable()] + train("run", steps: 5, batch: 16, ["--lr-g", "3e-4"])
        let result = try runExecutable(mpirun, arguments, in: directory)
        #expect(result.status != 0)
        #expect(result.output.contains("rank 1: was started with another configuration than rank 0 (here lr_g : 0.0003"), "\(result.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    /// Ranks whose `--data` path holds other files (here each rank runs in its own working
    /// directory, as on two machines) are refused before anything is written, naming the rank
    /// and the data, also when the steps come from --epochs (counted on rank 0).
    @Test func ranksWithOtherDataAreRefused() throws {
        let directory = temporaryDirectory("mpi-data")
        let mpirun = try #require(Self.mpirun)
        // Rank 1's copy has fewer images, so its own count would give other steps from --epochs.
        for (name, count, pattern) in [("zero", 128, TinyPattern.quadrants), ("one", 96, .halves)] {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(name)", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: tinyIDXDirectory(count: count, pattern: pattern), toPath: "\(directory)/\(name)/data")
        }
        let command = [ganExecutable(), "train", "--preset", "cgan", "--data", "data", "--epochs", "2", "--batch-size", "16", "--run-dir", "run"]
        let arguments =
            Self.mpirunOptions + ["-np", "1", "-wdir", "\(directory)/zero"] + command + [":", "-np", "1", "-wdir", "\(directory)/one"] + command
        let result = try runExecutable(mpirun, arguments, in: directory)
        #expect(result.status != 0)
        #expect(result.output.contains("rank 1: has other training data than rank 0 (here data: 96 examples of [1, 8, 8]"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/zero/run"), "rank 0 wrote nothing")
    }

    /// Killing one rank ends the whole job within 30 s, the launcher naming the rank, and the
    /// last checkpoint stays loadable.
    @Test func aKilledRankEndsTheJob() throws {
        let directory = temporaryDirectory("mpi-kill")
        let mpirun = try #require(Self.mpirun)
        let log = "\(directory)/output.txt"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments =
            Self.mpirunOptions + ["-np", "2", ganExecutable()] + train("\(directory)/run", steps: 100_000, batch: 16, ["--checkpoint-every", "5"])
        let handle = try #require(FileHandle(forWritingAtPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { stop(process) }
        func checkpointStep() -> Int? {
            (try? SafeTensors.readMetadata("\(directory)/run/checkpoint.safetensors"))?["swiftgan.step"].flatMap { Int($0) }
        }
        let deadline = Date().addingTimeInterval(120)
        while (checkpointStep() ?? 0) < 5 && Date() < deadline { usleep(50_000) }
        let rank1 = try #require(rankProcess(1, of: process.processIdentifier), "rank 1's process")
        kill(rank1, SIGKILL)
        let killed = Date()
        while process.isRunning && Date().timeIntervalSince(killed) < 30 { usleep(50_000) }
        let ended = !process.isRunning
        stop(process)
        process.waitUntilExit()
        let output = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
        #expect(ended, "the job should end within 30 s of rank 1's death: \(output)")
        #expect(process.terminationStatus != 0)
        #expect(output.contains("rank 1"), "\(output)")
        let step = try #require(checkpointStep(), "the checkpoint stays loadable")
        #expect(step % 5 == 0 && (try? SafeTensors.read("\(directory)/run/checkpoint.safetensors")) != nil)
    }

    /// Ends a launcher still running after a failed expectation, and its ranks.
    func stop(_ process: Process) {
        guard process.isRunning else { return }
        for rank in 0..<2 { if let pid = rankProcess(rank, of: process.processIdentifier) { kill(pid, SIGKILL) } }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The pid of the child of `launcher` that is rank `rank` (its OMPI_COMM_WORLD_RANK).
    func rankProcess(_ rank: Int, of launcher: Int32) -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            // /proc files report size 0: read them to the end.
            func read(_ name: String) -> Data? { FileHandle(forReadingAtPath: "/proc/\(entry)/\(name)")?.readDataToEndOfFile() }
            guard let pid = Int32(entry), let status = read("status"),
                String(decoding: status, as: UTF8.self).contains("\nPPid:\t\(launcher)\n"),
                let environment = read("environ")
            else { continue }
            if environment.split(separator: 0).contains(where: { $0.elementsEqual("OMPI_COMM_WORLD_RANK=\(rank)".utf8) }) { return pid }
        }
        return nil
    }

    /// Pix2pix on 128 edges2fashion pairs (U-Net with Dropout, BatchNorm; learning rate decay over the run).
    static let pix2pix = ["--task", "pix2pix", "--data", "edges2fashion", "--limit", "128", "--width", "8", "--sample-every", "1000", "--log-every", "5"]

    /// CycleGAN on fashion2edges, small (each rank keeps its own image pools).
    static let cyclegan = [
        "--task", "cyclegan", "--data", "fashion2edges", "--limit", "64", "--width", "4", "--residual-blocks", "1", "--pool-size", "4",
        "--sample-every", "1000", "--log-every", "5"
    ]

    /// An interrupt that reaches one rank only (here rank 1; `mpirun` forwards one to every
    /// rank) pauses both at the same update: the request travels with the next gradients. Rank
    /// 0 saves, and resuming finishes the run exactly as an uninterrupted one: for the GAN
    /// (paused between critic updates, then given a new total), pix2pix and CycleGAN (rank 1's
    /// pools come back from rank 0's checkpoint) resumed to their own total, since their learning
    /// rates decay over it.
    @Test(arguments: ["dcgan", "pix2pix", "cyclegan"])
    func anInterruptPausesEveryRankAtOneUpdate(kind: String) throws {
        let directory = temporaryDirectory("mpi-interrupt")
        let mpirun = try #require(Self.mpirun)
        let isGAN = kind == "dcgan"
        let model = isGAN ? Self.model + ["--critic-steps", "3"] : kind == "pix2pix" ? Self.pix2pix : Self.cyclegan
        let log = "\(directory)/output.txt"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        // Translation runs decay their rates over their total, so it is fixed (and large enough that a fast machine is still training at the interrupt).
        let steps = isGAN ? 100_000 : 1_000
        process.arguments =
            Self.mpirunOptions + ["-np", "2", ganExecutable()] + train("\(directory)/run", steps: steps, batch: isGAN ? 8 : 4, model: model)
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let handle = try #require(FileHandle(forWritingAtPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        defer { stop(process) }
        let deadline = Date().addingTimeInterval(120)
        // Training has begun once rank 0 logged a step (metrics.jsonl is written with write(2), line by line).
        func loggedStep() -> Bool { !((try? String(contentsOfFile: "\(directory)/run/metrics.jsonl", encoding: .utf8)) ?? "").isEmpty }
        while !loggedStep() && Date() < deadline { usleep(20_000) }
        let rank1 = try #require(rankProcess(1, of: process.processIdentifier), "rank 1's process")
        kill(rank1, SIGINT)
        let interrupted = Date()
        while process.isRunning && Date().timeIntervalSince(interrupted) < 60 { usleep(50_000) }
        let output = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
        try #require(!process.isRunning, "both ranks should stop: \(output)")
        #expect(output.contains("checkpoint saved. Continue with: mpirun -np 2 gan train --resume"), "\(output)")
        let metadata = try SafeTensors.readMetadata("\(directory)/run/checkpoint.safetensors")
        let step = try #require(metadata["swiftgan.step"].flatMap { Int($0) })
        #expect(step > 0 && (isGAN || step < steps), "the interrupt saved a checkpoint after training began, before the end: step \(step)")
        let total = isGAN ? step + 3 : steps
        let resumed = try launch(2, ["train", "--resume", "run"] + (isGAN ? ["--steps", String(total)] : []), in: directory)
        #expect(resumed.status == 0 && resumed.output.contains("steps \(step) → \(total)"), "\(resumed.output)")
        let straight = try launch(2, train("straight", steps: total, batch: isGAN ? 8 : 4, model: model), in: directory)
        #expect(straight.status == 0, "\(straight.output)")
        let (difference, key) = try largestDifference("\(directory)/straight/checkpoint.safetensors", "\(directory)/run/checkpoint.safetensors")
        #expect(difference == 0, "\(key) differs by \(difference) (paused at \(metadata["swiftgan.step_position"] ?? "a step boundary"))")
    }
}
