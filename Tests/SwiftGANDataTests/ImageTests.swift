import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANData

@Suite("PNG and image folders")
struct ImageTests {
    nonisolated(unsafe) static let expected: [String: [String: Any]] = {
        let data = FileManager.default.contents(atPath: fixturePath("expected.json"))!
        return try! JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
    }()

    @Test(arguments: ["gray8", "rgb_filters", "rgba", "gray16", "palette", "interlaced"])
    func decodesPNGsMadeByAnotherEncoder(name: String) throws {
        let image = try PNG.read(fixturePath("\(name).png"))
        let truth = Self.expected[name]!
        #expect(image.width == truth["width"] as! Int)
        #expect(image.height == truth["height"] as! Int)
        #expect(image.channels == truth["channels"] as! Int)
        #expect(image.pixels == (truth["pixels"] as! [Int]).map(UInt8.init))
    }

    @Test func writeThenReadRoundTrip() throws {
        for channels in 1...4 {
            let pixels = (0..<(5 * 3 * channels)).map { UInt8(($0 * 37) % 256) }
            let image = RasterImage(width: 5, height: 3, channels: channels, pixels: pixels)
            #expect(try PNG.decode(PNG.encode(image), file: "memory") == image)
        }
    }

    @Test func rejectsNonPNG() {
        expectDataError(file: "x.png", "not a PNG file") { _ = try PNG.decode(Array("GIF89a".utf8), file: "x.png") }
        var broken = FileManager.default.contents(atPath: fixturePath("rgb_filters.png")).map { [UInt8]($0) }!
        broken = Array(broken.prefix(40))
        expectDataError(file: "broken.png", "cannot decode PNG") { _ = try PNG.decode(broken, file: "broken.png") }
    }

    func writePNG(_ path: String, width: Int, height: Int, channels: Int, value: (Int, Int, Int) -> UInt8) throws {
        var pixels: [UInt8] = []
        for y in 0..<height { for x in 0..<width { for c in 0..<channels { pixels.append(value(x, y, c)) } } }
        try PNG.encode(RasterImage(width: width, height: height, channels: channels, pixels: pixels))
            .withUnsafeBufferPointer { writeFile(path, Array($0)) }
    }

    @Test func classFolders() throws {
        let root = temporaryDirectory()
        for name in ["zebra", "ant"] { try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true) }
        try writePNG("\(root)/ant/b.png", width: 2, height: 2, channels: 3) { x, y, c in c == 0 ? 255 : 0 }
        try writePNG("\(root)/ant/a.png", width: 2, height: 2, channels: 1) { _, _, _ in 0 }
        try writePNG("\(root)/zebra/z.png", width: 2, height: 2, channels: 4) { _, _, c in c == 3 ? 0 : 255 }
        let gray = try ImageFolder.load(directory: root, channels: 1)
        #expect(gray.classNames == ["ant", "zebra"] && gray.labels == [0, 0, 1])
        #expect(gray.images.shape == [3, 1, 2, 2])
        // a.png black → -1; b.png pure red → luma 0.299·255 rounded to 76 (kept as a byte, as PIL's "L"); z.png white (alpha dropped) → 1.
        #expect(gray.images.scalars[0] == -1)
        #expect(gray.images.scalars[4] == 76 / 127.5 - 1)
        #expect(gray.images.scalars[8] == 1)
        let color = try ImageFolder.load(directory: root, channels: 3, range: .zeroToOne)
        #expect(color.images.shape == [3, 3, 2, 2])
        #expect(color.images.scalars[12..<24].allSatisfy { $0 == 1 || $0 == 0 } && color.images.scalars[12] == 1)
    }

    @Test func flatFolderResizeAndCrop() throws {
        let root = temporaryDirectory()
        // 8x4 image: left half 0, right half 200 → shrink to shorter side 2: 4x2, crop centre 2x2.
        try writePNG("\(root)/wide.png", width: 8, height: 4, channels: 1) { x, _, _ in x < 4 ? 0 : 200 }
        try writePNG("\(root)/tall.png", width: 2, height: 4, channels: 1) { _, y, _ in UInt8(y * 50) }
        let dataset = try ImageFolder.load(directory: root, channels: 1, size: 2, range: .zeroToOne)
        #expect(dataset.labels == [0, 0] && dataset.images.shape == [2, 1, 2, 2])
        // tall.png (first by name): 2x4 stays 2 wide, height 4 → crop rows 1...2 (values 50, 100).
        let tall = Array(dataset.images.scalars[0..<4]).map { $0 * 255 }
        #expect(tall.map { $0.rounded() } == [50, 50, 100, 100])
        // wide.png: area-averaged to 4x2 → columns [0, 0, 200, 200], centre crop → [0, 200].
        let wide = Array(dataset.images.scalars[4..<8]).map { ($0 * 255).rounded() }
        #expect(wide == [0, 200, 0, 200])
        // Growing uses bilinear interpolation.
        let weights = Resampling.weights(from: 2, to: 4)
        #expect(weights[0].count == 1 && weights[1].map(\.weight) == [0.75, 0.25])
        let area = Resampling.weights(from: 3, to: 2)
        #expect(area[0].map(\.index) == [0, 1] && area[0].map(\.weight) == [Float(2) / 3, Float(1) / 3])
    }

    @Test func folderErrors() throws {
        let empty = temporaryDirectory()
        expectDataError(file: empty, "no PNG or JPEG images found") { _ = try ImageFolder.load(directory: empty) }
        let mixed = temporaryDirectory()
        try writePNG("\(mixed)/a.png", width: 2, height: 2, channels: 1) { _, _, _ in 0 }
        try writePNG("\(mixed)/b.png", width: 3, height: 2, channels: 1) { _, _, _ in 0 }
        expectDataError(file: "\(mixed)/b.png", "image is 3x2 but") { _ = try ImageFolder.load(directory: mixed) }
        writeFile("\(mixed)/notes.txt", Array("hello".utf8))
        expectDataError(file: "\(mixed)/notes.txt", "not an image (only .png") { _ = try ImageFolder.load(directory: mixed, size: 2) }
        let fake = temporaryDirectory()
        writeFile("\(fake)/fake.png", Array("not really a png".utf8))
        expectDataError(file: "\(fake)/fake.png", "neither a PNG nor a JPEG") { _ = try ImageFolder.load(directory: fake) }
        expectDataError(file: "/nonexistent/images", "no such directory") { _ = try ImageFolder.load(directory: "/nonexistent/images") }
    }

    @Test func sampleGrid() throws {
        // Two 1x2x2 images, nrow 2, padding 1: grid 1 x (2+1+1) x (2·(2+1)+1) = [1, 4, 7].
        let images = Tensor([-1, -1, -1, -1, 1, 1, 1, 1], shape: [2, 1, 2, 2])
        let grid = ImageGrid.make(images, nrow: 2, padding: 1, padValue: 0)
        #expect(grid.shape == [1, 4, 7])
        #expect(grid.scalars[0] == 0 && grid[0, 1, 1] == -1 && grid[0, 1, 4] == 1 && grid[0, 1, 3] == 0)
        // Three images with nrow 2 make two rows; scale 2 doubles each image.
        let scaled = ImageGrid.make(Tensor.zeros([3, 3, 2, 2]), nrow: 2, padding: 2, scale: 2)
        #expect(scaled.shape == [3, 2 * (4 + 2) + 2, 2 * (4 + 2) + 2])
        let path = temporaryDirectory() + "/grid.png"
        try ImageGrid.write(images, to: path, nrow: 2, padding: 1, padValue: 0)
        let png = try PNG.read(path)
        #expect(png.width == 7 && png.height == 4 && png.channels == 1)
        #expect(png.pixels[0] == 128 && png.pixels[7 + 1] == 0 && png.pixels[7 + 4] == 255)
    }
}

