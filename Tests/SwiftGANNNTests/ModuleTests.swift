import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANNN

@Suite("Modules and state dicts")
struct ModuleTests {
    static let pytorchKeys: [String: [(String, [Int])]] = {
        let data = FileManager.default.contents(atPath: fixturePath("state_dict_keys.json"))!
        let json = try! JSONSerialization.jsonObject(with: data) as! [String: [[Any]]]
        return json.mapValues { rows in rows.map { ($0[0] as! String, ($0[1] as! [NSNumber]).map(\.intValue)) } }
    }()

    static func keysAndShapes(_ module: Module) -> [String] {
        module.stateDict().entries.map { "\($0.key) \($0.tensor.shape)" }
    }

    static func expected(_ name: String) -> [String] {
        pytorchKeys[name]!.map { "\($0.0) \($0.1)" }
    }

    @Test func keysMatchPyTorch() {
        var random = RandomGenerator(seed: 1)
        #expect(Self.keysAndShapes(MLPGenerator(random: &random)) == Self.expected("mlp_generator"))
        #expect(Self.keysAndShapes(MLPDiscriminator(random: &random)) == Self.expected("mlp_discriminator"))
        #expect(Self.keysAndShapes(DCGANGenerator(random: &random)) == Self.expected("dcgan_generator"))
        #expect(Self.keysAndShapes(DCGANDiscriminator(random: &random)) == Self.expected("dcgan_discriminator"))
        #expect(Self.keysAndShapes(DCGANDiscriminator(spectral: true, random: &random)) == Self.expected("dcgan_discriminator_sn"))
    }

    @Test func numBatchesTrackedIsInt64() {
        var random = RandomGenerator(seed: 1)
        let state = DCGANGenerator(width: 2, random: &random).stateDict()
        #expect(state.entry("main.1.num_batches_tracked")?.storedType == .int64)
        #expect(state.entry("main.1.running_mean")?.storedType == .float32)
    }

    @Test func strictLoadingReportsEverything() throws {
        var random = RandomGenerator(seed: 2)
        let model = Sequential([Linear(3, 2, random: &random), BatchNorm1d(2)])
        var state = model.stateDict()
        state.set("0.weight", Tensor.zeros([2, 4]))
        state.set("extra.weight", Tensor.zeros([1]))
        var trimmed = StateDict()
        for entry in state.entries where entry.key != "1.running_var" { trimmed.set(entry.key, entry.tensor, storedType: entry.storedType) }
        let before = model.stateDict()
        do {
            try model.loadStateDict(trimmed)
            Issue.record("loading should have failed")
        } catch let error as StateDictError {
            #expect(error.missingKeys == ["1.running_var"])
            #expect(error.unexpectedKeys == ["extra.weight"])
            #expect(error.shapeMismatches.count == 1 && error.shapeMismatches[0].key == "0.weight")
            #expect(error.shapeMismatches[0].expected == [2, 3] && error.shapeMismatches[0].found == [2, 4])
            #expect(error.description.contains("size mismatch for 0.weight: the module has shape [2, 3], the state dict has [2, 4]"))
        }
        #expect(model.stateDict() == before, "a failed load must change nothing")
        // Non-strict loading ignores missing and unexpected keys but not shapes.
        var loose = trimmed
        loose.set("0.weight", Tensor.ones([2, 3]))
        try model.loadStateDict(loose, strict: false)
        #expect(model.stateDict()["0.weight"]!.scalars == [1, 1, 1, 1, 1, 1])
    }

    @Test func trainEvalReachesEveryChild() {
        var random = RandomGenerator(seed: 3)
        let model = MLPDiscriminator(random: &random)
        #expect(model.namedModules().allSatisfy { $0.module.isTraining })
        model.eval()
        #expect(model.namedModules().allSatisfy { !$0.module.isTraining })
        model.train()
        #expect(model.namedModules().allSatisfy { $0.module.isTraining })
    }

    @Test func parameterCountAndSummary() {
        var random = RandomGenerator(seed: 4)
        let model = MLPGenerator(random: &random)
        // 100·256+256 + 256·512+512 + 512·1024+1024 + 1024·784+784
        #expect(model.parameterCount == 1_486_352)
        let summary = model.summary(input: Tensor.zeros([1, 100]))
        #expect(summary.contains("model.0"))
        #expect(summary.contains("Linear"))
        #expect(summary.contains("[1, 784]"))
        #expect(summary.contains("Trainable parameters: 1,486,352"))
        #expect(model.isTraining, "summary restores the mode")
    }

