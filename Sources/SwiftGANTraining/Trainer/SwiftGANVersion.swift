import SwiftGANTensor

/// SwiftGAN's version (one place: `gan --version`, `run.json`), and what
/// this build computes with.
public enum SwiftGANVersion {
    /// The package's version.
    public static let current = "0.10.0"

    /// `gan --version`'s line: the version, the matrix-product kernel this
    /// CPU gets (SwiftGAN's AVX-512 kernel, or OpenBLAS where the CPU lacks
    /// AVX-512F/VL), and the default thread count.
    public static var description: String {
        let context = ExecutionContext.current
        let kernel = context.gemm == .native ? "SwiftGAN's AVX-512 GEMM kernel" : "OpenBLAS GEMM (no AVX-512 on this CPU)"
        let threads = context.threads == 1 ? "1 thread" : "\(context.threads) threads"
        return "SwiftGAN \(current) (\(kernel); \(threads) by default)"
    }
}
