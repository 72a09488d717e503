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
    /// | `SWIFTGAN_THREADS` | a positive thread count | the online cores |
    /// | `SWIFTGAN_GEMM` | `native`, `openblas` | `native` (OpenBLAS without AVX-512) |
    /// | `SWIFTGAN_WINOGRAD` | `0` turns Winograd off | on |
    /// | `SWIFTGAN_POOL` | `0` uses Dispatch instead of the worker pool | on |
    /// | `SWIFTGAN_FUSED` | `0` turns every first-order shortcut off (`FusedGradient`) | on |
    ///
    /// The root is never changed after it is made; code that wants other
    /// settings runs in a scope of its own.
    public static let root: ExecutionContext = {
        let variables = EnvironmentSettings()
        return ExecutionContext(
            threads: variables.threads, gemm: variables.gemm, allowsWinograd: variables.allowsWinograd,
            usesWorkerPool: variables.usesWorkerPool, fusedGradients: variables.fusedGradients)
    }()
}

/// The engine's environment variables, read once for the root context.
struct EnvironmentSettings {
    var threads = Swift.max(1, ProcessInfoCores.active)
    var gemm = GEMMBackend.native
    var allowsWinograd = true
    var usesWorkerPool = true
    var fusedGradients = Set(FusedGradient.allCases)

    init(_ value: (String) -> String? = EnvironmentSettings.variable) {
        if let text = value("SWIFTGAN_THREADS"), let count = Int(text), count >= 1 { threads = count }
        if let text = value("SWIFTGAN_GEMM"), let backend = GEMMBackend(rawValue: text) { gemm = backend }
        if let text = value("SWIFTGAN_WINOGRAD") { allowsWinograd = text != "0" }
        if let text = value("SWIFTGAN_POOL") { usesWorkerPool = text != "0" }
        if value("SWIFTGAN_FUSED") == "0" { fusedGradients = [] }
    }

    static func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
