import Foundation
import SwiftGANData
import SwiftGANTensor

/// Path of a committed fixture (see Scripts/make_metric_fixtures.py).
func fixturePath(_ name: String) -> String {
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")?.path ?? "(missing fixture \(name))"
}

/// A fixture array.
func fixture(_ name: String) -> Tensor { try! NPY.read(fixturePath(name + ".npy")).tensor }

/// The NumPy/SciPy reference values.
nonisolated(unsafe) let expected: [String: Any] = {
    let data = FileManager.default.contents(atPath: fixturePath("expected.json"))!
    return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
}()

func expectedValue(_ key: String) -> Double { (expected[key] as! NSNumber).doubleValue }

func relativeError(_ actual: Double, _ reference: Double) -> Double { Swift.abs(actual - reference) / Swift.abs(reference) }

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "swiftgan-metrics-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
