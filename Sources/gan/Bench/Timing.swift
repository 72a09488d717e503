import Foundation

/// Wall-clock timing helpers for benchmarks (never used in tests).
enum Timing {
    /// Seconds taken by `body`.
    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// The median of `values` (the mean of the middle two for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Median seconds per call of `body` over `repeats` timed batches of
    /// `iterations` calls, after `warmup` untimed calls.
    static func medianSeconds(warmup: Int, iterations: Int, repeats: Int, _ body: () -> Void) -> Double {
        for _ in 0..<warmup { body() }
        var samples: [Double] = []
        for _ in 0..<repeats {
            samples.append(seconds { for _ in 0..<iterations { body() } } / Double(iterations))
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}
