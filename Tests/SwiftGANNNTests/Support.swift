import Foundation
import Testing
@testable import SwiftGANNN
import SwiftGANTensor

/// Path of a committed fixture.
func fixturePath(_ name: String) -> String {
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")?.path ?? "(missing fixture \(name))"
}

/// The PyTorch golden values (see Scripts/make_nn_fixtures.py).
let golden: StateDict = try! SafeTensors.read(fixturePath("parity.safetensors")).tensors

func gold(_ key: String) -> Tensor {
    guard let tensor = golden[key] else { fatalError("golden value '\(key)' is missing from parity.safetensors") }
    return tensor
}

/// Elementwise agreement within `relative` of the magnitude (plus a small
/// absolute floor for values near zero): the parity criterion of the issue
/// is 1e-5 relative.
func expectMatches(_ actual: Tensor, _ expected: Tensor, relative: Float = 1e-5, absolute: Float = 1e-6,
                   _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    for (index, (a, e)) in zip(actual.scalars, expected.scalars).enumerated() {
        let ok = Swift.abs(a - e) <= absolute + relative * Swift.abs(e)
        #expect(ok, "\(what) element \(index): \(a) vs expected \(e)", sourceLocation: sourceLocation)
        if !ok { return }
    }
}

/// A fresh generator for building layers whose weights the test overwrites.
func anyGenerator() -> RandomGenerator { RandomGenerator(seed: 0) }

/// A unique temporary directory for files a test writes.
func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "swiftgan-test-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
