import Foundation
import SwiftGANData
import SwiftGANTensor
import SwiftGANTestSupport

/// A fixture array.
func fixture(_ name: String) -> Tensor { try! NPY.read(fixturePath(name + ".npy")).tensor }

/// The NumPy/SciPy reference values.
nonisolated(unsafe) let expected: [String: Any] = {
    let data = FileManager.default.contents(atPath: fixturePath("expected.json"))!
    return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
}()

func expectedValue(_ key: String) -> Double { (expected[key] as! NSNumber).doubleValue }

func relativeError(_ actual: Double, _ reference: Double) -> Double { Swift.abs(actual - reference) / Swift.abs(reference) }

/// Path of one of this target's committed fixtures.
func fixturePath(_ name: String) -> String { SwiftGANTestSupport.fixturePath(name, in: .module) }
