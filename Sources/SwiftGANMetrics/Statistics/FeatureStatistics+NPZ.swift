import Foundation
import SwiftGANData
import SwiftGANTensor

/// Feature statistics as pytorch-fid keeps a reference: a `.npz` with
/// `mu` `[D]` and `sigma` `[D, D]` (float64), plus SwiftGAN's `count` and
/// `features` (the feature classifier's file name, as UTF-8 bytes), so that
/// statistics of one classifier's features are never compared with another's.
extension FeatureStatistics {
    /// The `.npz` bytes, naming the classifier whose features these are.
    public func npz(features: String) -> [UInt8] {
        NPZ.encode([
            ("mu", NPY.encodeFloat64(mean, shape: [mean.count])),
            ("sigma", NPY.encodeFloat64(covariance.values, shape: [covariance.size, covariance.size])),
            ("count", NPY.encodeFloat64([Double(count)], shape: [])),
            ("features", NPY.encode(Tensor(Array(features.utf8).map(Float.init), shape: [features.utf8.count]), as: .uint8))
        ])
    }

    /// Reads statistics written by `npz(features:)` or by pytorch-fid (`mu`, `sigma`; no classifier name).
    /// - Throws: `FileError` naming the file: not an archive, a key missing, shapes that disagree, values that are not finite.
    public static func read(npz path: String) throws -> (statistics: FeatureStatistics, features: String?) {
        let arrays = try NPZ.read(path)
        func array(_ key: String) throws -> (shape: [Int], values: [Double]) {
            guard let bytes = arrays[key] else {
                throw FileError(file: path, problem: "no '\(key)' array (keys: \(arrays.keys.sorted().joined(separator: ", ")); expected mu and sigma)")
            }
            return try NPY.decodeFloat64(bytes, file: "\(path): \(key)")
        }
        let mu = try array("mu")
        let sigma = try array("sigma")
        guard mu.shape.count == 1, sigma.shape == [mu.shape[0], mu.shape[0]], mu.shape[0] >= 1 else {
            throw FileError(file: path, problem: "mu \(mu.shape) and sigma \(sigma.shape) must be [D] and [D, D]")
        }
        guard (mu.values + sigma.values).allSatisfy(\.isFinite) else { throw FileError(file: path, problem: "mu or sigma holds NaN or infinite values") }
        let count = try arrays["count"].map { try NPY.decodeFloat64($0, file: "\(path): count").values.first ?? 0 }
        let features = try arrays["features"].map {
            String(decoding: try NPY.decode($0, file: "\(path): features").tensor.scalars.map { UInt8($0) }, as: UTF8.self)
        }
        let statistics = FeatureStatistics(
            count: Int(count ?? 0), mean: mu.values, covariance: SymmetricMatrix(size: mu.shape[0], values: sigma.values))
        return (statistics, features)
    }
}