    /// Keys are the Swift names unless the class declares another:
    /// BatchNorm's running statistics carry PyTorch's names; an undeclared
    /// camelCase property keeps its Swift spelling (which the shipped models'
    /// key tests would catch), and a subclass's declarations add to its
    /// superclass's.
    @Test func declaredStateKeys() {
        final class Block: Module {
            let firstLayer: Linear
            let scaleFactor: Parameter
            override class var stateKeys: [String: String] { ["firstLayer": "fc1"] }
            init(random: inout RandomGenerator) {
                firstLayer = Linear(2, 2, random: &random)
                scaleFactor = Parameter(Tensor.ones([2]))
            }
        }
        var random = anyGenerator()
        #expect(Block(random: &random).stateDict().keys.sorted() == ["fc1.bias", "fc1.weight", "scaleFactor"])
        #expect(BatchNorm2d(3).stateDict().keys.sorted() == ["bias", "num_batches_tracked", "running_mean", "running_var", "weight"])
    }

    @Test func arraysOfModulesAreIndexed() {
        final class Tower: Module {
            let blocks: [Linear]
            let head: Linear?
            init(random: inout RandomGenerator) {
                blocks = [Linear(2, 2, random: &random), Linear(2, 2, bias: false, random: &random)]
                head = nil
            }
        }
        var random = RandomGenerator(seed: 5)
        #expect(Tower(random: &random).stateDict().keys == ["blocks.0.weight", "blocks.0.bias", "blocks.1.weight"])
    }

    /// Modules that declare they treat samples independently give, on a
    /// concatenated batch, the rows of separate calls; those that mix samples
    /// (BatchNorm in training) or change state per call (spectral
    /// normalisation in training) declare otherwise, as do custom modules.
    @Test func samplewiseModulesGiveTheRowsOfSeparateCalls() {
        var random = RandomGenerator(seed: 8)
        let a = Tensor.normal([3, 4, 5, 5], random: &random)
        let b = Tensor.normal([2, 4, 5, 5], random: &random)
        func rowsAgree(_ module: Module) -> Bool {
            let joint = module(concat([a, b], axis: 0)).scalars
            let separate = module(a).scalars + module(b).scalars
            return zip(joint, separate).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) }
        }
        let independent: [Module] = [
            Sequential([
                Conv2d(4, 3, kernelSize: SpatialSize(3), padding: SpatialSize(1), random: &random), LeakyReLU(0.2),
                ConvTranspose2d(3, 2, kernelSize: SpatialSize(2), stride: SpatialSize(2), random: &random), Tanh()
            ]),
            Sequential([Flatten(), Linear(100, 7, random: &random), ELU(), Sigmoid(), Softplus(beta: 2), ReLU()]),
            InstanceNorm2d(4, affine: true), LayerNorm([4, 5, 5]), BatchNorm2d(4).eval(), Unflatten(dim: 1, sizes: [2, 2])
        ]
        for module in independent {
            #expect(module.treatsSamplesIndependently, "\(type(of: module))")
            #expect(rowsAgree(module), "\(type(of: module))")
        }
        #expect(Dropout(0.3, random: &random).treatsSamplesIndependently)
        #expect(Embedding(3, 2, random: &random).treatsSamplesIndependently)

        let batchNorm = BatchNorm2d(4)
        #expect(!batchNorm.treatsSamplesIndependently)
        #expect(!rowsAgree(batchNorm))
        // Without running statistics BatchNorm uses the batch's in evaluation mode too.
        let untracked = BatchNorm2d(4, trackRunningStats: false).eval()
        #expect(!untracked.treatsSamplesIndependently)
        #expect(!rowsAgree(untracked))
        let spectral = spectralNormalized(Linear(100, 3, random: &random), random: &random)
        #expect(!Sequential([Flatten(), spectral]).treatsSamplesIndependently)
        #expect(Sequential([Flatten(), spectral]).eval().treatsSamplesIndependently)
        #expect(!Flatten(startDim: 0).treatsSamplesIndependently)
        #expect(!Unflatten(dim: 0, sizes: [1, 5]).treatsSamplesIndependently)
        final class BatchMean: Module {
            override func forward(_ input: Tensor) -> Tensor { input - input.mean(axes: [0], keepDims: true) }
        }
        #expect(!BatchMean().treatsSamplesIndependently)
        #expect(!Sequential([ReLU(), BatchMean()]).treatsSamplesIndependently)
    }
}
