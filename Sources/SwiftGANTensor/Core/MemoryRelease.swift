/// Gives back the memory the engine keeps for reuse: the buffer pool's free
/// buffers and the cached Winograd kernels.
///
/// Benchmarks call it between cases so that each case's peak memory is its
/// own; training never needs to.
package enum MemoryRelease {
    package static func releaseCaches() {
        WinogradKernelCache.shared.removeAll()
        BufferPool.shared.drain()
    }
}
