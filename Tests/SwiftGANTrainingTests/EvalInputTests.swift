import Foundation
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData
@testable import SwiftGANMetrics
@testable import SwiftGANTensor
@testable import SwiftGANTraining

/// `gan eval` on what users have: PNG folders, uint8 and [0, 1] arrays, saved statistics; `gan sample --out-dir`.
@Suite("Evaluation inputs", .serialized)
struct EvalInputTests {
    func fid(_ output: String) throws -> Double {
        let object = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
        let section = (object["images"] ?? object["statistics"]) as? [String: Any]
        return try #require(section?["fid"] as? Double)
    }

    @Test func aPNGFolderScoresAsItsPixelsDo() throws {
        let work = temporaryDirectory("eval-png")
        let train = try runGAN(["train", "--limit", "256", "--steps", "2", "--batch-size", "16", "--width", "8", "--run-dir", "run"], in: work)
        #expect(train.status == 0, "\(train.output)")
        let sample = try runGAN(["sample", "--run", "run", "--count", "40", "--seed", "2", "--out-dir", "pngs"], in: work)
        #expect(sample.status == 0, "\(sample.output)")
        let names = try FileManager.default.contentsOfDirectory(atPath: "\(work)/pngs").sorted()
        #expect(names.count == 40 && names.first == "000000.png" && names.last == "000039.png")
        // The same pixels as a uint8 array.
        let pixels = try names.flatMap { try PNG.read("\(work)/pngs/\($0)").pixels.map(Float.init) }
        try NPY.write(Tensor(pixels, shape: [40, 1, 28, 28]), to: "\(work)/pixels.npy", as: .uint8)
        let folder = try runGAN(["eval", "--samples", "pngs", "--json"], in: work)
        let array = try runGAN(["eval", "--samples", "pixels.npy", "--json"], in: work)
        #expect(folder.status == 0 && array.status == 0, "\(folder.output)\n\(array.output)")
        #expect(try fid(folder.output) == (try fid(array.output)))
        // A non-empty directory is never written into.
        let again = try runGAN(["sample", "--run", "run", "--count", "2", "--out-dir", "pngs"], in: work)
        #expect(again.status != 0 && again.output.contains("pngs: is not empty (40 entries)"), "\(again.output)")
        let into = try runGAN(["sample", "--run", "run", "--count", "2", "--out-dir", "run"], in: work)
        #expect(into.status != 0 && into.output.contains("is a run directory"), "\(into.output)")
    }

    @Test func declaredRangesAreCheckedAndScaled() throws {
        let work = temporaryDirectory("eval-range")
        var random = RandomGenerator(seed: 3)
        let images = Tensor.uniform([32, 1, 28, 28], low: -1, high: 1, random: &random)
        try NPY.write(images, to: "\(work)/minus.npy")
        try NPY.write((images + 1) / 2, to: "\(work)/unit.npy")
        try NPY.write((images + 1) / 2 * 1.2, to: "\(work)/over.npy")
        let minus = try runGAN(["eval", "--samples", "minus.npy", "--json"], in: work)
        let unit = try runGAN(["eval", "--samples", "unit.npy", "--range", "0,1", "--json"], in: work)
        #expect(minus.status == 0 && unit.status == 0, "\(minus.output)\n\(unit.output)")
        #expect(abs(try fid(minus.output) - (try fid(unit.output))) < 1e-3 * (try fid(minus.output)))
        let over = try runGAN(["eval", "--samples", "over.npy", "--range", "0,1"], in: work)
        #expect(over.status == 1 && over.output.contains("over.npy: values range over [") && over.output.contains("must be float in [0, 1]"), "\(over.output)")
        let undeclared = try runGAN(["eval", "--samples", "unit.npy"], in: work)
        #expect(undeclared.status == 0 && undeclared.output.contains("warning: unit.npy: every value is in [0, 1]"), "\(undeclared.output)")
        let bad = try runGAN(["eval", "--samples", "unit.npy", "--range", "0,255"], in: work)
        #expect(bad.status == 64 && bad.output.contains("--range must be -1,1 or 0,1"), "\(bad.output)")
    }

    /// Statistics saved once give the FID the reference images give.
    @Test func savedStatisticsGiveTheSameFID() throws {
        let work = temporaryDirectory("eval-stats")
        let test = try IDXDataset.load(name: "fashion-mnist", directory: nil, split: .test, limit: nil)
        try NPY.write(test.images, to: "\(work)/test.npy")
        var random = RandomGenerator(seed: 4)
        try NPY.write(Tensor.uniform([64, 1, 28, 28], low: -1, high: 1, random: &random), to: "\(work)/x.npy")
        let save = try runGAN(["eval", "--samples", "test.npy", "--save-stats", "test.npz", "--json"], in: work)
        #expect(save.status == 0, "\(save.output)")
        let full = try runGAN(["eval", "--samples", "x.npy", "--json"], in: work)
        let stats = try runGAN(["eval", "--samples", "x.npy", "--reference-stats", "test.npz", "--json"], in: work)
        #expect(full.status == 0 && stats.status == 0, "\(full.output)\n\(stats.output)")
        #expect(abs(try fid(full.output) - (try fid(stats.output))) <= 1e-9 * (try fid(full.output)))
        let (statistics, features) = try FeatureStatistics.read(npz: "\(work)/test.npz")
        #expect(statistics.count == 10_000 && statistics.mean.count == 128 && features == FeatureClassifier.fashionMNISTFileName)
        // Statistics of another classifier's features are refused by name.
        try AtomicFile.write(statistics.npz(features: "other.safetensors"), to: "\(work)/other.npz")
        let other = try runGAN(["eval", "--samples", "x.npy", "--reference-stats", "other.npz"], in: work)
        #expect(other.status == 1 && other.output.contains("other.npz: holds statistics of other.safetensors's features"), "\(other.output)")
    }
}
