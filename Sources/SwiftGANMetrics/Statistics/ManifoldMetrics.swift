import Dispatch
import SwiftGANTensor

/// Precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and
/// Recall Metric for Assessing Generative Models") and density and coverage
/// (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for
/// Generative Models"), from k-nearest-neighbour balls in feature space.
///
/// Each point's ball has the radius of its k-th nearest neighbour within its
/// own set (itself excluded); a point lies in a ball when its distance is at
/// most the radius.
/// - precision: fraction of fake points inside some real ball (k = 3);
/// - recall: fraction of real points inside some fake ball (k = 3);
/// - density: real balls containing each fake point, averaged and divided by k (k = 5; can exceed 1);
/// - coverage: fraction of real balls (k = 5) that contain at least one fake point.
public struct ManifoldMetrics: Sendable, Equatable, Codable {
    public var precision: Double
    public var recall: Double
    public var density: Double
    public var coverage: Double

    /// The four metrics for `real` `[N, D]` and `fake` `[M, D]` features.
    ///
    /// - Parameters:
    ///   - precisionRecallK: k for precision and recall (3 in the paper).
    ///   - densityCoverageK: k for density and coverage (5 in the paper).
    public static func compute(
        real: Tensor, fake: Tensor, precisionRecallK: Int = 3,
        densityCoverageK: Int = 5
    ) -> ManifoldMetrics {
        require(
            real.rank == 2 && fake.rank == 2 && real.shape[1] == fake.shape[1],
            "ManifoldMetrics: features must be [N, D] and [M, D], got \(real.shape) and \(fake.shape)")
        let largestK = Swift.max(precisionRecallK, densityCoverageK)
        require(
            precisionRecallK >= 1 && densityCoverageK >= 1 && real.shape[0] > largestK && fake.shape[0] > precisionRecallK,
            "ManifoldMetrics: need more than k points in each set (k = \(precisionRecallK), \(densityCoverageK)); "
                + "got \(real.shape[0]) real, \(fake.shape[0]) fake")
        let realNearest = nearestDistances(real, real, k: largestK + 1)
        let fakeNearest = nearestDistances(fake, fake, k: precisionRecallK + 1)
        // Index k of the sorted distances: the k-th neighbour, index 0 being the point itself.
        let realRadius = realNearest.map { $0[precisionRecallK] }
        let realRadiusDC = realNearest.map { $0[densityCoverageK] }
        let fakeRadius = fakeNearest.map { $0[precisionRecallK] }

        let (n, m) = (real.shape[0], fake.shape[0])
        var fakeInRealBall = [Bool](repeating: false, count: m)
        var realBallsPerFake = [Int](repeating: 0, count: m)
        var realInFakeBall = [Bool](repeating: false, count: n)
        var realBallCovered = [Bool](repeating: false, count: n)
        forEachDistanceBlock(real, fake) { rows, distances in
            for (offset, i) in rows.enumerated() {
                let line = distances + offset * m
                for j in 0..<m {
                    let d = line[j]
                    if d <= realRadius[i] { fakeInRealBall[j] = true }
                    if d <= realRadiusDC[i] {
                        realBallsPerFake[j] += 1
                        realBallCovered[i] = true
                    }
                    if d <= fakeRadius[j] { realInFakeBall[i] = true }
                }
            }
        }
        func fraction(_ flags: [Bool]) -> Double { Double(flags.filter { $0 }.count) / Double(flags.count) }
        return ManifoldMetrics(
            precision: fraction(fakeInRealBall), recall: fraction(realInFakeBall),
            density: Double(realBallsPerFake.reduce(0, +)) / Double(densityCoverageK * m),
            coverage: fraction(realBallCovered))
    }

    /// For each row of `a`, its `k` smallest squared distances to rows of
    /// `b`, ascending.
    static func nearestDistances(_ a: Tensor, _ b: Tensor, k: Int) -> [[Float]] {
        var result = [[Float]](repeating: [], count: a.shape[0])
        let columns = b.shape[0]
        forEachDistanceBlock(a, b) { rows, distances in
            for (offset, row) in rows.enumerated() {
                var best = [Float](repeating: .infinity, count: k)
                let line = distances + offset * columns
                for j in 0..<columns where line[j] < best[k - 1] {
                    // Insert into the sorted list of the k smallest.
                    var position = k - 1
                    while position > 0 && best[position - 1] > line[j] {
                        best[position] = best[position - 1]
                        position -= 1
                    }
                    best[position] = line[j]
                }
                result[row] = best
            }
        }
        return result
    }

    /// Squared Euclidean distances `‖aᵢ − bⱼ‖²` (clamped at 0) in blocks of
    /// rows of `a`: `body(rows, pointer to [rows.count, M] distances)`.
    static func forEachDistanceBlock(
        _ a: Tensor, _ b: Tensor, blockRows: Int = 1024,
        _ body: (Range<Int>, UnsafePointer<Float>) -> Void
    ) {
        let bNorms = (b * b).sum(axes: [1]).scalars
        var start = 0
        while start < a.shape[0] {
            let end = Swift.min(a.shape[0], start + blockRows)
            let block = a.slice(axis: 0, start: start, end: end)
            let aNorms = (block * block).sum(axes: [1]).scalars
            var distances = matmul(block, b, transposeB: true).scalars
            let columns = b.shape[0]
            distances.withUnsafeMutableBufferPointer { buffer in
                for row in 0..<(end - start) {
                    for column in 0..<columns {
                        let index = row * columns + column
                        buffer[index] = Swift.max(0, aNorms[row] + bNorms[column] - 2 * buffer[index])
                    }
                }
                body(start..<end, UnsafePointer(buffer.baseAddress!))
            }
            start = end
        }
    }
}
