import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANNN

@Suite("Safetensors checkpoints")
struct SafeTensorsTests {
    func sampleState() -> StateDict {
        var state = StateDict()
        state.set("main.0.weight", Tensor([1.5, -2, .infinity, -0.0, 3e-38, .nan], shape: [2, 3]))
        state.set("main.1.num_batches_tracked", Tensor(7), storedType: .int64)
        state.set("empty", Tensor.zeros([0, 4]))
        state.set("scalar", Tensor(0.25))
        return state
    }

    @Test func roundTripIsBitIdentical() throws {
        let path = temporaryDirectory() + "/model.safetensors"
        let state = sampleState()
        try SafeTensors.write(state, metadata: ["format": "pt", "step": "500"], to: path)
        let contents = try SafeTensors.read(path)
        #expect(contents.metadata == ["format": "pt", "step": "500"])
        #expect(contents.tensors.keys == state.keys)
        for entry in state.entries {
            let read = contents.tensors.entry(entry.key)!
            #expect(read.tensor.shape == entry.tensor.shape)
            #expect(read.tensor.scalars.map(\.bitPattern) == entry.tensor.scalars.map(\.bitPattern))
            #expect(read.storedType == entry.storedType)
        }
        // The header length is a multiple of 8 and the layout is exact.
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 6 * 4 + 8 + 0 + 4)
    }

    @Test func readsFilesWrittenByPython() throws {
        let contents = try SafeTensors.read(fixturePath("python_written.safetensors"))
        #expect(contents.metadata == ["format": "pt", "note": "written by Python"])
        let tensors = contents.tensors
        #expect(tensors["f32"]!.shape == [2, 3] && tensors["f32"]!.scalars == [0, 0.25, 0.5, 0.75, 1, 1.25])
        #expect(tensors["f64"]!.scalars == [1.5, -2.25])
        #expect(tensors["f16"]!.scalars == [0.5, -1, 65504])
        #expect(tensors["i64"]!.shape == [2, 1] && tensors["i64"]!.scalars == [7, -3])
        #expect(tensors.entry("i64")!.storedType == .int64)
        #expect(tensors["scalar"]!.shape == [] && tensors["scalar"]!.item == 3)
        let bf16 = try SafeTensors.read(fixturePath("python_bf16.safetensors")).tensors
        #expect(bf16["bf16"]!.scalars == [1, -2.5, 3.140625])
    }

    @Test func pytorchGeneratorLoadsAndRunsIdentically() throws {
        // A DCGAN generator saved by PyTorch loads strictly and gives PyTorch's output.
        let file = try SafeTensors.read(fixturePath("tiny_dcgan_generator.safetensors")).tensors
        var state = StateDict()
        for entry in file.entries where !entry.key.hasPrefix("__") { state.set(entry.key, entry.tensor, storedType: entry.storedType) }
        var random = RandomGenerator(seed: 9)
        let model = DCGANGenerator(latent: 8, width: 2, random: &random)
        try model.loadStateDict(state)
        model.eval()
        assertClose(model(file["__z"]!), file["__output"]!, rtol: 1e-5, atol: 1e-6, "PyTorch DCGAN generator output")
        // And what SwiftGAN writes is what it read.
        let path = temporaryDirectory() + "/tiny.safetensors"
        try model.save(to: path)
        let reread = try SafeTensors.read(path).tensors
        #expect(reread.keys == model.stateDict().keys)
        #expect(Set(reread.keys) == Set(state.keys))
        #expect(reread.entries.allSatisfy { $0.tensor == state[$0.key]! && $0.storedType == state.entry($0.key)!.storedType })
    }

    /// Writes `bytes` to a file and expects reading it to fail mentioning `fragment`.
    func expectRejected(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let path = temporaryDirectory() + "/bad.safetensors"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try SafeTensors.read(path)
            Issue.record("expected an error mentioning '\(fragment)'", sourceLocation: sourceLocation)
        } catch let error as FileError {
            #expect(error.file == path, sourceLocation: sourceLocation)
            #expect(error.problem.contains(fragment), "got: \(error.problem)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// A file with a hand-written header and `dataBytes` zero bytes of data.
    func file(header: String, dataBytes: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += Array(header.utf8) + [UInt8](repeating: 0, count: dataBytes)
        return bytes
    }

    @Test func rejectsMalformedFiles() {
        let good = SafeTensors.encode(sampleState())
        expectRejected(Array(good.prefix(5)), "too short")
        expectRejected(Array(good.prefix(40)), "truncated")
        expectRejected(Array(good.dropLast(3)), "outside")
        expectRejected(Array("hello, this is not a checkpoint".utf8), "not a safetensors file")
        expectRejected(file(header: "{\"a\": [1, 2", dataBytes: 0), "not a valid JSON object")
        expectRejected(file(header: "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", dataBytes: 8), "unsupported dtype 'C64'")
        expectRejected(file(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", dataBytes: 8), "needs 12 bytes")
        let overlapping =
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"
        expectRejected(file(header: overlapping, dataBytes: 12), "overlap")
        expectRejected(file(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", dataBytes: 8), "gap")
        expectRejected(file(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", dataBytes: 12), "cover 4")
        expectRejected(file(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", dataBytes: 4), "'shape'")
        expectRejected(file(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", dataBytes: 8), "outside")
        expectRejected(file(header: "{\"__metadata__\":{\"k\":1}}", dataBytes: 0), "not a string")
        var hugeLength = good
        hugeLength[7] = 0x7F
        expectRejected(hugeLength, "implausibly large")
    }

    @Test func missingFileNamesThePath() {
        #expect(throws: FileError(file: "/nonexistent/model.safetensors", problem: "no such file")) {
            try SafeTensors.read("/nonexistent/model.safetensors")
        }
    }

    @Test func failedWriteLeavesTheOldFile() throws {
        let directory = temporaryDirectory()
        let path = directory + "/model.safetensors"
        try SafeTensors.write(sampleState(), to: path)
        let before = FileManager.default.contents(atPath: path)
        // A write interrupted half-way (here by an error after some bytes
        // went out) leaves the old file and no temporary file behind.
        struct Interrupted: Error {}
        #expect(throws: Interrupted.self) {
            try AtomicFile.write(to: path) { append in
                try append([UInt8](repeating: 0xAB, count: 100))
                throw Interrupted()
            }
        }
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.safetensors"])
        // A directory that does not exist is an error naming the path.
        #expect(throws: FileError.self) { try SafeTensors.write(StateDict(), to: directory + "/missing/model.safetensors") }
        // Writing over an existing file replaces it completely and leaves no temporary files.
        var replacement = StateDict()
        replacement.set("x", Tensor([1]))
        try SafeTensors.write(replacement, to: path)
        #expect(try SafeTensors.read(path).tensors == replacement)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.safetensors"])
    }
}

/// Checkpoints written by SwiftGAN for PyTorch: the committed files
/// `swift_written_*.safetensors` were loaded into the equivalent PyTorch
/// modules with `load_state_dict(strict=True)` by
/// `python Scripts/make_nn_fixtures.py --check-swift Tests/SwiftGANNNTests/Fixtures`;
/// these tests keep SwiftGAN writing exactly that header, byte for byte, and
/// the same values. The values come out of a forward pass (BatchNorm
/// statistics, a power iteration), so their last bits depend on the GEMM
/// kernel's summation order (OpenBLAS or SwiftGAN's own): they are compared
/// to float32 rounding, not bit for bit.
/// (`SWIFTGAN_REGENERATE_FIXTURES=1 swift test` rewrites them after a deliberate format change.)
@Suite("Checkpoints for PyTorch")
struct PyTorchCheckpointTests {
    static func tinyModels() throws -> [(String, Module)] {
        var random = RandomGenerator(seed: 11)
        let dcgan = DCGANGenerator(latent: 8, width: 2, random: &random)
        _ = dcgan(Tensor.normal([4, 8, 1, 1], random: &random))  // non-trivial BatchNorm statistics
        let critic = DCGANDiscriminator(width: 2, spectral: true, random: &random)
        _ = critic(Tensor.normal([2, 1, 28, 28], random: &random))  // one power iteration
        return [("swift_written_dcgan_generator", dcgan), ("swift_written_sn_discriminator", critic)]
    }

    @Test func writerProducesTheCheckedBytes() throws {
        for (name, model) in try Self.tinyModels() {
            let bytes = SafeTensors.encode(model.stateDict(), metadata: ["format": "pt"])
            if ProcessInfo.processInfo.environment["SWIFTGAN_REGENERATE_FIXTURES"] == "1" {
                let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).safetensors")
                try AtomicFile.write(bytes, to: source.path)
            }
            let committed = try #require(FileManager.default.contents(atPath: fixturePath("\(name).safetensors")).map { [UInt8]($0) })
            // The 8-byte header length and the JSON header: identical.
            let headerLength = 8 + Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            #expect(committed.count == bytes.count, "\(name).safetensors: \(committed.count) bytes committed, \(bytes.count) written")
            #expect(committed.prefix(headerLength) == bytes.prefix(headerLength), "\(name).safetensors: the header differs")
            // The data: the same tensors, equal to float32 rounding.
            let written = try SafeTensors.decode(bytes, file: "written")
            let expected = try SafeTensors.decode(committed, file: name)
            #expect(written.tensors.keys == expected.tensors.keys)
            for key in expected.tensors.keys {
                let actual = try #require(written.tensors[key])
                let wanted = try #require(expected.tensors[key])
                #expect(actual.shape == wanted.shape, "\(name): \(key)")
                for (index, (a, e)) in zip(actual.scalars, wanted.scalars).enumerated() {
                    #expect(Swift.abs(a - e) <= 1e-5 * (1 + Swift.abs(e)), "\(name): \(key)[\(index)] \(a) vs \(e)")
                }
            }
        }
    }
}

@Suite("Safetensors robustness")
struct SafeTensorsCorruptionTests {
    @Test func corruptedFilesThrowOrDecode() {
        var state = StateDict()
        state.set("a", Tensor([1, 2, 3]))
        state.set("b.count", Tensor(4), storedType: .int64)
        let bytes = SafeTensors.encode(state, metadata: ["k": "v"])
        var random = RandomGenerator(seed: 5)
        for trial in 0..<500 {
            var copy = bytes
            if trial % 3 == 0 {
                copy = Array(copy.prefix(Int(random.next() % UInt64(copy.count + 1))))
            } else {
                for _ in 0..<(1 + Int(random.next() % 4)) {
                    copy[Int(random.next() % UInt64(copy.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            do {
                let contents = try SafeTensors.decode(copy, file: "f")
                #expect(contents.tensors.entries.allSatisfy { $0.tensor.count == $0.tensor.shape.reduce(1, *) })
            } catch is FileError {} catch { Issue.record("unexpected error type \(error)") }
        }
    }
}
