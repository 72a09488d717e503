import Dispatch
import Foundation
import SwiftGANTensor

/// Decoding many files at once: every index of `0..<count` on the context's
/// threads (each worker takes every `threads`-th index), "decoding images"
/// progress reported to the caller's observer, and the error of the first
/// index (in order) that failed, after which later indices are skipped.
enum ParallelDecode {
    /// Runs `body(index)` for every index in `0..<count`; `body` must write only its own index's output.
    /// - Throws: the error of the lowest failing index.
    static func run(count: Int, _ body: @Sendable (Int) throws -> Void) throws {
        let threads = Swift.max(1, Swift.min(ExecutionContext.current.threads, count))
        let observer = ProgressReporting.observer  // worker threads do not see the task-local value
        let progress = DecodeProgress(total: count, observer: observer)
        let errors = FirstError()
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            for index in stride(from: worker, to: count, by: threads) where !errors.failedBefore(index) {
                do {
                    try body(index)
                } catch {
                    errors.record(error, at: index)
                }
                progress.advance()
            }
        }
        if let error = errors.first { throw error }
    }
}

/// The first error (by index) of a parallel decode.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var found: (index: Int, error: any Error)?

    func record(_ error: any Error, at index: Int) {
        lock.lock()
        if found.map({ index < $0.index }) ?? true { found = (index, error) }
        lock.unlock()
    }

    /// Whether a file before `index` already failed (the rest need not be decoded).
    func failedBefore(_ index: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return found.map { $0.index < index } ?? false
    }

    var first: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return found?.error
    }
}

/// Files decoded so far, reported to the caller's progress observer.
final class DecodeProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let observer: (any ProgressObserver)?

    init(total: Int, observer: (any ProgressObserver)?) {
        self.total = total
        self.observer = observer
    }

    func advance() {
        lock.lock()
        done += 1
        let count = done
        lock.unlock()
        observer?.update("decoding images", done: count, total: total)
    }
}

/// A pointer the decode workers share; each writes only its own images' bytes.
struct UncheckedPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt8>
    init(_ pointer: UnsafeMutablePointer<UInt8>) { self.pointer = pointer }
}
