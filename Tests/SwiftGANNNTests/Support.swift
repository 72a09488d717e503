import Foundation
import SwiftGANTensor
import SwiftGANTestSupport
import Testing

@testable import SwiftGANNN

/// The PyTorch golden values (see Scripts/make_nn_fixtures.py).
let golden: StateDict = try! SafeTensors.read(fixturePath("parity.safetensors")).tensors

func gold(_ key: String) -> Tensor {
    guard let tensor = golden[key] else { fatalError("golden value '\(key)' is missing from parity.safetensors") }
    return tensor
}

/// A fresh generator for building layers whose weights the test overwrites.
func anyGenerator() -> RandomGenerator { RandomGenerator(seed: 0) }

/// Path of one of this target's committed fixtures.
func fixturePath(_ name: String) -> String { SwiftGANTestSupport.fixturePath(name, in: .module) }
