// swift-tools-version:6.0
// BatchLab: a reproducible pipeline for the mini-batch-size study (see README.md).
// Modules point one way: C shims ← Tensor ← NN ← Landscape; Store ← Pipeline; Study, Report; batchlab (CLI).
import PackageDescription

let package = Package(
    name: "BatchLab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "batchlab", targets: ["batchlab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: - C shims (system libraries only)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        // MARK: - Orchestration (pipeline files, stages, cache keys, planning, executor)
        .target(
            name: "Pipeline",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline"], resources: [.copy("Fixtures")]),

        // MARK: - CLI
        .executableTarget(
            name: "batchlab",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser"), "Pipeline"]
        ),
    ]
)
