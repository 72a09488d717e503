import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANTraining

/// `gan train` under faults, end to end: a full disk, two writers, two
/// interrupts during a long step, and `kill -9` at random moments. Each
/// must end with a clear message, a loadable checkpoint and logs whose
/// every record is whole.
@Suite(.serialized) struct FaultInjectionTests {
    /// A small, quick 2-D run (a 32 KB checkpoint).
    func trainArguments(_ directory: String, steps: Int, extra: [String] = []) -> [String] {
        ["train", "--data", "ring8", "--width", "16", "--batch-size", "32", "--steps", String(steps), "--run-dir", directory] + extra
    }

    /// Starts `executable` with `arguments`; its output collects in the returned file.
    func launch(_ executable: String, _ arguments: [String]) throws -> (process: Process, log: String) {
        let log = temporaryDirectory("fault-log") + "/output.txt"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let handle = FileHandle(forWritingAtPath: log)!
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return (process, log)
    }

    func output(_ log: String) -> String { String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self) }

    /// Waits (up to `seconds`) until `condition` holds.
    func waitUntil(_ seconds: Double = 60, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// The run's checkpoint step, if it has a loadable checkpoint.
    func checkpointStep(_ directory: String) -> Int? {
        (try? SafeTensors.read(TrainingRun.checkpointPath(directory)))?.metadata["swiftgan.step"].flatMap { Int($0) }
    }

    /// Every line of metrics.jsonl is a whole JSON object and every event record is intact.
    func expectWholeLogs(_ directory: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let metrics = FileManager.default.contents(atPath: "\(directory)/metrics.jsonl") ?? Data()
        #expect(metrics.isEmpty || metrics.last == UInt8(ascii: "\n"), sourceLocation: sourceLocation)
        for line in String(decoding: metrics, as: UTF8.self).split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "partial line: \(line)", sourceLocation: sourceLocation)
        }
        for path in try EventFile.paths(in: directory) {
            let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            #expect(EventFile.records(bytes).last?.range.upperBound == bytes.count, "\(path) ends in a partial record", sourceLocation: sourceLocation)
        }
    }

    @Test func aFullDiskStopsTrainingWithTheCheckpointIntact() throws {
        let run = temporaryDirectory("fault-full") + "/run"
        // Every file may grow to 40 KB: the 32 KB checkpoints fit, the logs fill up within some hundred steps.
        let (process, log) = try launch(
            "/usr/bin/prlimit",
            ["--fsize=40000", ganExecutable()]
                + trainArguments(run, steps: 100_000, extra: ["--log-every", "1", "--sample-every", "100000", "--checkpoint-every", "20"]))
        process.waitUntilExit()
        let text = output(log)
        #expect(process.terminationStatus == 1, "\(text)")
        #expect(text.contains("cannot write: File too large"), "\(text)")
        #expect(text.contains("training stopped; \(run)/checkpoint.safetensors holds step"), "\(text)")
        let step = try #require(checkpointStep(run))
        #expect(step % 20 == 0)
        try expectWholeLogs(run)
        // Without the limit the run continues from its checkpoint.
        let resumed = try runGAN(["train", "--resume", run, "--steps", String(step + 5)])
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(checkpointStep(run) == step + 5)
        try expectWholeLogs(run)
    }

    @Test func aSecondWriterIsRefusedAndAnInterruptStopsBetweenCriticSteps() throws {
        let run = temporaryDirectory("fault-writers") + "/run"
        // Long steps: each generator step waits for 10,000 critic steps on batches of 512 (tens of seconds).
        let (process, log) = try launch(
            ganExecutable(),
            ["train", "--data", "ring8", "--width", "16", "--batch-size", "512", "--critic-steps", "10000", "--steps", "5", "--run-dir", run])
        #expect(waitUntil { checkpointStep(run) == 0 }, "\(output(log))")
        let resume = try runGAN(["train", "--resume", run])
        #expect(resume.status != 0 && resume.output.contains("is in use by another process (pid \(process.processIdentifier) on "), "\(resume.output)")
        let overwrite = try runGAN(trainArguments(run, steps: 5, extra: ["--overwrite"]))
        #expect(overwrite.status != 0 && overwrite.output.contains("is in use by another process"), "\(overwrite.output)")

        // One interrupt: the step pauses after the current critic update and its position is saved.
        kill(process.processIdentifier, SIGINT)
        #expect(waitUntil(20) { !process.isRunning }, "an interrupt should stop within a critic update")
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(output(log).contains("interrupt: saving a checkpoint after the current update"), "\(output(log))")
        let checkpoint = try SafeTensors.read(TrainingRun.checkpointPath(run))
        #expect(checkpoint.metadata["swiftgan.step"] == "0")
        let position = try #require(checkpoint.metadata["swiftgan.step_position"], "the paused step's position")
        #expect(position.hasPrefix("0,") && Int(position.dropFirst(2))! > 0)
        // The lock went with the process.
        #expect((try? DirectoryLock(directory: run)) != nil)
        let info = try runGAN(["info", "--run", run])
        #expect(info.status == 0, "\(info.output)")
    }

    @Test func aSecondInterruptStopsAtOnce() throws {
        let run = temporaryDirectory("fault-second") + "/run"
        // Long updates (seconds each): a 2048-wide 2-D pair on batches of 8192.
        let (process, log) = try launch(
            ganExecutable(), ["train", "--data", "ring8", "--width", "2048", "--batch-size", "8192", "--steps", "5", "--run-dir", run])
        #expect(waitUntil { checkpointStep(run) == 0 }, "\(output(log))")
        usleep(300_000)
        // Two different signals, so that neither is merged into the other while pending.
        kill(process.processIdentifier, SIGINT)
        kill(process.processIdentifier, SIGTERM)
        #expect(waitUntil(10) { !process.isRunning }, "a second interrupt should stop at once")
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(output(log).contains("second interrupt: stopping now without saving"), "\(output(log))")
        #expect(checkpointStep(run) != nil, "the last checkpoint stays loadable")
    }

    @Test func killedAtRandomMomentsTheRunAlwaysResumes() throws {
        let run = temporaryDirectory("fault-kill") + "/run"
        var random = RandomGenerator(seed: 7)
        var arguments = trainArguments(run, steps: 100_000, extra: ["--checkpoint-every", "7", "--sample-every", "5", "--log-every", "1"])
        for round in 0..<6 {
            let (process, log) = try launch(ganExecutable(), arguments)
            // Wait until it trains, then kill it somewhere in the next 0–400 ms.
            #expect(waitUntil { checkpointStep(run) != nil }, "\(output(log))")
            usleep(UInt32(random.next() % 400_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(checkpointStep(run) != nil, "round \(round): the checkpoint must stay loadable")
            arguments = ["train", "--resume", run]
        }
        let step = try #require(checkpointStep(run))
        let finished = try runGAN(["train", "--resume", run, "--steps", String(step + 3)])
        #expect(finished.status == 0, "\(finished.output)")
        try expectWholeLogs(run)
        let names = try FileManager.default.contentsOfDirectory(atPath: run) + FileManager.default.contentsOfDirectory(atPath: "\(run)/samples")
        #expect(!names.contains { $0.contains(".tmp-") }, "\(names)")
        #expect(try EventFile.paths(in: run).count == 1)
    }
}

/// The fuzzing corpora (Fuzz/Corpus) replayed through the parsers of a
/// plain build: no input traps, and each malformed input that once crashed
/// or exhausted `gan` is refused with an error.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus").path

    func replay(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runExecutable(URL(fileURLWithPath: ganExecutable()).deletingLastPathComponent().appendingPathComponent("gan-fuzz").path, arguments)
    }

    @Test(arguments: ["safetensors", "checkpoint", "npy", "idx", "png", "jpeg", "config", "events"])
    func corpusReplaysWithoutATrap(target: String) throws {
        let directory = "\(Self.corpus)/\(target)"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(!names.isEmpty)
        let all = try replay([target, directory])
        #expect(all.status == 0 && all.output.contains("\(target): \(names.count) inputs"), "\(all.output)")
        // Known bad inputs are refused (the IDX ones load their first items under the target's --limit 64).
        let bad = names.filter { $0.hasPrefix("bad-") }.sorted()
        guard target != "idx", !bad.isEmpty else { return }
        let refused = try replay([target] + bad.map { "\(directory)/\($0)" })
        #expect(refused.output.contains("\(bad.count) inputs, 0 accepted"), "\(refused.output)")
    }
}
