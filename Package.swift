// swift-tools-version:6.0
// BatchLab: a reproducible pipeline for the mini-batch-size study (see README.md).
// Modules point one way: C shims ← Tensor ← NN ← Landscape; Store ← Pipeline; Study, Report; batchlab (CLI).
import PackageDescription

let package = Package(
    name: "BatchLab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "batchlab", targets: ["batchlab"]),
        .executable(name: "datasets-bench", targets: ["datasets-bench"]),
        .executable(name: "datasets-tool", targets: ["datasets-tool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: - C shims (system libraries only)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CSTB", pkgConfig: "stb", providers: [.apt(["libstb-dev"])]),

        // MARK: - data
        .target(
            name: "Datasets",
            dependencies: ["CJPEG", "CSTB", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(name: "datasets-bench", dependencies: ["Datasets"]),
        .executableTarget(
            name: "datasets-tool",
            dependencies: ["Datasets", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CJPEG", "CSTB"]),

        // MARK: - CLI
        .executableTarget(
            name: "batchlab",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
    ]
)
