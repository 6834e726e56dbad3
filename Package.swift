// swift-tools-version:6.0
// BatchLab: a reproducible pipeline for the mini-batch-size study (see README.md).
// Modules point one way: C shims ← Tensor ← NN ← Landscape; Store ← Pipeline; Study, Report; batchlab (CLI).
import PackageDescription

let package = Package(
    name: "BatchLab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "batchlab", targets: ["batchlab"]),
        .executable(name: "batchlab-bench", targets: ["batchlab-bench"]),
        .executable(name: "datasets-bench", targets: ["datasets-bench"]),
        .executable(name: "datasets-tool", targets: ["datasets-tool"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Tensor", targets: ["Tensor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: - C shims (system libraries only)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CSTB", pkgConfig: "stb", providers: [.apt(["libstb-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // MARK: - Compute: Tensor (storage, GEMM, im2col, numeric environment) <- NN (layers, loss, SGD, model)
        // Hand-written AVX-512 GEMM micro-kernels for the conv layers (C, chosen at run time; see its header).
        .target(name: "Kernels"),
        .target(name: "Tensor", dependencies: ["CBLAS", "Kernels"]),
        .target(name: "NN", dependencies: ["Tensor"]),
        .executableTarget(name: "batchlab-bench", dependencies: ["NN", "Tensor", "Study"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor"], exclude: ["Fixtures"]),
        // Box-constrained optimisation (L-BFGS-B) for the sharpness stage; depends on nothing.
        .target(name: "Optim"),
        .testTarget(name: "OptimTests", dependencies: ["Optim", "Tensor"], resources: [.copy("Fixtures")]),

        // MARK: - Data
        .target(
            name: "Datasets",
            dependencies: ["CJPEG", "CSTB", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(name: "datasets-bench", dependencies: ["Datasets"]),
        .executableTarget(
            name: "datasets-tool",
            dependencies: ["Datasets", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CJPEG", "CSTB"], exclude: ["Fixtures"]),

        // MARK: - Storage
        .target(
            name: "Store",
            dependencies: [
                "CHDF5",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "StoreTests", dependencies: ["Store", "CHDF5"]),
        .executableTarget(name: "store-bench", dependencies: ["Store"]),

        // MARK: - Orchestration (pipeline files, stages, cache keys, planning, executor)
        .target(
            name: "Pipeline",
            dependencies: [
                "Store",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Store"], resources: [.copy("Fixtures")]),

        // MARK: - MPI: a thin communicator and the mpirun launcher (ranks of a stage)
        .target(name: "Distributed", dependencies: ["CMPI"]),
        // Runs every collective on the ranks mpirun starts (DistributedTests launches it).
        .executableTarget(name: "distributed-check", dependencies: ["Distributed"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed"]),

        // MARK: - Report building blocks (gnuplot rendering, TSV, palette, HTML); the study's figures are in Study
        .target(name: "Report"),

        // MARK: - The study's stages (generate, preprocess, split, train, analyses, distances, report)
        .target(name: "Study", dependencies: ["Pipeline", "Store", "NN", "Tensor", "Datasets", "Optim", "Distributed", "Report"]),
        .testTarget(name: "StudyTests", dependencies: ["Study", "Pipeline", "Store", "NN", "Datasets", "Tensor", "Optim", "Distributed", "Report"],
                    exclude: ["Fixtures"]),
        // Spec S7's rule on a real checkpoint: L-BFGS-B vs projected-gradient ascent (prints a table).
        .executableTarget(name: "sharpness-check", dependencies: ["Study"]),

        // MARK: - CLI
        .executableTarget(
            name: "batchlab",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser"), "Pipeline", "Study", "Tensor"]
        ),
        .testTarget(name: "CLITests"),
        // libFuzzer targets (pipeline loader, one-file import, store object) and their corpus replayer (make fuzz, make test).
        .executableTarget(name: "batchlab-fuzz", dependencies: ["Pipeline", "Study", "Datasets", "Store"]),
        // Times the batchlab binary on generated toy pipelines (make bench).
        .executableTarget(name: "pipeline-bench"),
    ]
)
