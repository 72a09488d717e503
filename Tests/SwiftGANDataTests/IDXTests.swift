import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData

@Suite("IDX files")
struct IDXTests {
    /// A 3-image 2x2 dataset in `directory`, gzip-compressed or raw.
    func writeDataset(
        _ directory: String, compressed: Bool, prefix: String = "train",
        labelCount: Int = 3
    ) {
        let images = IDX.encodeUInt8([0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0], shape: [3, 2, 2])
        let labels = IDX.encodeUInt8(Array([9, 0, 3, 5].prefix(labelCount)), shape: [labelCount])
        let suffix = compressed ? ".gz" : ""
        writeFile("\(directory)/\(prefix)-images-idx3-ubyte\(suffix)", compressed ? Gzip.compress(images) : images)
        writeFile("\(directory)/\(prefix)-labels-idx1-ubyte\(suffix)", compressed ? Gzip.compress(labels) : labels)
    }

    @Test(arguments: [true, false])
    func loadsCraftedDataset(compressed: Bool) throws {
        let directory = temporaryDirectory()
        writeDataset(directory, compressed: compressed)
        let dataset = try IDXDataset.load(directory: directory, split: .train)
        #expect(dataset.images.shape == [3, 1, 2, 2])
        #expect(dataset.labels == [9, 0, 3])
        #expect(dataset.images.scalars[0...1] == [-1, 1])
        #expect(Swift.abs(dataset.images.scalars[2] - (51 / 127.5 - 1)) < 1e-6)
        let unit = try IDXDataset.load(directory: directory, split: .train, range: .zeroToOne, limit: 2)
        #expect(unit.count == 2 && unit.images.scalars[1] == 1 && unit.images.scalars[2] == 0.2)
    }

    @Test func everyElementType() throws {
        // Big-endian header and data for each IDX type.
        func file(type: UInt8, _ data: [UInt8], count: Int) -> [UInt8] { [0, 0, type, 1, 0, 0, 0, UInt8(count)] + data }
        #expect(try IDX.parse(file(type: 0x09, [0xFF, 0x7F], count: 2), file: "x").values == [-1, 127])
        #expect(try IDX.parse(file(type: 0x0B, [0xFF, 0xFE, 0x01, 0x00], count: 2), file: "x").values == [-2, 256])
        #expect(try IDX.parse(file(type: 0x0C, [0xFF, 0xFF, 0xFF, 0xFD], count: 1), file: "x").values == [-3])
        #expect(try IDX.parse(file(type: 0x0D, [0x3F, 0xC0, 0, 0], count: 1), file: "x").values == [1.5])
        #expect(try IDX.parse(file(type: 0x0E, [0xC0, 0x04, 0, 0, 0, 0, 0, 0], count: 1), file: "x").values == [-2.5])
        let contents = try IDX.parse(IDX.encodeUInt8([1, 2, 3, 4, 5, 6], shape: [1, 2, 3]), file: "x")
        #expect(contents.shape == [1, 2, 3] && contents.elementType == .uint8)
    }

    @Test func rejectsBadFiles() throws {
        let directory = temporaryDirectory()
        let good = IDX.encodeUInt8([1, 2, 3, 4], shape: [1, 2, 2])
        let truncatedGzip = "\(directory)/truncated.gz"
        writeFile(truncatedGzip, Array(Gzip.compress(good + [UInt8](repeating: 7, count: 500)).prefix(20)))
        expectDataError(file: truncatedGzip, "truncated gzip") { _ = try IDX.read(truncatedGzip) }
        let corruptGzip = "\(directory)/corrupt.gz"
        writeFile(corruptGzip, [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3] + [UInt8](repeating: 0xFF, count: 30))
        expectDataError(file: corruptGzip, "corrupt gzip") { _ = try IDX.read(corruptGzip) }
        let badMagic = "\(directory)/magic"
        writeFile(badMagic, [1, 0] + Array(good.dropFirst(2)))
        expectDataError(file: badMagic, "wrong magic number") { _ = try IDX.read(badMagic) }
        let badType = "\(directory)/type"
        writeFile(badType, [0, 0, 0x07] + Array(good.dropFirst(3)))
        expectDataError(file: badType, "unknown IDX element type 0x07") { _ = try IDX.read(badType) }
        let short = "\(directory)/short"
        writeFile(short, Array(good.dropLast()))
        expectDataError(file: short, "header sizes [1, 2, 2] of uint8 need 20 bytes but the file has 19") { _ = try IDX.read(short) }
        let long = "\(directory)/long"
        writeFile(long, good + [0])
        expectDataError(file: long, "but the file has 21") { _ = try IDX.read(long) }
        let header = "\(directory)/header"
        writeFile(header, [0, 0, 8, 3, 0, 0])
        expectDataError(file: header, "declares 3 dimensions") { _ = try IDX.read(header) }
        expectDataError(file: "\(directory)/missing", "no such file") { _ = try IDX.read("\(directory)/missing") }
    }

    @Test func mismatchedCountsAndMissingFiles() throws {
        let directory = temporaryDirectory()
        writeDataset(directory, compressed: true, labelCount: 4)
        expectDataError(file: "\(directory)/train-labels-idx1-ubyte.gz", "4 labels but") {
            _ = try IDXDataset.load(directory: directory, split: .train)
        }
        expectDataError(file: "\(directory)/t10k-images-idx3-ubyte[.gz]", "missing IDX file") {
            _ = try IDXDataset.load(directory: directory, split: .test)
        }
        expectDataError(file: "/nonexistent/mnist", "no such directory") {
            _ = try IDXDataset.load(name: "mnist", directory: "/nonexistent/mnist", split: .train)
        }
        expectDataError(file: "kmnist", "no default location") { _ = try IDXDataset.load(name: "kmnist", split: .train) }
    }

    /// The real dataset, installed by `.ci/run` and the quick start
    /// (`apt-get install -y dataset-fashion-mnist`).
    @Test func realFashionMNIST() throws {
        let train = try IDXDataset.load(name: "fashion-mnist", split: .train)
        #expect(train.images.shape == [60000, 1, 28, 28])
        #expect(Array(train.labels.prefix(4)) == [9, 0, 0, 3])
        #expect(train.classNames[9] == "Ankle boot")
        let images = train.images.scalars
        #expect(images.min()! == -1 && images.max()! == 1)
        let test = try IDXDataset.load(name: "fashion-mnist", split: .test)
        #expect(test.count == 10000)
        #expect(Set(test.labels) == Set(0..<10))
    }
}
