#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ExecutionContext {
    /// The context outside every `withExecutionContext` scope, seeded once
    /// from the environment (the only place SwiftGAN's engine reads it):
    ///
    /// | variable | values | default |
    /// | --- | --- | --- |
    /// | `SWIFTGAN_THREADS` | a positive thread count | the CPUs this process may use (`CPUBudget`: cores, affinity, cgroup quota) |
    /// | `SWIFTGAN_BACKEND` | `fast`, `reference` | `fast` |
    /// | `SWIFTGAN_GEMM` | `native`, `openblas` | `native` (OpenBLAS without AVX-512) |
    /// | `SWIFTGAN_WINOGRAD` | `0` turns Winograd off | on |
    /// | `SWIFTGAN_POOL` | `0` uses Dispatch instead of the worker pool | on |
    /// | `SWIFTGAN_FUSED` | `0` turns every first-order shortcut off (`FusedGradient`) | on |
    ///
    /// The root is never changed after it is made; code that wants other
    /// settings runs in a scope of its own.
    public static let root: ExecutionContext = {
        ExecutionContext(
            EnvironmentSettings().settings, workers: WorkerPool(processWide: true), buffers: BufferPool(capacityBytes: 512 << 20),
            winogradKernels: WinogradKernelCache(), multiplyAddCounter: nil)
    }()
}

/// The engine's environment variables, read once for the root context.
struct EnvironmentSettings {
    var settings = ExecutionContext.Settings(threads: CPUBudget.current.threads)

    init(_ value: (String) -> String? = EnvironmentSettings.variable) {
        if let text = value("SWIFTGAN_THREADS"), let count = Int(text), count >= 1 { settings.threads = count }
        if let text = value("SWIFTGAN_BACKEND"), let backend = ComputeBackend(rawValue: text) { settings.backend = backend }
        if let text = value("SWIFTGAN_GEMM"), let gemm = GEMMBackend(rawValue: text) { settings.gemm = gemm }
        if let text = value("SWIFTGAN_WINOGRAD") { settings.allowsWinograd = text != "0" }
        if let text = value("SWIFTGAN_POOL") { settings.usesWorkerPool = text != "0" }
        if value("SWIFTGAN_FUSED") == "0" { settings.fusedGradients = [] }
    }

    static func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
