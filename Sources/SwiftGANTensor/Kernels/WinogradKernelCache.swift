import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Transformed kernels `U [25, O, 4C]` of the last few weights, reused while
/// a weight's values are unchanged.
///
/// A training step uses each convolution's weight several times between
/// optimizer updates (G's layers in the D step and again in the G step,
/// forward and backward), and `U` is 6.25 times the weight's size: building
/// it each time cost about 4% of a DCGAN step. Entries are matched by the
/// weight's values (a byte comparison of a copy), not by identity, so an
/// in-place optimizer update can never leave a stale entry in use.
final class WinogradKernelCache: @unchecked Sendable {
    static let shared = WinogradKernelCache()
    /// Entries kept; a GAN has a handful of such layers.
    static let capacity = 6

    private struct Entry {
        let outChannels: Int, channels: Int
        let weight: TensorStorage
        let kernels: TensorStorage
    }

    private let entries = Mutex<[Entry]>([])

    /// The transformed kernels of `weight [O, C, 4, 4]`, from the cache or
    /// built by `build` (and then cached, evicting the oldest entry).
    func kernels(for weight: UnsafePointer<Float>, _ plan: WinogradPlan,
                 build: () -> TensorStorage) -> TensorStorage {
        let count = plan.outChannels * plan.channels * 16
        let found: TensorStorage? = entries.withLock { entries in
            guard let index = entries.firstIndex(where: {
                $0.outChannels == plan.outChannels && $0.channels == plan.channels
                    && memcmp($0.weight.pointer, weight, count * MemoryLayout<Float>.stride) == 0
            }) else { return nil }
            let entry = entries.remove(at: index)
            entries.append(entry)
            return entry.kernels
        }
        if let found { return found }
        let kernels = build()
        let copy = TensorStorage(uninitializedCount: count)
        copy.pointer.update(from: weight, count: count)
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeFirst() }
            entries.append(Entry(outChannels: plan.outChannels, channels: plan.channels, weight: copy, kernels: kernels))
        }
        return kernels
    }

    /// Drops every entry (tests; freeing memory).
    func removeAll() { entries.withLock { $0.removeAll() } }
}
