import Dispatch
import SwiftGANTestSupport
import Synchronization
import Testing

@testable import SwiftGANTensor

#if canImport(Glibc)
    import Glibc
#endif

/// The execution context: scoped settings that concurrent code cannot
/// disturb, seen by the worker threads of a parallel region, seeded from the
/// environment in one place.
struct ExecutionContextTests {
    @Test func scopesNestAndRestore() {
        let outer = ExecutionContext.current.threads
        withExecutionContext(threads: 3) {
            #expect(ExecutionContext.current.threads == 3)
            withExecutionContext(gemm: .openBLAS) {
                #expect(ExecutionContext.current.threads == 3, "an inner scope keeps what it does not set")
                #expect(ExecutionContext.current.gemm == .openBLAS)
            }
            #expect(ExecutionContext.current.threads == 3)
        }
        #expect(ExecutionContext.current.threads == outer)
    }

    /// The test trait scopes a whole test.
    @Test(.executionContext(threads: 3, gemm: .openBLAS))
    func traitScopesTheTest() {
        #expect(ExecutionContext.current.threads == 3 && ExecutionContext.current.gemm == .openBLAS)
    }

    /// Two tasks that run at the same time with different thread counts each
    /// see only their own, however their steps interleave.
    @Test func concurrentScopesAreIndependent() async {
        await withTaskGroup(of: Bool.self) { group in
            for threads in 1...4 {
                group.addTask {
                    await withExecutionContext(threads: threads) {
                        for _ in 0..<50 {
                            await Task.yield()
                            if ExecutionContext.current.threads != threads { return false }
                        }
                        return true
                    }
                }
            }
            for await consistent in group { #expect(consistent) }
        }
    }

    /// Every chunk of a parallel region, on whichever thread runs it, runs
    /// inside the caller's context (so nested kernels and allocations use its
    /// settings and pools), with and without the worker pool.
    @Test(arguments: [true, false])
    func parallelChunksRunInTheCallersContext(pool: Bool) {
        let context = ExecutionContext(threads: 2, usesWorkerPool: pool)
        let matches = Atomic<Int>(0)
        ExecutionContext.run(context) {
            for _ in 0..<20 {
                Parallel.run(chunks: 2) { _ in
                    if ExecutionContext.current === context { matches.add(1, ordering: .relaxed) }
                }
            }
        }
        #expect(matches.load(ordering: .relaxed) == 40)
    }

    /// A context with pools of its own frees them when it goes, and its
    /// worker threads exit; nothing a helper keeps between regions holds it.
    @Test func aContextsOwnPoolStopsItsHelpers() {
        weak var released: ExecutionContext?
        var core: WorkerPool.Core?
        do {
            let context = ExecutionContext(threads: 2)
            let chunks = Atomic<Int>(0)
            ExecutionContext.run(context) {
                for _ in 0..<20 { Parallel.run(chunks: 2) { _ in chunks.add(1, ordering: .relaxed) } }
            }
            #expect(chunks.load(ordering: .relaxed) == 40)
            let started = context.workers.core.runningHelpers.load(ordering: .relaxed)
            #expect(WorkerPool.maximumHelpers == 0 || started >= 1, "the regions started no helper")
            core = context.workers.core
            released = context
        }
        #expect(released == nil, "the context outlived its last reference")
        let deadline = DispatchTime.now().uptimeNanoseconds + 2_000_000_000
        while core!.runningHelpers.load(ordering: .relaxed) > 0 && DispatchTime.now().uptimeNanoseconds < deadline {
            usleep(1_000)
        }
        let running = core!.runningHelpers.load(ordering: .relaxed)
        let stopped = core!.stopped.load(ordering: .relaxed)
        #expect(running == 0, "helper threads still running")
        #expect(stopped)
    }

    /// Buffers go back to the pool they came from, even when freed in
    /// another context.
    @Test func buffersReturnToTheirOwnPool() {
        let first = ExecutionContext(threads: 1)
        let second = ExecutionContext(threads: 1)
        var tensor: Tensor? = ExecutionContext.run(first) { Tensor.zeros([64, 128]) }
        ExecutionContext.run(second) { tensor = nil }
        #expect(tensor == nil)
        let reused = ExecutionContext.run(first) { TensorStorage(uninitializedCount: 64 * 128) }
        let fresh = ExecutionContext.run(second) { TensorStorage(uninitializedCount: 64 * 128) }
        #expect(reused.pointer != fresh.pointer)
        #expect(first.buffers.heldBytes == 0 && second.buffers.heldBytes == 0)
    }

    @Test func convolutionPlanFollowsTheContext() {
        let dcganLayer = ConvolutionGeometry(
            batch: 64, inChannels: 64, height: 14, width: 14, outChannels: 128,
            kernelHeight: 4, kernelWidth: 4, strideH: 2, strideW: 2,
            padH: 1, padW: 1, dilationH: 1, dilationW: 1)
        let context = ExecutionContext.current
        #expect(ConvolutionPlan(dcganLayer, context: context.with(allowsWinograd: true)).name == "winograd")
        #expect(ConvolutionPlan(dcganLayer, context: context.with(allowsWinograd: false)).name == "im2col")
        var fullKernel = dcganLayer
        (fullKernel.kernelHeight, fullKernel.kernelWidth, fullKernel.strideH, fullKernel.strideW) = (14, 14, 1, 1)
        (fullKernel.padH, fullKernel.padW) = (0, 0)
        #expect(ConvolutionPlan(fullKernel, context: context).name == "matrix product")
        var empty = dcganLayer
        empty.batch = 0
        #expect(ConvolutionPlan(empty, context: context).name == "empty")
    }

    @Test func environmentSeedsTheRoot() {
        let variables = [
            "SWIFTGAN_THREADS": "3", "SWIFTGAN_BACKEND": "reference", "SWIFTGAN_GEMM": "openblas",
            "SWIFTGAN_WINOGRAD": "0", "SWIFTGAN_POOL": "0", "SWIFTGAN_FUSED": "0"
        ]
        let settings = EnvironmentSettings { variables[$0] }.settings
        #expect(settings.threads == 3 && settings.backend == .reference && settings.gemm == .openBLAS)
        #expect(!settings.allowsWinograd && !settings.usesWorkerPool && settings.fusedGradients.isEmpty)
        let defaults = EnvironmentSettings { _ in nil }.settings
        var expected = ExecutionContext.Settings(threads: Swift.max(1, ProcessInfoCores.active))
        #expect(defaults == expected)
        #expect(defaults.backend == .fast && defaults.gemm == .native && defaults.allowsWinograd && defaults.usesWorkerPool)
        #expect(defaults.fusedGradients == Set(FusedGradient.allCases))
        let ignored = EnvironmentSettings { ["SWIFTGAN_THREADS": "0", "SWIFTGAN_GEMM": "cuda", "SWIFTGAN_BACKEND": "gpu"][$0] }
        expected.threads = defaults.threads
        #expect(ignored.settings == expected)
    }

    /// The multiply-add counter sees only its own scope's products.
    @Test func multiplyAddsAreCountedPerScope() {
        let a = Tensor.ones([8, 16])
        let b = Tensor.ones([16, 4])
        let counted = ExecutionContext.countingMultiplyAdds { _ = matmul(a, b) }
        #expect(counted == 8 * 16 * 4)
    }
}
