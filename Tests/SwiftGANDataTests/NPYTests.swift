import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData

@Suite("NumPy .npy")
struct NPYTests {
    @Test func readsFilesWrittenByNumPy() throws {
        let f4 = try NPY.read(fixturePath("f4.npy"))
        #expect(f4.elementType == .float32 && f4.tensor.shape == [2, 3] && f4.tensor.scalars == [0, 0.125, 0.25, 0.375, 0.5, 0.625])
        let f8 = try NPY.read(fixturePath("f8.npy"))
        #expect(f8.elementType == .float64 && f8.tensor.shape == [3, 1] && f8.tensor.scalars == [1.5, -2.25, 1e10])
        let u1 = try NPY.read(fixturePath("u1.npy"))
        #expect(u1.elementType == .uint8 && u1.tensor.scalars == [0, 7, 255])
        let i8 = try NPY.read(fixturePath("i8.npy"))
        #expect(i8.elementType == .int64 && i8.tensor.shape == [2, 2, 2] && i8.tensor.scalars == (-4..<4).map(Float.init))
        let scalar = try NPY.read(fixturePath("scalar.npy"))
        #expect(scalar.tensor.shape == [] && scalar.tensor.item == 3.5)
        for version in ["v2", "v3"] {
            #expect(try NPY.read(fixturePath("\(version).npy")).tensor == f4.tensor)
        }
    }

    @Test func roundTrip() throws {
        let directory = temporaryDirectory()
        let tensor = Tensor([1.5, -2, 0, 255, 3.25, 7], shape: [3, 1, 2])
        for type in NPY.ElementType.allCases {
            let path = "\(directory)/\(type).npy"
            try NPY.write(tensor, to: path, as: type)
            let read = try NPY.read(path)
            #expect(read.elementType == type && read.tensor.shape == [3, 1, 2])
            let expected: [Float] =
                switch type {
                case .float32, .float64: tensor.scalars
                case .uint8: [2, 0, 0, 255, 3, 7]
                case .int64: [2, -2, 0, 255, 3, 7]
                }
            #expect(read.tensor.scalars == expected)
            // The header is padded so data starts on a 64-byte boundary.
            let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
            #expect((10 + Int(bytes[8]) + Int(bytes[9]) * 256) % 64 == 0)
        }
        try NPY.write(Tensor(2), to: "\(directory)/scalar.npy")
        #expect(try NPY.read("\(directory)/scalar.npy").tensor.shape == [])
        try NPY.write(Tensor([1, 2]), to: "\(directory)/vector.npy")
        #expect(try NPY.read("\(directory)/vector.npy").tensor.shape == [2])
    }

    @Test func rejectsUnsupportedFiles() {
        expectDataError(file: fixturePath("fortran.npy"), "Fortran-ordered") { _ = try NPY.read(fixturePath("fortran.npy")) }
        expectDataError(file: fixturePath("complex.npy"), "unsupported dtype '<c8'") { _ = try NPY.read(fixturePath("complex.npy")) }
        let directory = temporaryDirectory()
        let truncated = "\(directory)/truncated.npy"
        writeFile(truncated, Array(NPY.encode(Tensor([1, 2, 3])).dropLast(2)))
        expectDataError(file: truncated, "needs 12 data bytes but the file has 10") { _ = try NPY.read(truncated) }
        let notNPY = "\(directory)/x.npy"
        writeFile(notNPY, Array("PK\u{3}\u{4} zip archive".utf8))
        expectDataError(file: notNPY, "not a .npy file") { _ = try NPY.read(notNPY) }
    }
}

/// Corrupted files must give a thrown error or a valid result, never a crash
/// or an out-of-bounds read: random byte flips and truncations of valid files.
@Suite("Robustness against corrupted files")
struct CorruptionTests {
    func mutations(of bytes: [UInt8], seed: UInt64, count: Int = 300) -> [[UInt8]] {
        var random = RandomGenerator(seed: seed)
        return (0..<count).map { trial in
            var copy = bytes
            if trial % 3 == 0 {
                copy = Array(copy.prefix(Int(random.next() % UInt64(copy.count + 1))))
            } else {
                for _ in 0..<(1 + Int(random.next() % 4)) where !copy.isEmpty {
                    copy[Int(random.next() % UInt64(copy.count))] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            return copy
        }
    }

    @Test func decodersNeverCrash() throws {
        let idx = IDX.encodeUInt8(Array(0..<24), shape: [2, 3, 4])
        for bytes in mutations(of: idx, seed: 1) + mutations(of: Gzip.compress(idx), seed: 2) {
            do {
                let raw = Gzip.isCompressed(bytes) ? try Gzip.decompress(bytes, file: "f") : bytes
                let parsed = try IDX.parse(raw, file: "f")
                #expect(parsed.values.count == parsed.shape.reduce(1, *))
            } catch is FileError {}
        }
        let npy = NPY.encode(Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]))
        for bytes in mutations(of: npy, seed: 3) {
            do {
                let parsed = try NPY.decode(bytes, file: "f")
                #expect(parsed.tensor.count == parsed.tensor.shape.reduce(1, *))
            } catch is FileError {}
        }
        let png = try PNG.encode(RasterImage(width: 4, height: 3, channels: 3, pixels: (0..<36).map(UInt8.init)))
        for bytes in mutations(of: png, seed: 4) {
            do {
                let image = try PNG.decode(bytes, file: "f")
                #expect(image.pixels.count == image.width * image.height * image.channels)
            } catch is FileError {}
        }
    }
}
