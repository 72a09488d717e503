import Synchronization

/// Where SwiftGAN's kernels run and which algorithms they choose: the thread
/// count, the matrix-product backend, the convolution algorithms allowed,
/// the worker threads, the buffer pool and the cache of transformed
/// convolution weights.
///
/// Code runs inside a context (`withExecutionContext`), which is task-local:
/// it holds for `body`, for the tasks `body` starts, and for SwiftGAN's own
/// worker threads while they run `body`'s parallel regions, so two tests (or
/// two trainers) running at once with different settings cannot disturb each
/// other. Outside any scope the root context applies; its settings come from
/// the environment, read once (`ExecutionContext.root`).
///
/// ```swift
/// let product = withExecutionContext(threads: 1, gemm: .openBLAS) { a.matmul(b) }
/// ```
///
/// A derived context shares its parent's worker threads, buffer pool and
/// weight cache: all three are safe to share (they are locked, and what they
/// hand out never depends on who asked), and sharing keeps one pool of
/// threads and memory per process. `ExecutionContext(...)` makes one with
/// pools of its own.
public final class ExecutionContext: Sendable, CustomStringConvertible {
    /// What a context decides: plain values, compared and copied freely.
    public struct Settings: Equatable, Sendable {
        /// Threads a parallel region may use (the caller's and `threads - 1`
        /// helpers), at least 1. Results do not depend on it except through
        /// the order of floating-point sums, which it can change.
        public var threads: Int
        /// Which implementation of the primitives runs (`Primitives`): the
        /// fast kernels or the naive reference loops.
        public var backend: ComputeBackend = .fast
        /// The backend of every matrix product on the fast backend; `.native`
        /// means OpenBLAS on a CPU without AVX-512.
        public var gemm: GEMMBackend = .native
        /// Whether the stride-2, 4x4 convolutions may use Winograd F(4x4, 2x2)
        /// (otherwise every convolution goes through im2col).
        public var allowsWinograd = true
        /// Winograd runs only when the batch holds at least this many 4x4
        /// output tiles: fewer make its products too narrow to repay the
        /// weights' transform (6.25 floats per weight), as in pix2pix's 4x4
        /// maps at batch 16. Tests lower it to reach the path with small tensors.
        public var winogradMinimumTiles = 64
        /// Whether parallel regions use SwiftGAN's spinning worker threads
        /// (`false`: Dispatch's `concurrentPerform`, for comparisons).
        public var usesWorkerPool = true
        /// The first-order backward shortcuts allowed (the differentiable
        /// rules run for the others).
        public var fusedGradients = Set(FusedGradient.allCases)

        public init(threads: Int) { self.threads = threads }
    }

    /// This context's settings.
    public let settings: Settings
    public var threads: Int { settings.threads }
    public var backend: ComputeBackend { settings.backend }
    /// The GEMM backend that runs (`.openBLAS` where the CPU has no AVX-512).
    public var gemm: GEMMBackend { settings.gemm == .native && !NativeGEMM.isAvailable ? .openBLAS : settings.gemm }
    public var allowsWinograd: Bool { settings.allowsWinograd }
    public var winogradMinimumTiles: Int { settings.winogradMinimumTiles }
    public var usesWorkerPool: Bool { settings.usesWorkerPool }
    public var fusedGradients: Set<FusedGradient> { settings.fusedGradients }

    let workers: WorkerPool
    let buffers: BufferPool
    let winogradKernels: WinogradKernelCache
    /// Counts multiply-adds issued through matrix products while set (benchmarks).
    let multiplyAddCounter: MultiplyAddCounter?

    /// A context with its own worker threads, buffer pool and weight cache.
    ///
    /// - Parameter bufferPoolBytes: how much freed memory the pool keeps for reuse.
    /// - Precondition: `settings.threads >= 1`.
    public convenience init(_ settings: Settings, bufferPoolBytes: Int = 512 << 20) {
        self.init(
            settings, workers: WorkerPool(), buffers: BufferPool(capacityBytes: bufferPoolBytes),
            winogradKernels: WinogradKernelCache(), multiplyAddCounter: nil)
    }

    /// A context with its own pools and default settings but `threads`.
    public convenience init(threads: Int, usesWorkerPool: Bool = true) {
        var settings = Settings(threads: threads)
        settings.usesWorkerPool = usesWorkerPool
        self.init(settings)
    }

    init(
        _ settings: Settings, workers: WorkerPool, buffers: BufferPool, winogradKernels: WinogradKernelCache,
        multiplyAddCounter: MultiplyAddCounter?
    ) {
        require(settings.threads >= 1, "ExecutionContext: thread count \(settings.threads) must be at least 1")
        self.settings = settings
        self.workers = workers
        self.buffers = buffers
        self.winogradKernels = winogradKernels
        self.multiplyAddCounter = multiplyAddCounter
    }

    /// This context with its settings changed by `change`, sharing its pools.
    public func with(_ change: (inout Settings) -> Void) -> ExecutionContext {
        var changed = settings
        change(&changed)
        return ExecutionContext(
            changed, workers: workers, buffers: buffers, winogradKernels: winogradKernels,
            multiplyAddCounter: multiplyAddCounter)
    }

