// swift-tools-version: 6.0
//
// zkmargin: prove that a trading account meets a venue's maintenance margin
// without revealing its holdings. See README.md and Circuits/README.md.
import PackageDescription

/// Every module's imports are internal unless written `public import`, and a
/// member is visible only in files that import its module: a C type (from
/// CLibCrypto or CGMP) in a public API, or C used by a module that does not
/// link it, is a compile error.
let strictImports: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "zkmargin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "zkmargin", targets: ["zkmargin"]),
        .executable(name: "zkmargin-verify", targets: ["zkmargin-verify"]),
        .library(name: "StrictJSON", targets: ["StrictJSON"]),
        .library(name: "ZKGroup", targets: ["ZKGroup"]),
        .library(name: "ZKProofs", targets: ["ZKProofs"]),
        .library(name: "MarginCircuits", targets: ["MarginCircuits"]),
        .library(name: "Solvency", targets: ["Solvency"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries: linked, never vendored.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CGMP",
            pkgConfig: "gmp",
            providers: [.apt(["libgmp-dev"]), .brew(["gmp"])]
        ),

        // Libraries. Dependencies point one way:
        // ZKGroup <- ZKProofs <- Solvency -> MarginCircuits -> StrictJSON.
        // StrictJSON (the strict JSON reader and writer, and the rules for
        // text from untrusted files) is a leaf: Foundation only.
        .target(name: "StrictJSON", swiftSettings: strictImports),
        .target(name: "ZKGroup", dependencies: ["CLibCrypto", "CGMP"], swiftSettings: strictImports),
        .target(name: "ZKProofs", dependencies: ["ZKGroup"], exclude: ["BulletproofsPlus.md"], swiftSettings: strictImports),
        .target(name: "MarginCircuits", dependencies: ["StrictJSON", "CGMP"], swiftSettings: strictImports),
        .target(name: "Solvency", dependencies: ["StrictJSON", "ZKProofs", "ZKGroup", "MarginCircuits"], swiftSettings: strictImports),

        // What the two CLIs share (not a product): exit statuses, printing
        // errors, the repeated options, the flags that remedy library errors.
        .target(
            name: "ZKMarginCLI",
            dependencies: [
                "Solvency", "ZKGroup", "StrictJSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictImports
        ),

        // Importers: a venue's published files → risk values, exactly.
        .target(name: "VenueImport", dependencies: ["MarginCircuits", "StrictJSON"], swiftSettings: strictImports),

        // Not shipped. ZKTestSupport: what the tests and the hardening tools
        // share (SeededRandom, the repository locator, vector readers, the
        // renderings secret scans search). ZKBenchmarks: the measurements
        // behind `zkmargin bench`. No library above may depend on either
        // (LayoutTests checks the sources).
        .target(name: "ZKTestSupport", dependencies: ["ZKGroup", "MarginCircuits", "StrictJSON"], swiftSettings: strictImports),
        .target(name: "ZKBenchmarks", dependencies: ["Solvency", "MarginCircuits", "ZKProofs", "ZKGroup", "ZKTestSupport"], swiftSettings: strictImports),

        // Executables: argument parsing and printing only.
        .executableTarget(
            name: "zkmargin",
            dependencies: [
                "ZKMarginCLI", "Solvency", "ZKProofs", "ZKGroup", "MarginCircuits", "StrictJSON", "ZKBenchmarks", "VenueImport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictImports
        ),
        .executableTarget(
            name: "zkmargin-verify",
            dependencies: [
                "ZKMarginCLI", "Solvency", "MarginCircuits",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictImports
        ),

        // Hardening (issue 6): fuzz targets and the tamper harness. Not shipped
        // as products; `scripts/fuzz.sh` and `scripts/tamper.sh` build them.
        .target(name: "ZKHardening", dependencies: ["Solvency", "ZKProofs", "ZKGroup", "MarginCircuits", "StrictJSON", "ZKTestSupport"], swiftSettings: strictImports),
        // Built with `--sanitize=fuzzer -DZKMARGIN_LIBFUZZER` it is a libFuzzer
        // binary; otherwise it replays inputs through the same targets.
        .executableTarget(name: "zkmargin-fuzz", dependencies: ["ZKHardening"], swiftSettings: strictImports),
        .executableTarget(
            name: "zkmargin-tamper",
            dependencies: ["ZKHardening", "ZKTestSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strictImports
        ),

        // The dynamic constant-time check (not shipped): `scripts/ctcheck.sh`
        // builds it in release and runs it under valgrind's memcheck.
        .executableTarget(
            name: "zkmargin-ctcheck",
            dependencies: ["Solvency", "ZKProofs", "ZKGroup", "MarginCircuits"],
            swiftSettings: strictImports
        ),

        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON", "ZKTestSupport"]),
        .testTarget(name: "ZKGroupTests", dependencies: ["ZKGroup", "ZKTestSupport"]),
        .testTarget(name: "ZKProofsTests", dependencies: ["ZKProofs", "ZKGroup", "ZKTestSupport"]),
        .testTarget(name: "MarginCircuitsTests", dependencies: ["MarginCircuits", "StrictJSON", "ZKTestSupport"]),
        .testTarget(name: "SolvencyTests", dependencies: ["Solvency", "ZKProofs", "ZKGroup", "MarginCircuits", "StrictJSON", "ZKTestSupport", "ZKMarginCLI", "VenueImport"]),
        .testTarget(name: "ZKHardeningTests", dependencies: ["ZKHardening", "Solvency", "ZKProofs", "ZKGroup", "MarginCircuits", "StrictJSON", "ZKTestSupport"]),
    ]
)
