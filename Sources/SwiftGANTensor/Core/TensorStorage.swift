import Synchronization

/// A heap buffer of `Float` owned by one or more tensors.
///
/// Storage is immutable once a tensor has been built from it, except through
/// `Tensor`'s mutating API, which copies first unless the storage is uniquely
/// referenced (copy-on-write) and bumps `version` after every change in
/// place. Buffers come from the current execution context's `BufferPool`
/// and go back to the same pool, so a training step that allocates the same
/// sizes every iteration does not churn the system allocator.
@usableFromInline
final class TensorStorage: @unchecked Sendable {
    /// Start of the buffer; valid for `count` elements.
    @usableFromInline let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    @usableFromInline let count: Int
    /// The pool the buffer came from and goes back to.
    private let pool: BufferPool
    /// Changes in place so far: caches of values derived from this buffer
    /// (transformed convolution weights) are valid while it is unchanged.
    @usableFromInline private(set) var version = 0

    /// A buffer of `count` elements with unspecified contents.
    @usableFromInline
    init(uninitializedCount count: Int) {
        self.count = count
        pool = ExecutionContext.current.buffers
        self.pointer = pool.take(count: count)
    }

    /// Records a change of the contents in place (every writer of an
    /// existing tensor's buffer calls it after writing).
    @usableFromInline func contentsChanged() { version &+= 1 }

    /// A buffer of `count` elements, every one `value`.
    @usableFromInline
    convenience init(count: Int, repeating value: Float) {
        self.init(uninitializedCount: count)
        pointer.update(repeating: value, count: count)
    }

    /// A buffer holding a copy of `values`.
    convenience init(_ values: [Float]) {
        self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    /// A new buffer with the same contents.
    func copy() -> TensorStorage {
        let result = TensorStorage(uninitializedCount: count)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    @usableFromInline var buffer: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    deinit { pool.give(pointer, count: count) }
}

/// A bounded cache of freed float buffers, keyed by exact element count.
///
/// Training steps allocate the same shapes every iteration; recycling those
/// buffers avoids page faults from `malloc`/`free` of multi-megabyte blocks.
/// Small buffers bypass the pool (the allocator handles them well).
final class BufferPool: Sendable {
    /// Buffers smaller than this many elements are not pooled.
    private static let minimumPooledCount = 4096

    private struct State {
        // Addresses rather than pointers: plain integers are Sendable.
        var free: [Int: [UInt]] = [:]
        var bytesHeld = 0
    }

    private let state: Mutex<State>
    private let capacityBytes: Int

    init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
        self.state = Mutex(State())
    }

    func take(count: Int) -> UnsafeMutablePointer<Float> {
        let allocationCount = max(count, 1)
        if allocationCount >= Self.minimumPooledCount {
            let reused: UInt? = state.withLock { state in
                guard var list = state.free[allocationCount], let address = list.popLast() else { return nil }
                state.free[allocationCount] = list.isEmpty ? nil : list
                state.bytesHeld -= allocationCount * MemoryLayout<Float>.stride
                return address
            }
            if let reused, let pointer = UnsafeMutablePointer<Float>(bitPattern: reused) { return pointer }
        }
        // Pooled sizes start on a 64-byte line: whole AVX-512 vectors, and the
        // GEMM kernel's non-temporal stores need it.
        if allocationCount >= Self.minimumPooledCount {
            return UnsafeMutableRawPointer.allocate(byteCount: allocationCount * MemoryLayout<Float>.stride, alignment: 64)
                .bindMemory(to: Float.self, capacity: allocationCount)
        }
        return UnsafeMutablePointer<Float>.allocate(capacity: allocationCount)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let allocationCount = max(count, 1)
        let bytes = allocationCount * MemoryLayout<Float>.stride
        if allocationCount >= Self.minimumPooledCount {
            let address = UInt(bitPattern: pointer)
            let kept = state.withLock { state -> Bool in
                guard state.bytesHeld + bytes <= capacityBytes else { return false }
                state.free[allocationCount, default: []].append(address)
                state.bytesHeld += bytes
                return true
            }
            if kept { return }
        }
        pointer.deallocate()
    }

    /// Bytes of free buffers kept for reuse.
    var heldBytes: Int { state.withLock { $0.bytesHeld } }

    /// Frees every cached buffer.
    func drain() {
        let addresses = state.withLock { state -> [UInt] in
            let all = state.free.values.flatMap { $0 }
            state.free = [:]
            state.bytesHeld = 0
            return all
        }
        for address in addresses { UnsafeMutablePointer<Float>(bitPattern: address)?.deallocate() }
    }
}
