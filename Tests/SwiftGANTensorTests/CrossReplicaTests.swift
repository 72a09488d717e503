import SwiftGANTestSupport
import Testing

@testable import SwiftGANTensor

/// The cross-replica sum (synchronized BatchNorm's collective), with the
/// other replicas simulated: `replicas` identical ones make the sum
/// `replicas * x`, whose derivatives finite differences check.
@Suite("Cross-replica sum")
struct CrossReplicaTests {
    static func identical(_ replicas: Int) -> CrossReplicaSum {
        { values in
            for index in values.indices { values[index] *= Float(replicas) }
        }
    }

    @Test func sumsAcrossReplicasAndItsGradientIsTheSummedGradient() {
        let x = randomTensor([3, 4], seed: 1)
        let summed = x.summedAcrossReplicas(Self.identical(3))
        #expect(summed.shape == [3, 4])
        assertClose(summed.scalars, x.scalars.map { $0 * 3 }, rtol: 1e-6, atol: 0)
        GradientCheck().check([x]) { ($0[0].summedAcrossReplicas(Self.identical(3)) * $0[0]).tanh() }
    }

    /// A penalty on the gradient with respect to a point (as WGAN-GP's) through the sum, checked with respect to a weight.
    @Test func differentiatesTwice() {
        let weight = randomTensor([2, 3], seed: 2)
        let point = randomTensor([2, 3], seed: 3)
        GradientCheck().check([weight]) { inputs in
            withGradientRecording(true) {
                let x = point.requiringGradient()
                let inner = ((inputs[0] * x).summedAcrossReplicas(Self.identical(2)) * x).tanh().sum()
                let gradient = gradients(of: inner, withRespectTo: [x], createGraph: true)[0]
                return gradient.square().sum()
            }
        }
    }
}
