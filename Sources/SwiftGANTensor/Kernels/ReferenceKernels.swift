/// Naive, obviously-correct kernels used as test oracles for the fast ones.
/// Accumulation is in Double so the oracle is more accurate than the kernel
/// under test.
package enum ReferenceKernels {
    /// `[m, k] x [k, n] -> [m, n]` by the textbook triple loop.
    package static func matmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        require(a.count == m * k && b.count == k * n, "ReferenceKernels.matmul: sizes do not match m=\(m) k=\(k) n=\(n)")
        var out = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var total = 0.0
                for p in 0..<k { total += Double(a[i * k + p]) * Double(b[p * n + j]) }
                out[i * n + j] = Float(total)
            }
        }
        return out
    }

    /// Direct 2-D cross-correlation: input `[N, C, H, W]`, weight `[O, C, kH, kW]`.
    package static func conv2d(
        input: [Float], inputShape: [Int], weight: [Float], weightShape: [Int],
        stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
    ) -> (values: [Float], shape: [Int]) {
        let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (o, kh, kw) = (weightShape[0], weightShape[2], weightShape[3])
        let spanH = h + 2 * padding.0 - dilation.0 * (kh - 1) - 1
        let spanW = w + 2 * padding.1 - dilation.1 * (kw - 1) - 1
        require(spanH >= 0 && spanW >= 0, "ReferenceKernels.conv2d: kernel does not fit the padded input")
        let outH = spanH / stride.0 + 1
        let outW = spanW / stride.1 + 1
        var out = [Float](repeating: 0, count: n * o * outH * outW)
        for b in 0..<n {
            for oc in 0..<o {
                for oy in 0..<outH {
                    for ox in 0..<outW {
                        var total = 0.0
                        for ic in 0..<c {
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let iy = oy * stride.0 - padding.0 + ky * dilation.0
                                    let ix = ox * stride.1 - padding.1 + kx * dilation.1
                                    guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                    total +=
                                        Double(input[((b * c + ic) * h + iy) * w + ix])
                                        * Double(weight[((oc * c + ic) * kh + ky) * kw + kx])
                                }
                            }
                        }
                        out[((b * o + oc) * outH + oy) * outW + ox] = Float(total)
                    }
                }
            }
        }
        return (out, [n, o, outH, outW])
    }

    /// Direct transposed convolution: input `[N, Cin, H, W]`, weight
    /// `[Cin, Cout, kH, kW]`; every input pixel scatters a weighted kernel.
    package static func convTranspose2d(
        input: [Float], inputShape: [Int], weight: [Float], weightShape: [Int],
        stride: (Int, Int), padding: (Int, Int), outputPadding: (Int, Int), dilation: (Int, Int)
    ) -> (values: [Float], shape: [Int]) {
        let (n, cin, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (cout, kh, kw) = (weightShape[1], weightShape[2], weightShape[3])
        let outH = (h - 1) * stride.0 - 2 * padding.0 + dilation.0 * (kh - 1) + outputPadding.0 + 1
        let outW = (w - 1) * stride.1 - 2 * padding.1 + dilation.1 * (kw - 1) + outputPadding.1 + 1
        var out = [Double](repeating: 0, count: n * cout * outH * outW)
        for b in 0..<n {
            for ic in 0..<cin {
                for iy in 0..<h {
                    for ix in 0..<w {
                        let value = Double(input[((b * cin + ic) * h + iy) * w + ix])
                        for oc in 0..<cout {
                            for ky in 0..<kh {
                                for kx in 0..<kw {
                                    let oy = iy * stride.0 - padding.0 + ky * dilation.0
                                    let ox = ix * stride.1 - padding.1 + kx * dilation.1
                                    guard oy >= 0, oy < outH, ox >= 0, ox < outW else { continue }
                                    out[((b * cout + oc) * outH + oy) * outW + ox] +=
                                        value * Double(weight[((ic * cout + oc) * kh + ky) * kw + kx])
                                }
                            }
                        }
                    }
                }
            }
        }
        return (out.map(Float.init), [n, cout, outH, outW])
    }
}
