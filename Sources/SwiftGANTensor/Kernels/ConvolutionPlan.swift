/// How one convolution geometry is computed: the one place that chooses an
/// algorithm, for all three convolution products (forward, input gradient,
/// weight gradient). `ConvolutionKernels` runs the plan it is given.
///
/// To add an algorithm, add a case, decide here when it applies, and give
/// each product a branch; `ConvolutionTests` compares every case a plan can
/// take against the plain-loop oracle.
enum ConvolutionPlan {
    /// No output pixels or no samples: every product is zeros (or empty).
    case empty
    /// The kernel covers the whole unpadded input (1x1 output): one matrix
    /// product, no im2col.
    case matrixProduct
    /// Winograd F(4x4, 2x2) on the stride phases (stride-2, 4x4, padding-1
    /// layers with enough channels and output tiles), when the context allows it.
    case winograd(WinogradPlan)
    /// One matrix product per kernel tap on a padded copy of each sample
    /// (stride 1, large kernels whose im2col would not fit in cache).
    case shifted
    /// im2col, GEMM and col2im in blocks of samples.
    case im2col(SampleBlocks)

    /// The plan for `g` in `context` (by default the current one, whose
    /// thread count also shapes the blocks).
    init(_ g: ConvolutionGeometry, context: ExecutionContext = .current) {
        if g.batch == 0 || g.spatial == 0 {
            self = .empty
        } else if context.allowsWinograd, let plan = WinogradPlan(g, minimumTiles: context.winogradMinimumTiles) {
            self = .winograd(plan)
        } else if g.isFullKernel {
            self = .matrixProduct
        } else if ShiftedConvolution.suits(g) {
            self = .shifted
        } else {
            self = .im2col(SampleBlocks(g))
        }
    }

    /// The algorithm's name, for tests and summaries.
    var name: String {
        switch self {
        case .empty: "empty"
        case .matrixProduct: "matrix product"
        case .winograd: "winograd"
        case .shifted: "shifted"
        case .im2col: "im2col"
        }
    }
}
