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
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Tensor", targets: ["Tensor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C shims (system libraries only)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        // MARK: - Compute: Tensor (storage, GEMM, im2col, numeric environment) <- NN (layers, loss, SGD, model)
        .target(name: "Tensor", dependencies: ["CBLAS"]),
        .target(name: "NN", dependencies: ["Tensor"]),
        .executableTarget(name: "batchlab-bench", dependencies: ["NN", "Tensor"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensor"], exclude: ["Fixtures"]),

        // MARK: - CLI
        .executableTarget(
            name: "batchlab",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
    ]
)
