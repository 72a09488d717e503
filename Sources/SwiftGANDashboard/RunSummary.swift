import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// One run directory as a viewer sees it, read without writing anything:
/// its configuration and command, the sample grids on disk, the steps its
/// checkpoints hold, and whether a process is training it now.
public struct RunSummary: Codable, Equatable, Sendable {
    /// The name the dashboard shows and its URLs use (the directory's name).
    public var name: String
    public var kind: RunKind
    /// Whether the run is a GAN on a 2-D mixture (the GAN Lab view applies).
    public var isMixture: Bool
    /// `config.json`, as written (nil while a new run has not written it yet).
    public var config: JSONValue?
    /// `run.json`: the command lines that started and resumed the run, with host and threads.
    public var record: JSONValue?
    /// The configured number of steps.
    public var totalSteps: Int?
    /// Steps of the sample grids in `samples/`, ascending.
    public var sampleSteps: [Int]
    /// The step `checkpoint.safetensors` holds.
    public var checkpointStep: Int?
    /// The step and score of `best.safetensors` (kept by `--eval-every`).
    public var bestStep: Int?
    public var bestScore: Double?
    /// Whether a process holds the run's lock (is training it).
    public var isTraining: Bool

    /// Reads the run at `directory`, shown as `name`. Every file is read
    /// through `RunFilePath.inside`, so a link out of the run is not followed.
    public init(name: String, directory: String) {
        self.name = name
        func json(_ file: String) -> JSONValue? {
            guard let path = RunFilePath.inside(file, of: directory), let bytes = try? FileContents.read(path), bytes.count <= 16 << 20 else {
                return nil
            }
            return try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        }
        func step(_ file: String) -> [String: String]? {
            RunFilePath.inside(file, of: directory).flatMap { try? SafeTensors.readMetadata($0) }
        }
        let config = json("config.json")
        self.config = config
        kind = RunKind(task: config?["task"]?.string)
        // config.json is flat since version 0.10; runs written before nest data and training.
        let dataName = config?["data_name"]?.string ?? config?["data"]?["name"]?.string
        isMixture = kind == .gan && dataName.flatMap(Mixture2D.init(rawValue:)) != nil
        record = json(RunRecord.fileName)
        totalSteps = (config?["steps"] ?? config?["training"]?["steps"])?.number.map { Int($0) }
        sampleSteps = Self.sampleSteps(directory)
        checkpointStep = step("checkpoint.safetensors")?["swiftgan.step"].flatMap { Int($0) }
        let best = step("best.safetensors")
        bestStep = best?["swiftgan.step"].flatMap { Int($0) }
        bestScore = best?["swiftgan.best_score"].flatMap { Double($0) }
        isTraining = DirectoryLock.isHeld(directory: directory)
    }

    /// The steps of the `samples/step-NNNNNN.png` grids in `directory`
    /// (none when `samples` is not a directory of the run's own).
    public static func sampleSteps(_ directory: String) -> [Int] {
        var status = stat()
        guard lstat("\(directory)/samples", &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/samples")) ?? []
        return names.compactMap(sampleStep).sorted()
    }

    /// The step a sample grid's file name holds, or nil for any other name.
    public static func sampleStep(_ name: String) -> Int? {
        guard name.hasPrefix("step-"), name.hasSuffix(".png") else { return nil }
        let digits = name.dropFirst(5).dropLast(4)
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    /// The file name of the sample grid at `step`.
    public static func sampleFile(step: Int) -> String { String(format: "samples/step-%06d.png", step) }
}
