import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData

/// Small files that claim to be huge, or end early, are refused by name
/// before anything of the claimed size is allocated.
@Suite("Hostile inputs")
struct HostileInputTests {
    /// An IDX header for `shape` of uint8.
    func idxHeader(_ shape: [Int]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, UInt8(shape.count)]
        for dimension in shape { bytes += (0..<4).map { UInt8(truncatingIfNeeded: dimension >> (24 - 8 * $0)) } }
        return bytes
    }

    @Test func gzipBombsAndLiesInIDXHeadersAreRefused() throws {
        let directory = temporaryDirectory()
        // The header claims 256 images of 2x2, then 16 MB of zeros follow: stops after the declared 1,040 bytes.
        let bomb = "\(directory)/bomb.gz"
        writeFile(bomb, Gzip.compress(idxHeader([256, 2, 2]) + [UInt8](repeating: 0, count: 16 << 20)))
        #expect((FileManager.default.contents(atPath: bomb)?.count ?? .max) < 100_000)
        expectDataError(file: bomb, "decompresses to more than the 1040 bytes") { _ = try IDX.read(bomb) }
        // An honest header of more than memory can hold is refused before decompressing the data.
        let huge = "\(directory)/huge.gz"
        writeFile(huge, Gzip.compress(idxHeader([2_000_000_000, 28, 28]) + [UInt8](repeating: 0, count: 1000)))
        expectDataError(file: huge, "this machine can read into memory (use --limit to read fewer)") { _ = try IDX.read(huge) }
        // With a limit only the first items are decompressed and read.
        let short = "\(directory)/short.gz"
        writeFile(short, Gzip.compress(idxHeader([2_000_000_000, 2, 2]) + Array(0..<40)))
        let first = try IDX.read(short, limit: 10)
        #expect(first.shape == [10, 2, 2] && first.values == (0..<40).map(Float.init))
        expectDataError(file: short, "truncated: the header declares [2000000000, 2, 2]") { _ = try IDX.read(short, limit: 11) }
        // The same file uncompressed, with a limit: the length is still checked against the header.
        let raw = "\(directory)/raw"
        writeFile(raw, idxHeader([12, 2, 2]) + Array(0..<48))
        #expect(try IDX.read(raw, limit: 3).values == (0..<12).map(Float.init))
        writeFile(raw, idxHeader([12, 2, 2]) + Array(0..<47))
        expectDataError(file: raw, "need 64 bytes but the file has 63") { _ = try IDX.read(raw, limit: 3) }
    }

    @Test func labelsMustBeClassIndices() throws {
        let directory = temporaryDirectory()
        writeFile("\(directory)/train-images-idx3-ubyte", IDX.encodeUInt8([UInt8](repeating: 9, count: 4 * 4), shape: [4, 2, 2]))
        let labels = "\(directory)/train-labels-idx1-ubyte"
        for (type, values, fragment): (UInt8, [UInt8], String) in [
            (0x09, [0, 1, 2, 0xFF], "label 3 is -1.0"),  // int8 −1
            (0x0D, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0xC0, 0, 0], "label 3 is nan"),  // float32 NaN
            (0x0D, [0, 0, 0, 0, 0x3F, 0xC0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "label 1 is 1.5"),  // float32 1.5
            (0x0C, [0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0], "label 2 is 2.1474836e+09")  // int32 2³¹−1
        ] {
            writeFile(labels, [0, 0, type, 1, 0, 0, 0, 4] + values)
            expectDataError(file: labels, fragment) { _ = try IDXDataset.load(directory: directory, split: .train) }
        }
    }

    @Test func imagesClaimingHugeSizesOrEndingEarlyAreRefused() throws {
        let jpeg = [UInt8](FileManager.default.contents(atPath: fixturePath("color.jpg"))!)
        // The frame header (SOF0 or SOF2) holds the height and width after the length and precision.
        let frame = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && (jpeg[$0 + 1] == 0xC0 || jpeg[$0 + 1] == 0xC2) })
        var claimsHuge = jpeg
        claimsHuge.replaceSubrange((frame + 5)...(frame + 8), with: [0x20, 0x00, 0x20, 0x00])  // 8192 x 8192
        expectDataError(file: "big.jpg", "the header claims 8192x8192 pixels, more than the limit of 50000000") {
            _ = try JPEG.decode(claimsHuge, file: "big.jpg")
        }
        // Cut inside the scan: libjpeg would fill the rest with gray.
        let scan = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        let cut = Array(jpeg.prefix(scan + (jpeg.count - scan) / 2))
        expectDataError(file: "cut.jpg", "the data ends before the image does") { _ = try JPEG.decode(cut, file: "cut.jpg") }
        // A header claiming more pixels than the scan holds (under the limit): the scan ends at a marker too soon.
        var claimsMore = jpeg
        claimsMore.replaceSubrange((frame + 5)...(frame + 8), with: [0x07, 0xD0, 0x07, 0xD0])  // 2000 x 2000
        expectDataError(file: "more.jpg", "the data ends before the image does") { _ = try JPEG.decode(claimsMore, file: "more.jpg") }
        // The limit is the caller's to set.
        expectDataError(file: "color.jpg", "more than the limit of 40") { _ = try JPEG.decode(jpeg, file: "color.jpg", maximumPixels: 40) }
        let png = [UInt8](FileManager.default.contents(atPath: fixturePath("rgb_filters.png"))!)
        expectDataError(file: "x.png", "more than the limit of 4") { _ = try PNG.decode(png, file: "x.png", maximumPixels: 4) }
        #expect(try JPEG.decode(jpeg, file: "color.jpg").width == 8)
    }

    /// `ImageLimits.withMaximumPixels` (`--max-pixels`) sets the limit for
    /// everything in its scope, the parallel decode workers of image, paired
    /// and unpaired folders included, and for nothing outside it.
    @Test func aScopedPixelLimitReachesEveryFolderDecoder() throws {
        let root = temporaryDirectory("pixel-limit")
        for directory in ["flat", "pairs/train/A", "pairs/train/B", "domains/trainA", "domains/trainB"] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        }
        let png = try PNG.encode(RasterImage(width: 8, height: 8, channels: 1, pixels: (0..<64).map { UInt8($0 * 3) }))
        for name in ["a.png", "b.png", "c.png"] {
            for directory in ["flat", "pairs/train/A", "pairs/train/B", "domains/trainA", "domains/trainB"] { writeFile("\(root)/\(directory)/\(name)", png) }
        }
        let loads: [(String, () throws -> Void)] = [
            ("flat/a.png", { _ = try ImageFolder.load(directory: "\(root)/flat", channels: 1) }),
            ("pairs/train/A/a.png", { _ = try PairedFolder.load(directory: "\(root)/pairs", split: "train", channels: 1) }),
            ("domains/trainA/a.png", { _ = try UnpairedFolder.load(directory: "\(root)/domains", split: "train") }),
            ("flat/b.png", { _ = try ImageFile.read("\(root)/flat/b.png", channels: 1, size: 8) })
        ]
        #expect(ImageLimits.maximumPixels == RasterImage.defaultMaximumPixels)
        for (file, load) in loads {
            expectDataError(file: "\(root)/\(file)", "more than the limit of 40 (gan --max-pixels N raises it)") {
                try ImageLimits.withMaximumPixels(40) { try load() }
            }
            try ImageLimits.withMaximumPixels(64) { try load() }
            try load()
        }
    }
}