    /// This context with some settings replaced (`nil` keeps one), sharing its pools.
    public func with(
        threads: Int? = nil, backend: ComputeBackend? = nil, gemm: GEMMBackend? = nil, allowsWinograd: Bool? = nil,
        winogradMinimumTiles: Int? = nil, usesWorkerPool: Bool? = nil, fusedGradients: Set<FusedGradient>? = nil
    ) -> ExecutionContext {
        with { settings in
            if let threads { settings.threads = threads }
            if let backend { settings.backend = backend }
            if let gemm { settings.gemm = gemm }
            if let allowsWinograd { settings.allowsWinograd = allowsWinograd }
            if let winogradMinimumTiles { settings.winogradMinimumTiles = winogradMinimumTiles }
            if let usesWorkerPool { settings.usesWorkerPool = usesWorkerPool }
            if let fusedGradients { settings.fusedGradients = fusedGradients }
        }
    }

    /// The context code runs in now.
    public static var current: ExecutionContext { scoped }

    @TaskLocal static var scoped: ExecutionContext = root

    /// Runs `body` inside `context`.
    public static func run<R>(_ context: ExecutionContext, _ body: () throws -> R) rethrows -> R {
        try $scoped.withValue(context, operation: body)
    }

    /// Runs `body` inside `context` (async).
    public static func run<R>(_ context: ExecutionContext, _ body: () async throws -> R) async rethrows -> R {
        try await $scoped.withValue(context, operation: body)
    }

    /// Gives back the memory kept for reuse: the pool's free buffers and the
    /// cached transformed weights (benchmarks, between cases).
    public func releaseCaches() {
        winogradKernels.removeAll()
        buffers.drain()
    }

    public var description: String {
        let fused = fusedGradients.map(\.rawValue).sorted().joined(separator: ", ")
        return "ExecutionContext(threads: \(threads), backend: \(backend.rawValue), gemm: \(gemm.rawValue), "
            + "winograd: \(allowsWinograd), pool: \(usesWorkerPool), fused: [\(fused)])"
    }
}

/// Which code computes matrix products.
public enum GEMMBackend: String, Sendable, CaseIterable {
    /// SwiftGAN's AVX-512 kernel (`CKernels`), where the CPU has AVX-512F/VL.
    case native
    /// OpenBLAS's `cblas_sgemm`, single-threaded, split across SwiftGAN's workers.
    case openBLAS = "openblas"
}

/// Runs `body` in the current context with the given settings replaced
/// (`nil` keeps the current one).
///
/// - Precondition: `threads >= 1`.
public func withExecutionContext<R>(
    threads: Int? = nil, backend: ComputeBackend? = nil, gemm: GEMMBackend? = nil, allowsWinograd: Bool? = nil,
    winogradMinimumTiles: Int? = nil, usesWorkerPool: Bool? = nil, fusedGradients: Set<FusedGradient>? = nil,
    _ body: () throws -> R
) rethrows -> R {
    let context = ExecutionContext.current.with(
        threads: threads, backend: backend, gemm: gemm, allowsWinograd: allowsWinograd,
        winogradMinimumTiles: winogradMinimumTiles, usesWorkerPool: usesWorkerPool, fusedGradients: fusedGradients)
    return try ExecutionContext.run(context, body)
}

/// Runs async `body` in the current context with the given settings replaced.
public func withExecutionContext<R>(
    threads: Int? = nil, backend: ComputeBackend? = nil, gemm: GEMMBackend? = nil, allowsWinograd: Bool? = nil,
    winogradMinimumTiles: Int? = nil, usesWorkerPool: Bool? = nil, fusedGradients: Set<FusedGradient>? = nil,
    _ body: () async throws -> R
) async rethrows -> R {
    let context = ExecutionContext.current.with(
        threads: threads, backend: backend, gemm: gemm, allowsWinograd: allowsWinograd,
        winogradMinimumTiles: winogradMinimumTiles, usesWorkerPool: usesWorkerPool, fusedGradients: fusedGradients)
    return try await ExecutionContext.run(context, body)
}

/// A running total of multiply-adds.
final class MultiplyAddCounter: Sendable {
    let total = Atomic<Int>(0)
}

extension ExecutionContext {
    /// The multiply-adds `body` issues through matrix products (on any of
    /// the context's threads): benchmarks only.
    package static func countingMultiplyAdds(_ body: () throws -> Void) rethrows -> Int {
        let counter = MultiplyAddCounter()
        let base = current
        let context = ExecutionContext(
            base.settings, workers: base.workers, buffers: base.buffers, winogradKernels: base.winogradKernels,
            multiplyAddCounter: counter)
        try run(context, body)
        return counter.total.load(ordering: .relaxed)
    }
}

extension ExecutionContext {
    /// Calls `body` over disjoint ranges covering `0..<count`, on several of
    /// the current context's threads when the loop is large enough (for
    /// kernels in other targets, such as optimizer updates).
    package static func forEachChunk(count: Int, costPerElement: Int = 1, _ body: (Range<Int>) -> Void) {
        Parallel.forEachChunk(count: count, costPerElement: costPerElement, body)
    }
}
