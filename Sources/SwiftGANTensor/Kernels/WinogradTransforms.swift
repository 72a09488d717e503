/// Eight samples side by side: the transforms run on one lane per sample.
typealias Lanes = SIMD8<Float>

/// The one-dimensional Winograd F(4, 2) transforms and their adjoints.
///
/// F(4, 2) computes four outputs of a two-tap correlation,
/// `y[i] = d[i] g[0] + d[i+1] g[1]`, from five inputs with five
/// multiplications instead of eight: `y = Aᵀ [(G g) ⊙ (Bᵀ d)]`. The
/// evaluation points are 0, 1, -1, -2 and infinity (the Toom-Cook
/// construction); the rows of `Bᵀ` are scaled to integers and `G`'s rows by
/// the inverse factors. In two dimensions the transforms apply to rows and
/// then columns: 25 products for a 4x4 output tile of a 2x2 kernel instead
/// of 64.
///
///     Bᵀ = [ 2  1 -2 -1  0 ]    G = [ 1/2    0  ]    Aᵀ = [ 1  1  1  1  0 ]
///          [ 0  2  3  1  0 ]        [ 1/6  1/6  ]         [ 0  1 -1 -2  0 ]
///          [ 0 -2  1  1  0 ]        [ 1/2 -1/2  ]         [ 0  1  1  4  0 ]
///          [ 0  1  0 -1  0 ]        [ 1/6 -1/3  ]         [ 0  1 -1 -8  1 ]
///          [ 0 -2 -1  2  1 ]        [  0    1   ]
///
/// The adjoints (`B`, `A`, `Gᵀ`) give the input and weight gradients, so
/// each gradient kernel is the exact transpose of the forward one.
enum Winograd {
    typealias Five = (Lanes, Lanes, Lanes, Lanes, Lanes)
    typealias Four = (Lanes, Lanes, Lanes, Lanes)

    /// `Bᵀ d`: five inputs to five transform points.
    @inline(__always)
    static func inputPoints(_ d0: Lanes, _ d1: Lanes, _ d2: Lanes, _ d3: Lanes, _ d4: Lanes) -> Five {
        (
            2 * (d0 - d2) + d1 - d3,
            2 * d1 + 3 * d2 + d3,
            d2 + d3 - 2 * d1,
            d1 - d3,
            2 * (d3 - d1) - d2 + d4
        )
    }

    /// `B v`, the adjoint of `inputPoints`: five points back to five inputs.
    @inline(__always)
    static func inputAdjoint(_ v0: Lanes, _ v1: Lanes, _ v2: Lanes, _ v3: Lanes, _ v4: Lanes) -> Five {
        (
            2 * v0,
            v0 + 2 * (v1 - v2 - v4) + v3,
            3 * v1 + v2 - v4 - 2 * v0,
            v1 + v2 - v0 - v3 + 2 * v4,
            v4
        )
    }

    /// `Aᵀ m`: five points to four outputs.
    @inline(__always)
    static func outputPoints(_ m0: Lanes, _ m1: Lanes, _ m2: Lanes, _ m3: Lanes, _ m4: Lanes) -> Four {
        let sum = m1 + m2
        let difference = m1 - m2
        return (m0 + sum + m3, difference - 2 * m3, sum + 4 * m3, difference - 8 * m3 + m4)
    }

    /// `A y`, the adjoint of `outputPoints`: four outputs to five points.
    @inline(__always)
    static func outputAdjoint(_ y0: Lanes, _ y1: Lanes, _ y2: Lanes, _ y3: Lanes) -> Five {
        let even = y0 + y2
        let odd = y1 + y3
        return (y0, even + odd, even - odd, y0 - 2 * y1 + 4 * y2 - 8 * y3, y3)
    }

    /// `G g`: two kernel taps to five points.
    @inline(__always)
    static func kernelPoints(_ g0: Lanes, _ g1: Lanes) -> Five {
        let sixth: Float = 1 / 6
        let third: Float = 1 / 3
        let u1 = (g0 + g1) * sixth
        let u3 = g0 * sixth - g1 * third
        return (g0 * 0.5, u1, (g0 - g1) * 0.5, u3, g1)
    }

    /// `Gᵀ u`, the adjoint of `kernelPoints`: five points to two taps.
    @inline(__always)
    static func kernelAdjoint(_ u0: Lanes, _ u1: Lanes, _ u2: Lanes, _ u3: Lanes, _ u4: Lanes) -> (Lanes, Lanes) {
        let sixth: Float = 1 / 6
        let third: Float = 1 / 3
        let g0 = (u0 + u2) * 0.5 + (u1 + u3) * sixth
        let g1 = u1 * sixth - u2 * 0.5 - u3 * third + u4
        return (g0, g1)
    }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(pointer).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    static func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Lanes.self)
    }
}
