// swift-tools-version:6.0
// SwiftGAN: generative adversarial networks in Swift on Linux.
//
// Targets are layered; dependencies point down only:
//   CBLAS (OpenBLAS shim), CKernels (AVX-512 GEMM, vector tanh, Adam, dropout masks)
//   -> SwiftGANTensor (tensor, autodiff, execution context, file errors)
//   -> SwiftGANNN (layers, losses, optimizers, checkpoints) and SwiftGANData (datasets, images, loader; on CZlib, CPNG, CJPEG)
//   -> SwiftGANMetrics (feature classifier, FID, KID, ...; LAPACK through CBLAS)
//   -> SwiftGANTraining (models, objectives, the training step, the trainer, data parallelism)
//   -> SwiftGANMPI (the MPI communicator; libmpi loaded at run time) and SwiftGANDashboard (reading runs,
//      charts, reports, the 2-D lab) -> SwiftGANServer (the web dashboard on Hummingbird) -> gan (CLI)
import PackageDescription

/// Whether this package is being built as a dependency of another package
/// (SwiftPM checks dependencies out under `.../checkouts/`; Xcode under
/// `SourcePackages/checkouts/`).
///
/// SwiftPM refuses `unsafeFlags` in a versioned dependency, so there the
/// two below are left out: the consumer's configuration decides (a release
/// build optimises everything anyway). `Scripts/check_dependency_use.sh`
/// builds SwiftGAN as a tagged git dependency of a scratch package.
let isDependency = Context.packageDirectory.contains("/checkouts/")

