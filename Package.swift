// swift-tools-version:6.0
// BatchLab: a reproducible pipeline for the mini-batch-size study (see README.md).
//
// Modules (A --> B: A imports B). Dependencies point one way, down the page; nothing imports upwards.
//
//   batchlab (CLI) --> Study, Pipeline, PipelineToys (engine self-test kinds, only with BATCHLAB_TOY_STAGES=1), Tensor
//     Study (stage kinds) --> StudyReport, Training, Landscape, Curvature, Statistics, Pipeline
//                             (and Datasets, Distributed, Report, Store, NN, Tensor, Optim)
//       StudyReport (figures F1-F20, claims, page) --> Report, Training, Store, Statistics
//       Training (SGD loop, data-parallel gradient, checkpoints) --> NN, Datasets, Distributed, Store
//       Landscape (directions, grids, interpolation, sharpness) --> NN, Tensor, Optim
//       Curvature (exact HVPs, λ_max, trace, adaptive sharpness, reparametrisation) --> NN, Tensor
//     Pipeline (pipeline files, cache keys, planner, executor; no neural nets) --> Store
//   NN --> Tensor --> CBLAS, Kernels       Store --> CHDF5       Datasets --> CJPEG, CSTB
//   Tensor, Datasets, Store, Pipeline --> Primitives (the one SplitMix64, the one SHA-256 hex)
//   Distributed --> CMPI                   Report, Optim: no dependencies
//
//   Programs: batchlab-bench (every benchmark, one subcommand each) --> Landscape, NN, Tensor, Datasets, Store;
//   sharpness-check --> Study, Landscape; datasets-tool --> Datasets; distributed-check --> Distributed.
import PackageDescription

let package = Package(
    name: "BatchLab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "batchlab", targets: ["batchlab"]),
        .executable(name: "batchlab-bench", targets: ["batchlab-bench"]),
        .executable(name: "datasets-tool", targets: ["datasets-tool"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Tensor", targets: ["Tensor"]),
    ],
    // Exact versions: Package.resolved cannot be committed here (git ignores it), so these pins are what
    // makes a new clone build the same packages (the versions the local mirror holds).
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        // MARK: - C shims (system libraries only)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CSTB", pkgConfig: "stb", providers: [.apt(["libstb-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // MARK: - Test support: the one closeness check, the one CLI harness, the kill-and-resume test (tests only)
        .target(name: "TestSupport", dependencies: ["Primitives"]),

        // MARK: - Compute: Tensor (storage, GEMM, im2col, numeric environment) <- NN (layers, loss, SGD, model)
        // Hand-written AVX-512 and AVX2 GEMM micro-kernels for the conv layers (C, chosen at run time; see its header).
        .target(name: "Kernels"),
        // The one seeded generator (SplitMix64) and the one SHA-256-hex helper, shared by compute, data and storage.
        .target(name: "Primitives", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Tensor", dependencies: ["CBLAS", "Kernels", "Primitives"]),
        .target(name: "NN", dependencies: ["Tensor"]),
        .executableTarget(name: "batchlab-bench", dependencies: ["NN", "Tensor", "Landscape", "Kernels", "Datasets", "Store",
                                                                 .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor", "TestSupport"], exclude: ["Fixtures"]),
        // Box-constrained optimisation (L-BFGS-B) for the sharpness stage; depends on nothing.
        .target(name: "Optim"),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "Tensor", "TestSupport"], resources: [.copy("Fixtures")]),
        // Curvature at a point: Hessian-vector products, Lanczos λ_max and spectral density, Hutchinson's
        // trace, adaptive sharpness and the reparametrisation audit (issue 14, sections 2 and 3).
        .target(name: "Curvature", dependencies: ["NN", "Tensor"]),
        .testTarget(name: "CurvatureTests", dependencies: ["Curvature", "NN", "Tensor", "TestSupport"], exclude: ["Fixtures"]),
        // Intervals and trend tests behind the report's claims; depends on nothing.
        .target(name: "Statistics"),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "TestSupport"], resources: [.copy("Fixtures")]),

        // MARK: - Data
        .target(
            name: "Datasets",
            dependencies: ["CJPEG", "CSTB", "Primitives"]
        ),
        .executableTarget(
            name: "datasets-tool",
            dependencies: ["Datasets", "Primitives", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CJPEG", "CSTB", "Primitives"], exclude: ["Fixtures"]),

        // MARK: - Storage
        .target(
            name: "Store",
            dependencies: [
                "CHDF5",
                "Primitives",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "StoreTests", dependencies: ["Store", "CHDF5", "TestSupport"]),

        // MARK: - Orchestration (pipeline files, stages, cache keys, planning, executor)
        .target(
            name: "Pipeline",
            dependencies: [
                "Store",
                "Primitives",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The engine's self-test stage kinds (toy.*), for the Pipeline and CLI tests and `batchlab-bench pipeline` only.
        .target(name: "PipelineToys", dependencies: ["Pipeline", "Store"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "PipelineToys", "Store"], resources: [.copy("Fixtures")]),

        // MARK: - MPI: a thin communicator and the mpirun launcher (ranks of a stage)
        .target(name: "Distributed", dependencies: ["CMPI"]),
        // Runs every collective on the ranks mpirun starts (DistributedTests launches it).
        .executableTarget(name: "distributed-check", dependencies: ["Distributed"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed"]),

        // MARK: - Report building blocks (gnuplot rendering, TSV, palette, HTML); the study's figures are in StudyReport
        .target(name: "Report"),

        // MARK: - The study: training, landscape analyses, its report, and the stages that wire them to the pipeline
        // Landscape: directions, loss grids, 1-D interpolation, Keskar sharpness (compute only: no files, no stages).
        .target(name: "Landscape", dependencies: ["NN", "Tensor", "Optim"]),
        // Training: the SGD loop, the data-parallel gradient over MPI ranks, checkpoint and resume files.
        .target(name: "Training", dependencies: ["NN", "Tensor", "Datasets", "Distributed", "Store"]),
        // StudyReport: the study's figures F1–F17, its claims and its page, on Report's building blocks.
        .target(name: "StudyReport", dependencies: ["Report", "Store", "Training", "Statistics"]),
        // Study: the stage kinds (generate, preprocess, split, train, analyses, distances, report).
        .target(name: "Study", dependencies: ["Pipeline", "Store", "NN", "Tensor", "Datasets", "Optim", "Distributed", "Report",
                                              "Landscape", "Training", "StudyReport", "Curvature", "Statistics"]),
        .testTarget(name: "StudyTests", dependencies: ["Study", "Pipeline", "PipelineToys", "Store", "NN", "Datasets", "Tensor", "Optim",
                                                       "Distributed", "Report", "Landscape", "Training", "StudyReport", "Statistics", "TestSupport"],
                    exclude: ["Fixtures"]),
        // Spec S7's rule on a real checkpoint: L-BFGS-B vs projected-gradient ascent (prints a table).
        .executableTarget(name: "sharpness-check", dependencies: ["Landscape", "Study"]),

        // MARK: - CLI
        .executableTarget(
            name: "batchlab",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser"), "Pipeline", "PipelineToys", "Study", "Tensor"]
        ),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
        // libFuzzer targets (pipeline loader, one-file import, store object) and their corpus replayer (make fuzz, make test).
        .executableTarget(name: "batchlab-fuzz", dependencies: ["Pipeline", "PipelineToys", "Study", "Datasets", "Store"]),
    ]
)