@Suite("JPEG")
struct JPEGTests {
    /// The pixels of a binary PNM (P5 gray / P6 RGB) written by djpeg.
    func pnm(_ path: String) -> RasterImage {
        let bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        var fields: [String] = []
        var index = 0
        while fields.count < 4 {
            while bytes[index] == 0x20 || bytes[index] == 0x0A { index += 1 }
            var field = ""
            while bytes[index] != 0x20 && bytes[index] != 0x0A {
                field.append(Character(UnicodeScalar(bytes[index])))
                index += 1
            }
            fields.append(field)
        }
        index += 1
        let channels = fields[0] == "P6" ? 3 : 1
        return RasterImage(width: Int(fields[1])!, height: Int(fields[2])!, channels: channels, pixels: Array(bytes[index...]))
    }

    @Test(arguments: ["color", "gray"])
    func decodesLikeDjpeg(name: String) throws {
        let bytes = [UInt8](FileManager.default.contents(atPath: fixturePath("\(name).jpg"))!)
        let image = try JPEG.decode(bytes, file: "\(name).jpg")
        #expect(image == pnm(fixturePath("\(name).jpg.pnm")))
        #expect(image.width == 8 && image.height == 6 && image.channels == (name == "color" ? 3 : 1))
    }

    @Test func foldersMixPNGAndJPEG() throws {
        let root = temporaryDirectory()
        try FileManager.default.copyItem(atPath: fixturePath("color.jpg"), toPath: "\(root)/a.jpg")
        try FileManager.default.copyItem(atPath: fixturePath("rgb_filters.png"), toPath: "\(root)/b.png")
        let dataset = try ImageFolder.load(directory: root, channels: 3, size: 4)
        #expect(dataset.images.shape == [2, 3, 4, 4])
    }

    @Test func rejectsCorruptJPEG() throws {
        let bytes = [UInt8](FileManager.default.contents(atPath: fixturePath("color.jpg"))!)
        expectDataError(file: "x.jpg", "cannot decode JPEG") { _ = try JPEG.decode(Array(bytes.prefix(30)), file: "x.jpg") }
        expectDataError(file: "x.jpg", "not a JPEG file") { _ = try JPEG.decode([1, 2, 3], file: "x.jpg") }
        var random = RandomGenerator(seed: 8)
        for _ in 0..<200 {
            var copy = bytes
            copy[3 + Int(random.next() % UInt64(copy.count - 3))] = UInt8(truncatingIfNeeded: random.next())
            do {
                let image = try JPEG.decode(copy, file: "x.jpg")
                #expect(image.pixels.count == image.width * image.height * image.channels)
            } catch is FileError {}
        }
    }
}
