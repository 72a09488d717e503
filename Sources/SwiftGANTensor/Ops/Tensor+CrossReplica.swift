/// A sum over the processes of a data-parallel job, given as a function
/// that sums a buffer in place across them (an MPI all-reduce). Every
/// process calls it at the same point with a buffer of the same size.
public typealias CrossReplicaSum = (UnsafeMutableBufferPointer<Float>) -> Void

extension Tensor {
    /// This tensor summed over every replica by `sum`, same shape; its
    /// gradient is the upstream gradient summed over the replicas the same
    /// way (each replica's loss depends on the shared sum), so it
    /// differentiates again. Synchronized batch normalisation builds on it.
    public func summedAcrossReplicas(_ sum: @escaping CrossReplicaSum) -> Tensor {
        var values = detached().scalars
        values.withUnsafeMutableBufferPointer { sum($0) }
        let reduced = Tensor(values, shape: shape)
        return Tensor.result("cross_replica_sum", shape: shape, storage: reduced.storage, inputs: [self]) { context in
            [context.gradient.summedAcrossReplicas(sum)]
        }
    }
}
