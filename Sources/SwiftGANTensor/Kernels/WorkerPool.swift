import CKernels
import Dispatch
import Foundation
import Synchronization

/// SwiftGAN's own worker threads for parallel regions (`Parallel.run`).
///
/// A training step opens about a hundred short parallel regions (GEMM
/// halves, elementwise loops, optimizer updates), many of 20-300 µs.
/// `DispatchQueue.concurrentPerform` wakes a sleeping GCD thread for each,
/// and on Linux the helper starts about 50 µs late: a region of two 20 µs
/// halves took 60 µs, longer than running both on one thread. Here the
/// helpers spin for a while after each region (`spinNanoseconds`) before
/// they sleep, so the next region starts on both cores at once.
///
/// Chunks are claimed through an atomic counter, so a chunk runs on
/// whichever thread gets to it first: a late helper costs no more than
/// running serially. A region opened while another is running (a nested
/// region inside a chunk, or a second calling thread, as in parallel tests)
/// goes to `concurrentPerform` instead, as does every region of a context
/// that does not use the pool (`SWIFTGAN_POOL=0`, for comparisons). Either
/// way each chunk runs inside the caller's execution context, and the chunks
/// are the same, so results do not depend on which threads ran them.
///
/// Helper threads hold the pool's shared state (`Core`), not the pool: when
/// the last reference to a pool goes (a context with pools of its own), its
/// helpers are woken and exit. Helpers of a process-wide pool (the root
/// context's, which derived contexts share) keep a context bound across
/// consecutive regions of that context, since binding one allocates; other
/// pools' helpers bind per region and keep nothing between regions, so
/// nothing they hold keeps their pool alive.
final class WorkerPool: @unchecked Sendable {
    /// How long an idle helper keeps polling for the next region before it
    /// sleeps (and how long a caller polls for its helpers before yielding).
    static let spinNanoseconds: UInt64 = 200_000

    /// One helper per core besides the caller's.
    static let maximumHelpers = Swift.max(0, ProcessInfoCores.active - 1)

    /// One parallel region: `chunks` calls of `body`.
    ///
    /// `body` is the caller's non-escaping closure: it is set while the region
    /// runs and cleared before `run` returns. A helper reads it only after
    /// claiming a chunk (so the region is not over), and calls it from a
    /// separate function so that its reference is gone before the chunk is
    /// counted as done.
    fileprivate final class Job: @unchecked Sendable {
        var body: ((Int) -> Void)?
        let chunks: Int
        let context: ExecutionContext
        let next = Atomic<Int>(0)
        let remaining: Atomic<Int>

        init(chunks: Int, context: ExecutionContext, body: @escaping (Int) -> Void) {
            self.chunks = chunks
            self.context = context
            self.body = body
            remaining = Atomic<Int>(chunks)
        }
    }

    /// A helper thread's sleep state.
    fileprivate final class Helper: Sendable {
        let sleeping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    /// What the pool and its helper threads share.
    final class Core: @unchecked Sendable {
        let busy = Atomic<Bool>(false)
        let generation = Atomic<Int>(0)
        fileprivate let current = Mutex<Job?>(nil)
        fileprivate let helpers = Mutex<[Helper]>([])
        let stopped = Atomic<Bool>(false)
        /// Helper threads still running (tests).
        let runningHelpers = Atomic<Int>(0)
        let keepsContextsBound: Bool

        init(keepsContextsBound: Bool) { self.keepsContextsBound = keepsContextsBound }

        /// Announces a new region (or the stop) and wakes the sleeping helpers.
        fileprivate func announce(to team: [Helper]) {
            generation.add(1, ordering: .sequentiallyConsistent)
            for helper in team where helper.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                helper.wake.signal()
            }
        }
    }

    let core: Core

    /// - Parameter processWide: whether the pool lives as long as the
    ///   process (the root context's), so its helpers may keep contexts bound.
    init(processWide: Bool = false) { core = Core(keepsContextsBound: processWide) }

    deinit {
        core.stopped.store(true, ordering: .sequentiallyConsistent)
        core.announce(to: core.helpers.withLock { $0 })
    }

