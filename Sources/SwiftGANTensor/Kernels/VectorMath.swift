import CKernels
#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Vector math the compiler does not vectorize on its own.
///
/// On Linux, `Float.squareRoot()` keeps C's `errno` contract: after the
/// `sqrtss` instruction it tests the result and may call `sqrtf`, so loops
/// with a square root stay scalar (a fifth of the MLP training step went to
/// Adam's scalar square roots and divisions). `_mm_sqrt_ps` is the plain
/// instruction, four lanes at a time, correctly rounded like the scalar one.
package enum VectorMath {
    /// Lane-wise square root, bit-identical to `Float.squareRoot()` per lane.
    @inlinable @inline(__always)
    package static func squareRoot(_ x: SIMD4<Float>) -> SIMD4<Float> {
        #if arch(x86_64)
        return _mm_sqrt_ps(x)
        #else
        return x.squareRoot()
        #endif
    }

    /// `destination[i] = tanh(source[i])` for `count` values, through glibc's
    /// vector math library (at most 4 ulp from the correctly rounded value;
    /// the scalar `tanhf` costs about 10 ns a value).
    @inlinable
    package static func tanh(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int) {
        ckernels_tanh(source, destination, count)
    }
}
