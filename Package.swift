// swift-tools-version:6.0
import PackageDescription

let packageDirectory = String(#filePath.dropLast("Package.swift".count))

// The static Swift runtime links executables with -export-dynamic, which put all 33,000 of our
// and our dependencies' public symbols in the dynamic table. Nothing loads symbols from the
// executable, and that table slowed every start (the loader's symbol lookups and the runtime's
// dladdr scan it): the version script keeps it empty.
//
// Release builds (always made with --static-swift-stdlib: scripts/demo, scripts/bench) also link
// libstdc++ statically, through the linker script in Sources/lifeline/link: the loader binding
// the shared libstdc++'s symbols took 1.7 M of the 7.3 M instructions of an `optin status` run.
// Debug builds link the shared Swift runtime, which loads the shared libstdc++ itself.
//
// Release builds link with the toolchain's lld, which does two things that gold (the default)
// and GNU ld 2.40 do not both do. The loader applies 51,800 relative relocations at every start:
// packed (-z pack-relative-relocs, glibc 2.36 or later) their table is 10 KB instead of 1.2 MB.
// And --symbol-ordering-file puts the functions a short command runs together
// (Sources/lifeline/link/startup.order, from scripts/startup-order): `optin status` took 38 code
// page faults instead of 75. The Swift runtime's own code comes as one block and keeps its order.
let executableLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-Xlinker", "--version-script=\(packageDirectory)Sources/lifeline/lifeline.exports"], .when(platforms: [.linux])),
    .unsafeFlags(["-L\(packageDirectory)Sources/lifeline/link"], .when(platforms: [.linux], configuration: .release)),
    .unsafeFlags(
        [
            "-use-ld=lld",
            "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
            "-Xlinker", "--symbol-ordering-file=\(packageDirectory)Sources/lifeline/link/startup.order",
            "-Xlinker", "--no-warn-symbol-ordering",
        ],
        .when(platforms: [.linux], configuration: .release)
    ),
]

let package = Package(
    name: "Lifeline",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lifeline", targets: ["lifeline"]),
        .executable(name: "lifeline-webhook", targets: ["lifeline-webhook"]),
        .library(name: "LifelineService", targets: ["LifelineService"]),
        .library(name: "LifelineStore", targets: ["LifelineStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // The system libsqlite3, reached through a module map; shim.h wraps the variadic calls.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Build-time tool: turns Migrations/*.sql and Data/*.tsv into Swift source, so the binary
        // carries them and works when copied alone.
        .executableTarget(name: "FileEmbedder"),
        .plugin(
            name: "EmbedFiles",
            capability: .buildTool(),
            dependencies: ["FileEmbedder"]
        ),
        .target(
            name: "LifelineStore",
            dependencies: [
                "CSQLite",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["EmbedFiles"]
        ),
        .target(
            name: "LifelineService",
            dependencies: [
                "LifelineStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            plugins: ["EmbedFiles"]
        ),
        // The webhook gateway: signed HTTPS POSTs through AsyncHTTPClient.
        .target(
            name: "LifelineWebhook",
            dependencies: [
                "LifelineService",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "lifeline",
            dependencies: [
                "LifelineService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["lifeline.exports", "link"],
            linkerSettings: executableLinkerSettings
        ),
        // The webhook gateway as a helper process that `lifeline outbox dispatch` starts, so that
        // AsyncHTTPClient and SwiftNIO stay out of the `lifeline` binary every command starts.
        .executableTarget(
            name: "lifeline-webhook",
            dependencies: ["LifelineService", "LifelineWebhook"],
            path: "Sources/LifelineWebhookHelper"
        ),
        // Benchmark driver for scripts/bench: measures the wrapper against a C loop in the same run.
        .executableTarget(
            name: "lifeline-bench",
            dependencies: ["LifelineStore", "LifelineService"],
            path: "Sources/LifelineBench"
        ),
        // Helpers shared by the test targets (temporary folders, fixed clocks).
        .target(name: "LifelineTestSupport", path: "Tests/LifelineTestSupport"),
        .testTarget(name: "LifelineStoreTests", dependencies: ["LifelineStore", "LifelineTestSupport"]),
        .testTarget(
            name: "LifelineServiceTests", dependencies: ["LifelineService", "LifelineWebhook", "LifelineTestSupport"]),
        .testTarget(
            name: "LifelineCLITests", dependencies: ["lifeline", "lifeline-webhook", "LifelineStore", "LifelineTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
