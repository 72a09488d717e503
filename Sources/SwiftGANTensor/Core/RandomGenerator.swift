import Foundation

/// A seedable pseudo-random generator (xoshiro256**, seeded through
/// SplitMix64) whose streams are identical on every machine and run.
///
/// Uniform floats use integer arithmetic only, so they are bit-identical
/// everywhere; normals use the Box–Muller transform in double precision
/// (glibc's `log`, `sin` and `cos` are correctly rounded for these inputs in
/// practice) before rounding to float.
///
/// ```swift
/// var random = RandomGenerator(seed: 42)
/// let z = Tensor.normal([64, 100], random: &random)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The four words of xoshiro256** state (saveable for exact resume).
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator seeded from one 64-bit value.
    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator resumed from a saved `state`.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        require(state != (0, 0, 0, 0), "RandomGenerator: the all-zero state is invalid")
        self.state = state
    }

    /// Generators are equal when their states are (they will produce the same stream).
    public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool { a.state == b.state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    private func rotateLeft(_ value: UInt64, _ amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }

    /// A float uniform in `[0, 1)` with 24 random bits.
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A pair of independent standard normal floats (Box–Muller).
    public mutating func nextNormalPair() -> (Float, Float) {
        let first = next()
        return Self.normalPair(first, next())
    }

    /// The Box–Muller pair `nextNormalPair` makes from two consecutive
    /// draws: callers may draw the bits first and transform them on other
    /// threads, with the same results.
    @inlinable
    static func normalPair(_ firstBits: UInt64, _ secondBits: UInt64) -> (Float, Float) {
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = (Double(firstBits >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(secondBits >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (Float(radius * Foundation.cos(angle)), Float(radius * Foundation.sin(angle)))
    }

    /// A random permutation of `0..<count` (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<count)
        if count < 2 { return values }
        for index in stride(from: count - 1, to: 0, by: -1) {
            let other = Int(next() % UInt64(index + 1))
            values.swapAt(index, other)
        }
        return values
    }
}
