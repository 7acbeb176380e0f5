// swift-tools-version:6.0
import PackageDescription

/// Kernels are plain pointer loops that the compiler auto-vectorises; `haswell` (AVX2 + FMA) is the
/// widest target every x86-64 machine of this project's kind supports (see the README).
let kernelFlags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release))]

let package = Package(
    name: "fsnn",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fsnn", targets: ["fsnn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        // Insecure.MD5 for the data files' published checksums; SHA-256 for string datasets.
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        // System libraries from Debian's -dev packages; headers and libraries are on the default
        // paths, so a plain `swift build` needs no flags.
        .systemLibrary(name: "CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "Tensor", dependencies: ["CBLAS"], swiftSettings: kernelFlags),
        .target(name: "Layers", dependencies: ["Tensor"], swiftSettings: kernelFlags),
        .target(name: "FSNN", dependencies: ["Tensor", "Layers", "Datasets"], swiftSettings: kernelFlags),
        .target(
            name: "Datasets",
            dependencies: ["Tensor", "CZlib", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: kernelFlags),
        // A typed binding over libhdf5 that knows no fsnn type; Harness puts tensors and runs into it.
        // SHA-256 from swift-crypto: the digest of string datasets, whose text HDF5 does not checksum.
        .target(name: "HDF5", dependencies: ["CHDF5", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "Harness",
            dependencies: ["Tensor", "Layers", "FSNN", "Datasets", "HDF5", .product(name: "Yams", package: "Yams")],
            swiftSettings: kernelFlags),
        .executableTarget(
            name: "fsnn",
            dependencies: ["Harness",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Oracles and fixtures that several test targets share: Float64 references, central
        // differences, relative errors, dense solves, temporary directories.
        .target(name: "TestSupport", dependencies: ["Tensor"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "LayersTests", dependencies: ["Tensor", "Layers", "TestSupport"]),
        .testTarget(name: "FSNNTests", dependencies: ["Tensor", "Layers", "FSNN", "TestSupport"]),
        .testTarget(
            name: "DatasetsTests",
            dependencies: ["Tensor", "Datasets", "CZlib", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "CHDF5", "TestSupport"]),
        .testTarget(name: "HarnessTests", dependencies: ["Harness", "HDF5", "TestSupport"], exclude: ["Fixtures"]),
    ]
)
