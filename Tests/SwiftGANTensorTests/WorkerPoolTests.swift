import Dispatch
import Foundation
import Synchronization
import Testing

@testable import SwiftGANTensor

/// SwiftGAN's worker threads: every chunk runs exactly once, the caller sees
/// every chunk's writes, and nested or concurrent regions complete.
@Suite("Worker pool", .serialized)
struct WorkerPoolTests {
    @Test func everyChunkRunsOnce() {
        for chunks in [0, 1, 2, 3, 7, 64] {
            for _ in 0..<200 {
                let runs = Atomic<Int>(0)
                var written = [Int](repeating: 0, count: chunks)
                written.withUnsafeMutableBufferPointer { slots in
                    let slots = UncheckedSendableBox(slots)
                    Parallel.run(chunks: chunks) { chunk in
                        runs.add(1, ordering: .relaxed)
                        slots.value[chunk] += chunk * chunk + 1
                    }
                }
                #expect(runs.load(ordering: .relaxed) == chunks)
                #expect(written == (0..<chunks).map { $0 * $0 + 1 }, "\(chunks) chunks")
            }
        }
    }

    /// A region opened inside a chunk (the pool is busy) and regions opened
    /// from several threads at once all finish with the right results.
    @Test func nestedAndConcurrentRegions() {
        let total = Atomic<Int>(0)
        Parallel.run(chunks: 2) { _ in
            Parallel.run(chunks: 3) { inner in total.add(inner + 1, ordering: .relaxed) }
        }
        #expect(total.load(ordering: .relaxed) == 12)

        let sum = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for _ in 0..<100 {
                Parallel.run(chunks: 2) { chunk in sum.add((caller + 1) * (chunk + 1), ordering: .relaxed) }
            }
        }
        #expect(sum.load(ordering: .relaxed) == 100 * 3 * (1 + 2 + 3 + 4))
    }

    /// After the helpers have gone to sleep, the next region still runs on
    /// two threads: each chunk waits (up to 2 s) until the other has started,
    /// which only a second thread can make happen. The test has a pool of its
    /// own: a region of another test running on the shared pool at the same
    /// time would send this one to GCD, which may run both chunks on one thread.
    @Test func regionsAfterIdleTimeUseTwoThreads() {
        let pool = WorkerPool()
        for _ in 0..<5 {
            usleep(UInt32(WorkerPool.spinNanoseconds / 1_000) * 3)
            let started = Atomic<Int>(0)
            var threads: [UInt] = [0, 0]
            threads.withUnsafeMutableBufferPointer { slots in
                let slots = UncheckedSendableBox(slots)
                pool.run(chunks: 2, context: .current) { chunk in
                    slots.value[chunk] = UInt(bitPattern: Int(bitPattern: UInt(pthread_self())))
                    started.add(1, ordering: .acquiringAndReleasing)
                    let deadline = DispatchTime.now().uptimeNanoseconds + 2_000_000_000
                    while started.load(ordering: .acquiring) < 2 && DispatchTime.now().uptimeNanoseconds < deadline {}
                }
            }
            #expect(started.load(ordering: .relaxed) == 2)
            if WorkerPool.maximumHelpers >= 1 {
                #expect(threads[0] != threads[1], "both chunks ran on one thread")
            } else {
                #expect(threads[0] == threads[1])
            }
        }
    }
}