    /// Calls `body(chunk)` for every chunk in `0..<chunks`, on the calling
    /// thread and up to `chunks - 1` helpers, each inside `context` (the
    /// caller's); returns when all are done.
    func run(chunks: Int, context: ExecutionContext, _ body: (Int) -> Void) {
        if chunks <= 1 {
            if chunks == 1 { body(0) }
            return
        }
        guard context.usesWorkerPool,
            core.busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            withoutActuallyEscaping(body) { body in
                let box = UncheckedSendableBox(body)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    ExecutionContext.run(context) { box.value(chunk) }
                }
            }
            return
        }
        defer { core.busy.store(false, ordering: .releasing) }
        // At most one helper per other core: extra chunks are claimed by whoever is free.
        let team = team(of: Swift.min(chunks - 1, Self.maximumHelpers))
        withoutActuallyEscaping(body) { body in
            let job = Job(chunks: chunks, context: context, body: body)
            core.current.withLock { $0 = job }
            core.announce(to: team)
            Self.work(on: job)
            // Wait for the helpers' chunks: polling at first, then yielding the
            // core (a helper may have been preempted).
            let waitStarted = DispatchTime.now().uptimeNanoseconds
            var polls = 0
            var yielding = false
            while job.remaining.load(ordering: .acquiring) > 0 {
                if yielding {
                    sched_yield()
                    continue
                }
                Self.pause()
                polls += 1
                yielding = polls % 64 == 0 && DispatchTime.now().uptimeNanoseconds - waitStarted > Self.spinNanoseconds
            }
            job.body = nil
            core.current.withLock { $0 = nil }
        }
    }

    /// Claims and runs chunks of `job` until none are left.
    private static func work(on job: Job) {
        while true {
            let chunk = job.next.wrappingAdd(1, ordering: .relaxed).oldValue
            if chunk >= job.chunks { return }
            runChunk(job, chunk)
            job.remaining.subtract(1, ordering: .releasing)
        }
    }

    @inline(never)
    private static func runChunk(_ job: Job, _ chunk: Int) {
        job.body!(chunk)
    }

    /// The first `count` helpers, starting threads as needed.
    private func team(of count: Int) -> [Helper] {
        let core = self.core
        return core.helpers.withLock { helpers in
            while helpers.count < count {
                let helper = Helper()
                let seen = core.generation.load(ordering: .acquiring)
                core.runningHelpers.add(1, ordering: .relaxed)
                let thread = Thread { Self.serve(core, helper, seen: seen) }
                thread.name = "SwiftGAN worker \(helpers.count + 1)"
                thread.start()
                helpers.append(helper)
            }
            return Array(helpers.prefix(count))
        }
    }

    /// A helper's loop: wait for a new region (polling, then sleeping), work
    /// on it inside the region's execution context; return when the pool stops.
    private static func serve(_ core: Core, _ helper: Helper, seen initial: Int) {
        defer { core.runningHelpers.subtract(1, ordering: .relaxed) }
        var seen = initial
        guard core.keepsContextsBound else {
            while let job = nextJob(core, helper, seen: &seen) {
                ExecutionContext.run(job.context) { work(on: job) }
            }
            return
        }
        // One binding per change of context, not per region.
        var next = nextJob(core, helper, seen: &seen)
        while let job = next {
            let context = job.context
            ExecutionContext.run(context) {
                while let current = next, current.context === context {
                    work(on: current)
                    next = nextJob(core, helper, seen: &seen)
                }
            }
        }
    }

    /// Waits for a region newer than `seen` that is still running and
    /// returns it, or nil once the pool has stopped.
    private static func nextJob(_ core: Core, _ helper: Helper, seen: inout Int) -> Job? {
        while true {
            var latest = core.generation.load(ordering: .acquiring)
            var started = DispatchTime.now().uptimeNanoseconds
            var polls = 0
            while latest == seen {
                polls += 1
                pause()
                if polls % 64 == 0 && DispatchTime.now().uptimeNanoseconds - started > spinNanoseconds {
                    // Announce the sleep, then look once more: either this
                    // thread sees the new region, or the caller sees the flag
                    // and signals.
                    helper.sleeping.store(true, ordering: .sequentiallyConsistent)
                    if core.generation.load(ordering: .sequentiallyConsistent) == seen {
                        helper.wake.wait()
                    } else if !helper.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                        helper.wake.wait()  // The caller cleared the flag: take its signal.
                    }
                    started = DispatchTime.now().uptimeNanoseconds
                }
                latest = core.generation.load(ordering: .acquiring)
            }
            seen = latest
            if core.stopped.load(ordering: .sequentiallyConsistent) { return nil }
            if let job = core.current.withLock({ $0 }) { return job }
        }
    }

    @inline(__always)
    private static func pause() { ckernels_pause() }
}
