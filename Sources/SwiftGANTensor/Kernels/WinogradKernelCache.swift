import Synchronization

/// Transformed kernels `U [25, O, 4C]` of the last few weights, reused while
/// a weight is unchanged. One cache belongs to each execution context's
/// pools (`ExecutionContext.winogradKernels`).
///
/// A training step uses each convolution's weight several times between
/// optimizer updates (G's layers in the D step and again in the G step,
/// forward and backward), and `U` is 6.25 times the weight's size: building
/// it each time cost about 4% of a DCGAN step. An entry is found by the
/// weight's storage (held weakly) and that storage's version, which every
/// change in place bumps (`TensorStorage.contentsChanged`), so an optimizer
/// update can never leave a stale entry in use, and a hit costs no
/// comparison of values.
final class WinogradKernelCache: Sendable {
    /// Entries kept; a GAN has a handful of such layers.
    static let capacity = 6

    private final class Entry: @unchecked Sendable {
        weak var weight: TensorStorage?
        let version: Int
        let outChannels: Int, channels: Int
        let kernels: TensorStorage

        init(weight: TensorStorage, outChannels: Int, channels: Int, kernels: TensorStorage) {
            self.weight = weight
            version = weight.version
            self.outChannels = outChannels
            self.channels = channels
            self.kernels = kernels
        }
    }

    private let entries = Mutex<[Entry]>([])

    /// The transformed kernels of `weight [O, C, 4, 4]`, from the cache or
    /// built by `build` (and then cached, evicting the oldest entry).
    func kernels(for weight: TensorStorage, _ plan: WinogradPlan, build: () -> TensorStorage) -> TensorStorage {
        let found: TensorStorage? = entries.withLock { entries in
            entries.removeAll { $0.weight == nil }
            guard
                let index = entries.firstIndex(where: {
                    $0.weight === weight && $0.version == weight.version
                        && $0.outChannels == plan.outChannels && $0.channels == plan.channels
                })
            else { return nil }
            let entry = entries.remove(at: index)
            entries.append(entry)
            return entry.kernels
        }
        if let found { return found }
        let kernels = build()
        let entry = Entry(weight: weight, outChannels: plan.outChannels, channels: plan.channels, kernels: kernels)
        entries.withLock { entries in
            entries.removeAll { $0.weight === weight }
            if entries.count >= Self.capacity { entries.removeFirst() }
            entries.append(entry)
        }
        return kernels
    }

    /// The number of entries held (tests).
    var count: Int { entries.withLock { $0.count } }

    /// Drops every entry (freeing memory).
    func removeAll() { entries.withLock { $0.removeAll() } }
}
