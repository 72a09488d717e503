import Foundation
import Testing

@testable import SwiftGANData

/// `.npz` archives: NumPy's stored and deflated ones read; SwiftGAN's own read back and by NumPy (see check_python_interop.sh).
@Suite struct NPZTests {
    @Test func numpysArchivesRead() throws {
        for name in ["stats.npz", "stats_compressed.npz"] {
            let arrays = try NPZ.read(fixturePath(name))
            let mu = try NPY.decodeFloat64(try #require(arrays["mu"]), file: "mu")
            let sigma = try NPY.decodeFloat64(try #require(arrays["sigma"]), file: "sigma")
            #expect(mu.shape == [3] && mu.values == [0.5, -1.25, 3.0], "\(name)")
            #expect(sigma.shape == [3, 3] && sigma.values == [2.0, 0.5, 0.0, 0.5, 1.0, -0.25, 0.0, -0.25, 4.0], "\(name)")
        }
        let extra = try NPY.decode(try #require(try NPZ.read(fixturePath("stats_compressed.npz"))["extra"]), file: "extra")
        #expect(extra.tensor.scalars == (0..<1000).map(Float.init))
    }

    @Test func archivesRoundTripAndCorruptionIsNamed() throws {
        let values = (0..<12).map { Double($0) / 7 }
        let bytes = NPZ.encode([("a", NPY.encodeFloat64(values, shape: [3, 4])), ("b", NPY.encodeFloat64([1e300], shape: []))])
        let arrays = try NPZ.decode(bytes, file: "x.npz")
        #expect(try NPY.decodeFloat64(try #require(arrays["a"]), file: "a").values == values)
        #expect(try NPY.decodeFloat64(try #require(arrays["b"]), file: "b").shape == [])
        // The same bytes every time (a fixed timestamp).
        #expect(NPZ.encode([("a", NPY.encodeFloat64(values, shape: [3, 4]))]) == NPZ.encode([("a", NPY.encodeFloat64(values, shape: [3, 4]))]))
        func message(_ bytes: [UInt8]) -> String {
            do {
                _ = try NPZ.decode(bytes, file: "bad.npz")
                return "(no error)"
            } catch { return "\(error)" }
        }
        var flipped = bytes
        flipped[60] ^= 0xFF  // inside a.npy's data
        #expect(message(flipped).contains("bad.npz: a.npy: its CRC-32 disagrees"))
        #expect(message(Array(bytes.prefix(40))).contains("bad.npz: not a .npz file"))
        #expect(message([]).contains("too short for a ZIP archive"))
        #expect(message(Array(repeating: 0x50, count: 100)).contains("no ZIP end-of-directory record"))
        // A directory that claims more than the file holds.
        var lying = bytes
        let end = lying.count - 22
        lying[end + 16] = 0xFF
        lying[end + 17] = 0xFF
        #expect(message(lying).contains("bad.npz"))
    }
}
