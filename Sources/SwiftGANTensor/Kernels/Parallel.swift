import Dispatch

/// Splitting element loops across cores.
@usableFromInline
enum Parallel {
    /// Loops with fewer elements than this run on the calling thread: below
    /// it, waking a second thread costs more than it saves.
    @usableFromInline static let minimumElements = 1 << 15

    /// Number of threads for large loops: the current execution context's.
    @usableFromInline static var workerCount: Int { ExecutionContext.current.threads }

    /// Calls `body(range)` over disjoint ranges covering `0..<count`, on
    /// several threads when `count * costPerElement` is large enough.
    @inlinable
    static func forEachChunk(count: Int, costPerElement: Int = 1, _ body: (Range<Int>) -> Void) {
        let chunks = min(workerCount, max(1, count * costPerElement / minimumElements))
        if chunks <= 1 {
            body(0..<count)
            return
        }
        run(chunks: chunks) { chunk in
            body((count * chunk / chunks)..<(count * (chunk + 1) / chunks))
        }
    }

    /// Calls `body(chunk)` for every chunk in `0..<chunks`, spread over the
    /// calling thread and the current context's worker threads
    /// (`WorkerPool`), which run it inside the same context; returns when
    /// all are done. Chunks must write disjoint memory.
    @usableFromInline
    static func run(chunks: Int, _ body: (Int) -> Void) {
        let context = ExecutionContext.current
        context.workers.run(chunks: chunks, context: context, body)
    }
}

@usableFromInline
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}

@usableFromInline
enum ProcessInfoCores {
    @usableFromInline static let active: Int = {
        #if canImport(Glibc)
            return Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #else
            return 1
        #endif
    }()
}

#if canImport(Glibc)
    import Glibc
#endif
