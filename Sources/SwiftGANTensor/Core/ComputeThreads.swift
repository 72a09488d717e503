/// How many threads SwiftGAN's kernels use: its own elementwise loops,
/// reductions and per-sample convolution products, and OpenBLAS for large
/// matrix products.
public enum ComputeThreads {
    /// The current thread count.
    public static var count: Int { Parallel.workerCount }

    /// Sets the thread count for all kernels.
    ///
    /// - Precondition: `count >= 1`.
    public static func set(_ count: Int) {
        require(count >= 1, "ComputeThreads.set: thread count \(count) must be at least 1")
        Parallel.threadSetting.store(count, ordering: .relaxed)
        BLAS.setThreadCount(count)
    }
}
