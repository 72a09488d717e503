import Foundation
import SwiftGANData
import SwiftGANNN
import SwiftGANTensor
import SwiftGANTraining

/// Valid inputs for each target, written by the library itself, so the
/// fuzzer starts from files that parse (`gan-fuzz --write-seeds DIR`;
/// Scripts/make_fuzz_corpus.sh adds the test fixtures and known bad cases).
enum FuzzSeeds {
    /// A `config.json` in the nested layout: each section as its structure encodes itself (camelCase keys).
    static func nested(_ sections: [String: any Encodable]) throws -> [UInt8] {
        var object: [String: Any] = [:]
        for (name, section) in sections { object[name] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(section)) }
        if sections["model"] is TranslationModelConfig { object["task"] = "pix2pix" }
        if sections["model"] is CycleGANModelConfig { object["task"] = "cyclegan" }
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
    }

    static func write(to directory: String) throws {
        func put(_ target: String, _ name: String, _ bytes: [UInt8]) throws {
            try FileManager.default.createDirectory(atPath: "\(directory)/\(target)", withIntermediateDirectories: true)
            try AtomicFile.write(bytes, to: "\(directory)/\(target)/\(name)")
        }
        // After two steps, so the optimizers have per-parameter state.
        for _ in 0..<2 { _ = try FuzzTargets.checkpointTrainer.trainStep() }
        let checkpoint = try FuzzTargets.checkpointTrainer.checkpoint()
        let checkpointBytes = SafeTensors.encode(checkpoint.tensors, metadata: checkpoint.metadata)
        try put("checkpoint", "ring8-width8.safetensors", checkpointBytes)
        try put("safetensors", "ring8-width8.safetensors", checkpointBytes)
        try put("config", "run.json", try FuzzTargets.checkpointTrainer.config.encoded())
        var translation = TranslationConfig.preset(.pix2pix)
        translation.model.inputShape = [1, 28, 28]
        try put("config", "translation.json", try translation.encoded())
        var cyclegan = CycleGANConfig.preset(data: UnpairedDataSpec(name: "fashion2edges"))
        cyclegan.model.shapeA = [1, 28, 28]
        cyclegan.model.shapeB = [1, 28, 28]
        try put("config", "cyclegan.json", try cyclegan.encoded())
        // The nested layout of runs written before version 0.10, which still reads.
        let run = FuzzTargets.checkpointTrainer.config
        try put("config", "legacy-run.json", try nested(["model": run.model, "training": run.training, "data": run.data]))
        try put("config", "legacy-translation.json", try nested(["model": translation.model, "training": translation.training, "data": translation.data]))
        try put("config", "legacy-cyclegan.json", try nested(["model": cyclegan.model, "training": cyclegan.training, "data": cyclegan.data]))
        let images = IDX.encodeUInt8((0..<(4 * 3 * 3)).map { UInt8($0 * 7 % 256) }, shape: [4, 3, 3])
        try put("idx", "images", images)
        try put("idx", "images.gz", Gzip.compress(images))
        try put("idx", "labels.gz", Gzip.compress(IDX.encodeUInt8([0, 1, 2, 3], shape: [4])))
        var random = RandomGenerator(seed: 1)
        try put("npy", "images.npy", NPY.encode(Tensor.uniform([2, 1, 3, 3], low: -1, high: 1, random: &random)))
        try put("npy", "points.npy", NPY.encode(Tensor.normal([4, 2], random: &random), as: .float64))
        try put("png", "grid.png", try PNG.encode(ImageGrid.pngImage(ImageGrid.make(Tensor.uniform([4, 3, 4, 4], low: -1, high: 1, random: &random), nrow: 2))))
        let events = NSTemporaryDirectory() + "swiftgan-seed-events-\(getpid())"
        let writer = try TensorBoardWriter(directory: events)
        try writer.scalars([("loss/generator", 1.5), ("loss/discriminator", 0.5)], step: 3)
        try writer.image(
            "samples", png: try PNG.encode(RasterImage(width: 2, height: 1, channels: 1, pixels: [0, 255])), width: 2, height: 1, channels: 1, step: 4)
        try put("events", "events.out.tfevents", [UInt8](FileManager.default.contents(atPath: writer.path)!))
        try? FileManager.default.removeItem(atPath: events)
    }
}
