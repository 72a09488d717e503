import Foundation
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANTraining

/// Run directories: what `--overwrite` may replace and when, one writer at
/// a time, logs that resume without duplicates or partial records, and no
/// write through a link or onto something that is not a regular file.
@Suite struct RunDirectoryTests {
    func config(steps: Int, directory: String, checkpointEvery: Int = 5) -> RunConfig {
        var model = ModelConfig(kind: .mlp, imageShape: [1, 8, 8])
        var training = TrainingConfig(seed: 3)
        Preset.mlp.apply(to: &model, &training)
        model.width = 16
        training.steps = steps
        training.batchSize = 16
        training.checkpointEvery = checkpointEvery
        training.sampleEvery = 10
        training.logEvery = 1
        return RunConfig(model: model, training: training, data: DataSpec(name: "tiny", path: directory))
    }

    func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func overwriteRefusesWhatIsNotARun() throws {
        let data = tinyIDXDirectory()
        // A project that happens to hold a config.json.
        let project = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(project)/src", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(project)/.git", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(project)/config.json", contents: Data("{}".utf8))
        #expect {
            _ = try TrainingRun.start(directory: project, config: config(steps: 2, directory: data), overwrite: true)
        } throws: { "\($0)".contains("is not a SwiftGAN run directory") }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: project)) == ["src", ".git", "config.json"])

        // A run that also holds the user's files.
        let run = temporaryDirectory() + "/run"
        do { _ = try TrainingRun.start(directory: run, config: config(steps: 2, directory: data)) }
        _ = FileManager.default.createFile(atPath: "\(run)/notes.txt", contents: Data("mine".utf8))
        #expect {
            _ = try TrainingRun.start(directory: run, config: config(steps: 2, directory: data), overwrite: true)
        } throws: { "\($0)".contains("holds files a run does not write (notes.txt)") }
        #expect(contents("\(run)/notes.txt") == Data("mine".utf8))
        // … also inside samples/.
        try FileManager.default.removeItem(atPath: "\(run)/notes.txt")
        _ = FileManager.default.createFile(atPath: "\(run)/samples/extra.txt", contents: Data("mine".utf8))
        #expect {
            _ = try TrainingRun.start(directory: run, config: config(steps: 2, directory: data), overwrite: true)
        } throws: { "\($0)".contains("holds files a run does not write (samples/extra.txt)") }
        #expect(contents("\(run)/samples/extra.txt") == Data("mine".utf8))

        // A plain file or a link as the run directory.
        let file = temporaryDirectory() + "/file"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        #expect { _ = try TrainingRun.start(directory: file, config: config(steps: 2, directory: data)) } throws: {
            "\($0)".contains("is not a directory")
        }
    }

    @Test func overwriteReplacesOnlyAfterTheNewRunIsValidAndCheckpointed() throws {
        let data = tinyIDXDirectory()
        let parent = temporaryDirectory()
        let run = "\(parent)/run"
        do { #expect(try TrainingRun.start(directory: run, config: config(steps: 3, directory: data)).run() == .completed) }
        let oldCheckpoint = contents(TrainingRun.checkpointPath(run))

        // Bad data or a bad configuration: the old run stays as it was.
        #expect(throws: FileError.self) {
            _ = try TrainingRun.start(directory: run, config: config(steps: 3, directory: data + "-typo"), overwrite: true)
        }
        var bad = config(steps: 3, directory: data)
        bad.training.learningRateG = -1
        #expect(throws: (any Error).self) { _ = try TrainingRun.start(directory: run, config: bad, overwrite: true) }
        #expect(contents(TrainingRun.checkpointPath(run)) == oldCheckpoint)
        #expect(contents("\(run)/metrics.jsonl")?.isEmpty == false)

        // A good one: the new run, with its step-0 checkpoint, replaces the old one entirely.
        let replacement = try TrainingRun.start(directory: run, config: config(steps: 5, directory: data), overwrite: true)
        let checkpoint = try SafeTensors.read(TrainingRun.checkpointPath(run))
        #expect(checkpoint.metadata["swiftgan.step"] == "0")
        #expect(contents("\(run)/metrics.jsonl")?.isEmpty == true)
        #expect(FileManager.default.fileExists(atPath: "\(run)/\(RunDirectory.markerName)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["run"])  // no sibling left behind
        #expect(try replacement.run() == .completed)
    }

    @Test func anInterruptedReplacementIsFinishedOnTheNextStart() throws {
        let data = tinyIDXDirectory()
        let parent = temporaryDirectory()
        let run = "\(parent)/run"
        // A crash between the two renames: the old run moved aside, the complete new one not yet in place.
        do { _ = try TrainingRun.start(directory: "\(parent)/.run.new-99999", config: config(steps: 4, directory: data)) }
        do { _ = try TrainingRun.start(directory: "\(parent)/.run.replaced-99999", config: config(steps: 2, directory: data)) }
        let resumed = try TrainingRun.resume(directory: run)
        #expect(resumed.trainer.config.training.steps == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["run"])
    }

    @Test func leftoversAndLookalikesAreHandledSafely() throws {
        let data = tinyIDXDirectory()
        let parent = temporaryDirectory()
        // A start that died right after taking the lock left only .lock: the directory counts as empty.
        try FileManager.default.createDirectory(atPath: "\(parent)/run", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(parent)/run/.lock", contents: Data("pid 1 on elsewhere\n".utf8))
        do { _ = try TrainingRun.start(directory: "\(parent)/run", config: config(steps: 2, directory: data)) }
        // A user's directory that merely looks like a swap sibling is never touched.
        try FileManager.default.createDirectory(atPath: "\(parent)/.run.new-ideas", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(parent)/.run.new-ideas/notes.txt", contents: Data("mine".utf8))
        do { _ = try TrainingRun.start(directory: "\(parent)/run", config: config(steps: 2, directory: data), overwrite: true) }
        #expect(contents("\(parent)/.run.new-ideas/notes.txt") == Data("mine".utf8))
        #expect(!FileManager.default.fileExists(atPath: "\(parent)/.run.new-ideas/.lock"))
        // A run entry's name on something else (a directory called metrics.jsonl holding files) is not replaced.
        let run = "\(parent)/run"
        try FileManager.default.removeItem(atPath: "\(run)/metrics.jsonl")
        try FileManager.default.createDirectory(atPath: "\(run)/metrics.jsonl", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(run)/metrics.jsonl/mine.txt", contents: Data("mine".utf8))
        #expect {
            _ = try TrainingRun.start(directory: run, config: config(steps: 2, directory: data), overwrite: true)
        } throws: { "\($0)".contains("holds files a run does not write (metrics.jsonl)") }
        #expect(contents("\(run)/metrics.jsonl/mine.txt") == Data("mine".utf8))
        try FileManager.default.removeItem(atPath: "\(run)/metrics.jsonl")
        // A FIFO as the log: refused without blocking on it. A hard link: refused.
        #expect(mkfifo("\(run)/metrics.jsonl", 0o644) == 0)
        #expect { _ = try TrainingRun.resume(directory: run) } throws: { "\($0)".contains("metrics.jsonl: is not a regular file") }
        try FileManager.default.removeItem(atPath: "\(run)/metrics.jsonl")
        // (A log line the resume keeps, so the log is appended to, not rewritten.)
        let line = Data("{\"step\": 0, \"mine\": 1}\n".utf8)
        _ = FileManager.default.createFile(atPath: "\(parent)/elsewhere.txt", contents: line)
        #expect(link("\(parent)/elsewhere.txt", "\(run)/metrics.jsonl") == 0)
        #expect { _ = try TrainingRun.resume(directory: run) } throws: { "\($0)".contains("has 2 hard links") }
        #expect(contents("\(parent)/elsewhere.txt") == line)
    }

    @Test func oneWriterPerRunDirectory() throws {
        let data = tinyIDXDirectory()
        let run = temporaryDirectory() + "/run"
        let writer = try TrainingRun.start(directory: run, config: config(steps: 4, directory: data))
        #expect { _ = try TrainingRun.resume(directory: run) } throws: {
            "\($0)".contains("is already open for writing in this process")
        }
        #expect { _ = try TrainingRun.start(directory: run, config: config(steps: 4, directory: data), overwrite: true) } throws: {
            "\($0)".contains("is already open for writing in this process")
        }
        #expect(String(decoding: contents("\(run)/.lock")!, as: UTF8.self).hasPrefix("pid \(getpid()) on "))
        #expect(try writer.run() == .completed)
        withExtendedLifetime(writer) {}
    }

    @Test func resumedLogsHoldEachStepOnceAndNoPartialRecord() throws {
        let data = tinyIDXDirectory()
        let run = temporaryDirectory() + "/run"
        do {
            let first = try TrainingRun.start(directory: run, config: config(steps: 12, directory: data))
            // Logged to step 8, checkpointed at 5 and 8.
            #expect(try first.run(shouldStop: { first.trainer.step >= 8 }) == .interrupted(step: 8))
        }
        // What a crash after step 9 leaves: step 9 logged, a line cut short, an event cut short, a temporary.
        let metricsPath = "\(run)/metrics.jsonl"
        let metrics = try AppendFile(path: metricsPath)
        try metrics.append(Array("{\"step\": 9, \"loss/d\": 1.0}\n{\"step\": 10, \"loss/d\": 0.".utf8))
        let events = try EventFile.paths(in: run)
        #expect(events.count == 1)
        let event = try AppendFile(path: events[0])
        try event.append([1, 2, 3, 4, 5])
        _ = FileManager.default.createFile(atPath: "\(run)/.checkpoint.safetensors.tmp-1-2", contents: Data(count: 100))
        _ = FileManager.default.createFile(atPath: "\(run)/samples/.step-000010.png.tmp-1-2", contents: Data(count: 10))

        // The checkpoint at step 8 is the latest; resume continues from it.
        let resumed = try TrainingRun.resume(directory: run)
        #expect(resumed.trainer.step == 8)
        #expect(try resumed.run() == .completed)
        let steps = String(decoding: contents(metricsPath)!, as: UTF8.self).split(separator: "\n").map { line in
            Int(line.split(separator: ",")[0].dropFirst("{\"step\": ".count))!
        }
        #expect(steps == Array(1...12))
        // One event stream, each step once, every record intact.
        #expect(try EventFile.paths(in: run) == events)
        let bytes = [UInt8](contents(events[0])!)
        let records = EventFile.records(bytes)
        #expect(records.last?.range.upperBound == bytes.count)
        let scalarSteps = records.map(\.step).filter { $0 > 0 }
        #expect(Set(scalarSteps) == Set(1...12))
        #expect(scalarSteps.filter { $0 == 9 }.count == 1)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run) + FileManager.default.contentsOfDirectory(atPath: "\(run)/samples")
        #expect(!leftovers.contains { $0.contains(".tmp-") })
    }

    @Test func nothingIsWrittenThroughALinkOrOverSomethingElse() throws {
        let data = tinyIDXDirectory()
        let run = temporaryDirectory() + "/run"
        do { _ = try TrainingRun.start(directory: run, config: config(steps: 4, directory: data)) }
        // samples/ planted as a link to another directory.
        let elsewhere = temporaryDirectory()
        try FileManager.default.removeItem(atPath: "\(run)/samples")
        try FileManager.default.createSymbolicLink(atPath: "\(run)/samples", withDestinationPath: elsewhere)
        #expect { _ = try TrainingRun.resume(directory: run) } throws: {
            "\($0)".contains("samples: is a symbolic link; a run's own files must be inside the run")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        // metrics.jsonl planted as a link.
        try FileManager.default.removeItem(atPath: "\(run)/samples")
        try FileManager.default.removeItem(atPath: "\(run)/metrics.jsonl")
        try FileManager.default.createSymbolicLink(atPath: "\(run)/metrics.jsonl", withDestinationPath: "\(elsewhere)/log")
        #expect { _ = try TrainingRun.resume(directory: run) } throws: {
            "\($0)".contains("metrics.jsonl: is a symbolic link; a run's own files must be inside the run")
        }
        #expect(!FileManager.default.fileExists(atPath: "\(elsewhere)/log"))
        // The checkpoint planted as a link: refused before any step is trained.
        try FileManager.default.removeItem(atPath: "\(run)/metrics.jsonl")
        try FileManager.default.moveItem(atPath: "\(run)/checkpoint.safetensors", toPath: "\(elsewhere)/checkpoint.safetensors")
        try FileManager.default.createSymbolicLink(atPath: "\(run)/checkpoint.safetensors", withDestinationPath: "\(elsewhere)/checkpoint.safetensors")
        #expect { _ = try TrainingRun.resume(directory: run) } throws: { "\($0)".contains("checkpoint.safetensors: is a symbolic link") }

        // AtomicFile replaces regular files only.
        let target = "\(elsewhere)/target"
        _ = FileManager.default.createFile(atPath: target, contents: Data("keep".utf8))
        let link = "\(elsewhere)/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect { try AtomicFile.write([1], to: link) } throws: { "\($0)".contains("is a symbolic link; refusing to replace it") }
        let fifo = "\(elsewhere)/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect { try AtomicFile.write([1], to: fifo) } throws: { "\($0)".contains("is a FIFO; refusing to replace it") }
        #expect { try AtomicFile.write([1], to: elsewhere) } throws: { "\($0)".contains("is a directory") }
        #expect(contents(target) == Data("keep".utf8))
        var status = stat()
        #expect(lstat(link, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK)
        #expect(lstat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
    }
}
