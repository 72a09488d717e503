import SwiftGANTensor
import Testing

/// Records a test issue unless every element satisfies
/// `|actual - expected| <= atol + rtol * |expected|` (NaN matches NaN), the
/// criterion of NumPy's `allclose`; reports the first element that fails.
public func assertClose(
    _ actual: [Float], _ expected: [Float], rtol: Float, atol: Float, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let label = what.isEmpty ? "" : "\(what): "
    #expect(
        actual.count == expected.count, "\(label)count \(actual.count) vs \(expected.count)",
        sourceLocation: sourceLocation)
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        let close = (a.isNaN && e.isNaN) || Swift.abs(a - e) <= atol + rtol * Swift.abs(e)
        if !close {
            Issue.record(
                "\(label)element \(index): \(a) vs expected \(e) (rtol \(rtol), atol \(atol))",
                sourceLocation: sourceLocation)
            return
        }
    }
}

/// `assertClose` for tensors: the shapes must match too.
public func assertClose(
    _ actual: Tensor, _ expected: Tensor, rtol: Float, atol: Float, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(
        actual.shape == expected.shape, "\(what): shape \(actual.shape) vs \(expected.shape)",
        sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    assertClose(actual.scalars, expected.scalars, rtol: rtol, atol: atol, what, sourceLocation: sourceLocation)
}