/// The numeric libraries are optimised in debug builds too: `swift test`
/// trains real (small) GANs, and unoptimised float loops run 10-100x slower.
/// Preconditions stay on at -O (only -Ounchecked removes them).
let optimizedInDebug: [SwiftSetting] = isDependency ? [] : [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// SwiftGAN's C kernels at -O3 in every configuration (intrinsics at -O0 keep
/// every accumulator in memory).
let optimizedC: [CSetting] = isDependency ? [] : [.unsafeFlags(["-O3"])]

let package = Package(
    name: "SwiftGAN",
    products: [
        .library(name: "SwiftGANTensor", targets: ["SwiftGANTensor"]),
        .library(name: "SwiftGANNN", targets: ["SwiftGANNN"]),
        .library(name: "SwiftGANData", targets: ["SwiftGANData"]),
        .library(name: "SwiftGANMetrics", targets: ["SwiftGANMetrics"]),
        .library(name: "SwiftGANTraining", targets: ["SwiftGANTraining"]),
        .library(name: "SwiftGANMPI", targets: ["SwiftGANMPI"]),
        .library(name: "SwiftGANDashboard", targets: ["SwiftGANDashboard"]),
        .library(name: "SwiftGANServer", targets: ["SwiftGANServer"]),
        .executable(name: "gan", targets: ["gan"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0")
    ],
    targets: [
        // MARK: - C shims
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),

        // SwiftGAN's own C kernels (AVX-512 SGEMM, tanh through glibc's libmvec, looked up at run time,
        // Adam's update, dropout masks).
        .target(
            name: "CKernels",
            cSettings: optimizedC,
            linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("m")]
        ),

        // MPI loaded at run time (dlopen): no MPI needed to build or to run one process.
        .target(
            name: "CMPI",
            linkerSettings: [.linkedLibrary("dl")]
        ),

        .target(
            name: "CJPEG",
            linkerSettings: [.linkedLibrary("jpeg")]
        ),

        // MARK: - Tensor engine and autodiff
        .target(
            name: "SwiftGANTensor",
            dependencies: ["CBLAS", "CKernels"],
            swiftSettings: optimizedInDebug
        ),

        // MARK: - Neural networks: modules, layers, losses, optimizers, checkpoints
        .target(
            name: "SwiftGANNN",
            dependencies: ["SwiftGANTensor"],
            swiftSettings: optimizedInDebug
        ),

        // MARK: - Data: IDX, PNG folders, 2D mixtures, .npy, sample grids, loader
        .target(
            name: "SwiftGANData",
            dependencies: ["SwiftGANTensor", "CZlib", "CPNG", "CJPEG"],
            swiftSettings: optimizedInDebug
        ),

        // MARK: - Metrics: the feature classifier, FID, KID, classifier score, precision/recall
        .target(
            name: "SwiftGANMetrics",
            dependencies: ["CBLAS", "SwiftGANData", "SwiftGANNN", "SwiftGANTensor"],
            resources: [
                .copy("Resources/fashion-mnist-classifier.safetensors"), .copy("Resources/fashion-mnist-colorize-classifier.safetensors")
            ],
            swiftSettings: optimizedInDebug
        ),

        // MARK: - Training: GAN models, objectives, the trainer, logging
        .target(
            name: "SwiftGANTraining",
            dependencies: [
                "SwiftGANMetrics", "SwiftGANData", "SwiftGANNN", "SwiftGANTensor",
                // Config files in YAML (`gan train --config runs.yaml`).
                .product(name: "Yams", package: "Yams")
            ],
            swiftSettings: optimizedInDebug
        ),

        // MARK: - Data-parallel training over MPI (Communicator for SwiftGANTraining)
        .target(
            name: "SwiftGANMPI",
            dependencies: ["CMPI", "SwiftGANTraining"]
        ),

        // MARK: - Seeing runs: reading run directories, charts, reports, curve plots, the 2-D lab
        .target(
            name: "SwiftGANDashboard",
            dependencies: ["SwiftGANTraining", "SwiftGANData", "SwiftGANNN", "SwiftGANTensor"]
        ),

        // MARK: - The local web dashboard (Hummingbird): `gan serve`, `gan train --serve`, `gan lab`
        .target(
            name: "SwiftGANServer",
            dependencies: [
                "SwiftGANDashboard", "SwiftGANTraining", "SwiftGANTensor", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log")
            ],
            resources: [.copy("Resources/Site")]
        ),

        // MARK: - Command line
        .executableTarget(
            name: "gan",
            dependencies: [
                "SwiftGANMPI",
                "SwiftGANDashboard",
                "SwiftGANServer",
                "SwiftGANTensor",
                "SwiftGANNN",
                "SwiftGANData",
                "SwiftGANMetrics",
                "SwiftGANTraining",
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),

        // MARK: - Fuzzing: the file parsers under libFuzzer (Scripts/fuzz.sh), or replaying corpora
        .executableTarget(
            name: "gan-fuzz",
            dependencies: ["SwiftGANData", "SwiftGANNN", "SwiftGANTensor", "SwiftGANTraining"],
            path: "Fuzz",
            exclude: ["Corpus"]
        ),

        // MARK: - Examples
        .executableTarget(
            name: "simple-gan",
            dependencies: ["SwiftGANData", "SwiftGANNN", "SwiftGANTensor"],
            path: "Examples/SimpleGAN"
        ),

        // MARK: - Tests

        // What every test target shares: assertClose, temporary directories,
        // fixture paths, the execution-context trait.
        .target(
            name: "SwiftGANTestSupport",
            dependencies: ["SwiftGANTensor"],
            path: "Tests/SwiftGANTestSupport"
        ),
        .testTarget(
            name: "SwiftGANTensorTests",
            dependencies: ["SwiftGANTestSupport", "SwiftGANTensor"]
        ),
        .testTarget(
            name: "SwiftGANNNTests",
            dependencies: ["SwiftGANTestSupport", "SwiftGANNN", "SwiftGANTensor"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SwiftGANTrainingTests",
            dependencies: ["SwiftGANTestSupport", "SwiftGANTraining", "SwiftGANMetrics", "SwiftGANData", "SwiftGANNN", "SwiftGANTensor", "gan", "gan-fuzz"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SwiftGANMetricsTests",
            dependencies: ["SwiftGANTestSupport", "SwiftGANMetrics", "SwiftGANData", "SwiftGANNN", "SwiftGANTensor"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "SwiftGANDashboardTests",
            dependencies: [
                "SwiftGANTestSupport", "SwiftGANServer", "SwiftGANDashboard", "SwiftGANTraining", "SwiftGANData", "SwiftGANNN",
                "SwiftGANTensor", "gan"
            ]
        ),
        .testTarget(
            name: "SwiftGANDataTests",
            dependencies: ["SwiftGANTestSupport", "SwiftGANData", "SwiftGANNN", "SwiftGANTensor"],
            resources: [.copy("Fixtures")]
        )
    ]
)
