import CKernels

/// Vector math the compiler does not vectorize on its own, in the C kernels.
package enum VectorMath {
    /// `destination[i] = tanh(source[i])` for `count` values, through glibc's
    /// vector math library (at most 4 ulp from the correctly rounded value;
    /// the scalar `tanhf` costs about 10 ns a value).
    @inlinable
    package static func tanh(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        ckernels_tanh(source, destination, count)
    }

    /// One Adam step without weight decay or AMSGrad over `count` values, in
    /// place: `m = β1·m + (1 − β1)·g`, `v = β2·v + (1 − β2)·g·g`,
    /// `p −= stepSize·m / (√v / correction2Root + ε)`, every operation rounded
    /// on its own in this order (the bits of the scalar formula), 16 lanes at a
    /// time with AVX-512, else 4. On Linux a Swift loop with
    /// `Float.squareRoot()` stays scalar: the square root keeps C's `errno`
    /// contract.
    @inlinable
    package static func adamStep(
        count: Int, parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
        expAvg: UnsafeMutablePointer<Float>, expAvgSq: UnsafeMutablePointer<Float>,
        beta1: Float, beta2: Float, stepSize: Float, correction2Root: Float, epsilon: Float
    ) {
        let coefficients = ckernels_adam_coefficients(
            beta1: beta1, beta2: beta2, step_size: stepSize,
            correction2_root: correction2Root, epsilon: epsilon)
        ckernels_adam(count, parameter, gradient, expAvg, expAvgSq, coefficients)
    }

    /// Fills `mask` with `count` values, each `scale` with probability
    /// `keepProbability` (in steps of 2⁻²⁴) and otherwise 0, from 16
    /// interleaved xoshiro128** streams seeded by `seed` (see
    /// `ckernels_dropout_mask`): the same bits on every CPU. `portable`
    /// forces the path without AVX-512 (for tests).
    package static func dropoutMask(
        seed: UInt64, count: Int, keepProbability: Float, scale: Float,
        into mask: UnsafeMutablePointer<Float>, portable: Bool = false
    ) {
        let threshold = UInt32((Double(keepProbability) * 16_777_216).rounded(.up))
        if portable {
            ckernels_dropout_mask_portable(seed, count, threshold, scale, mask)
        } else {
            ckernels_dropout_mask(seed, count, threshold, scale, mask)
        }
    }
}
