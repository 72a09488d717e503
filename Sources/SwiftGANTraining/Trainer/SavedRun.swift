import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor

/// A finished or interrupted run read back from its directory, for sampling,
/// export and inspection: `config.json` rebuilds the architecture and the
/// checkpoint supplies the weights.
public struct SavedRun {
    public let directory: String
    public let config: RunConfig
    public let checkpoint: SafeTensors.Contents
    /// The step the checkpoint was written at.
    public let step: Int
    /// The checkpoint file read (`checkpoint.safetensors` or `best.safetensors`).
    public let checkpointFile: String

    /// - Parameter best: read `best.safetensors` (kept by `--eval-every`)
    ///   instead of the latest checkpoint.
    /// - Throws: `FileError` naming the missing or invalid file.
    public init(directory: String, best: Bool = false) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FileError(file: directory, problem: "no such run directory")
        }
        self.directory = directory
        config = try RunConfig.read(TrainingRun.configPath(directory))
        let file = best ? TrainingRun.bestCheckpointPath(directory) : TrainingRun.checkpointPath(directory)
        if best && !FileManager.default.fileExists(atPath: file) {
            throw FileError(file: file, problem: "no best checkpoint; train with --eval-every N to keep one")
        }
        checkpoint = try SafeTensors.read(file)
        checkpointFile = file
        guard let step = checkpoint.metadata["swiftgan.step"].flatMap(Int.init), step >= 0 else {
            throw FileError(file: file, problem: "not a SwiftGAN training checkpoint (no step, or a negative one)")
        }
        self.step = step
    }

    /// Whether the checkpoint holds an EMA generator.
    public var hasEMA: Bool { checkpoint.tensors.keys.contains { $0.hasPrefix("ema_generator.") } }

    /// The generator (the EMA copy when `ema` is true, or when nil and one
    /// exists) in evaluation mode.
    /// - Throws: `FileError` if EMA is requested but absent, or naming the
    ///   checkpoint when it does not fit the configured architecture.
    public func generator(ema: Bool? = nil) throws -> GeneratorModel {
        let useEMA = ema ?? hasEMA
        if useEMA && !hasEMA {
            throw FileError(file: TrainingRun.checkpointPath(directory), problem: "the run kept no EMA generator; use --no-ema")
        }
        var random = RandomGenerator(seed: config.training.seed)
        let model = config.model.build(random: &random).generator
        do { try model.loadStateDict(checkpoint.tensors.scoped(useEMA ? "ema_generator" : "generator")) } catch {
            throw FileError(file: checkpointFile, problem: "\(error)")
        }
        model.eval()
        return model
    }

    /// The last line of `metrics.jsonl`, if any.
    public var lastMetrics: String? {
        guard let data = (try? FileContents.readIfPresent("\(directory)/metrics.jsonl")).map({ Data($0) }) else { return nil }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init)
    }
}

/// Spherical linear interpolation between latent vectors (White 2016), which
/// keeps interpolants at the norm typical of Gaussian latents.
public func slerp(_ a: [Float], _ b: [Float], _ t: Float) -> [Float] {
    require(a.count == b.count, "slerp: vectors of \(a.count) and \(b.count) elements")
    let normA = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let normB = b.reduce(0) { $0 + $1 * $1 }.squareRoot()
    let cosine = Swift.min(Swift.max(zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / Swift.max(normA * normB, 1e-12), -1), 1)
    let omega = acos(cosine)
    if omega < 1e-4 { return zip(a, b).map { (1 - t) * $0 + t * $1 } }
    let weightA = sin((1 - t) * omega) / sin(omega)
    let weightB = sin(t * omega) / sin(omega)
    return zip(a, b).map { weightA * $0 + weightB * $1 }
}
