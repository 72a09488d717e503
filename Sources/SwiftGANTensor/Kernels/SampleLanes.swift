#if arch(x86_64)
    import _Builtin_intrinsics.intel
#endif

/// Copies NCHW tensors into `[channels, plane, lanes]` blocks with one lane
/// per sample, four samples by four pixels at a time (a 4x4 transpose in
/// vector registers instead of sixteen scalar copies).
enum SampleLanes {
    /// Channels `channels` of `samples` into the block; lanes past the last
    /// sample are zero.
    static func interleave(
        _ source: UnsafePointer<Float>, channels: Range<Int>, channelCount: Int, plane: Int,
        samples: Range<Int>, lanes: Int, into block: UnsafeMutablePointer<Float>
    ) {
        let quads = samples.count / 4
        let vectorPixels = plane / 4 * 4
        for c in channels {
            let rows = block + c * plane * lanes
            for quad in 0..<quads {
                let lane = quad * 4
                let first = source + ((samples.lowerBound + lane) * channelCount + c) * plane
                let stride = channelCount * plane
                var pixel = 0
                while pixel < vectorPixels {
                    let a0 = loadFour(first + pixel)
                    let a1 = loadFour(first + stride + pixel)
                    let a2 = loadFour(first + 2 * stride + pixel)
                    let a3 = loadFour(first + 3 * stride + pixel)
                    let t = transpose(a0, a1, a2, a3)
                    let target = rows + pixel * lanes + lane
                    storeFour(t.0, target)
                    storeFour(t.1, target + lanes)
                    storeFour(t.2, target + 2 * lanes)
                    storeFour(t.3, target + 3 * lanes)
                    pixel += 4
                }
                for pixel in vectorPixels..<plane {
                    for k in 0..<4 { rows[pixel * lanes + lane + k] = first[k * stride + pixel] }
                }
            }
            for lane in (quads * 4)..<lanes {
                if lane < samples.count {
                    let line = source + ((samples.lowerBound + lane) * channelCount + c) * plane
                    for pixel in 0..<plane { rows[pixel * lanes + lane] = line[pixel] }
                } else {
                    for pixel in 0..<plane { rows[pixel * lanes + lane] = 0 }
                }
            }
        }
    }

    @inline(__always)
    static func loadFour(_ pointer: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Float>.self)
    }

    @inline(__always)
    static func storeFour(_ value: SIMD4<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD4<Float>.self)
    }

    /// Rows to columns of a 4x4 block.
    @inline(__always)
    static func transpose(_ a0: SIMD4<Float>, _ a1: SIMD4<Float>, _ a2: SIMD4<Float>, _ a3: SIMD4<Float>)
        -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)
    {
        #if arch(x86_64)
            let t0 = _mm_unpacklo_ps(a0, a1)
            let t1 = _mm_unpacklo_ps(a2, a3)
            let t2 = _mm_unpackhi_ps(a0, a1)
            let t3 = _mm_unpackhi_ps(a2, a3)
            return (_mm_movelh_ps(t0, t1), _mm_movehl_ps(t1, t0), _mm_movelh_ps(t2, t3), _mm_movehl_ps(t3, t2))
        #else
            return (
                SIMD4(a0[0], a1[0], a2[0], a3[0]), SIMD4(a0[1], a1[1], a2[1], a3[1]),
                SIMD4(a0[2], a1[2], a2[2], a3[2]), SIMD4(a0[3], a1[3], a2[3], a3[3])
            )
        #endif
    }
}
