// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Lifeline",
    // Linux only: the code calls Glibc directly, and Linux is what is built and tested. SwiftPM
    // lists only Apple platforms here, so declaring none claims nothing that cannot compile.
    products: [
        .executable(name: "lifeline", targets: ["lifeline"]),
        .library(name: "LifelineService", targets: ["LifelineService"]),
        .library(name: "LifelineStore", targets: ["LifelineStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The HTTP service (`lifeline serve`). No traits: swift-configuration and full Foundation
        // are not needed, and each adds to a build that CI runs from scratch.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // The portal's and console's pages, rendered on the server from embedded templates.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The console's directory upload: multipart-kit's streaming parser (linear in the body,
        // one part at a time), so the file goes to a private spool file as it arrives.
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        // GET /metrics: swift-metrics (which Hummingbird already uses) exported by swift-prometheus.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The PostgreSQL engine (`--database postgres://…`): the wire protocol, SCRAM and TLS.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Under postgres-nio; named because the PostgreSQL engine builds its TLS settings (sslmode).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Already under Hummingbird; named because the server reads NIO's own errors and threads.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // The system libsqlite3, reached through a module map; shim.h wraps the variadic calls.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The system OpenLDAP client library, for `lifeline sync ldap`.
        .systemLibrary(
            name: "CLDAP",
            pkgConfig: "ldap",
            providers: [.apt(["libldap-dev"])]
        ),
        // Build-time tool: turns Migrations/*.sql and Data/*.tsv into Swift source, so the binary
        // carries them and works when copied alone.
        .executableTarget(name: "FileEmbedder"),
        .plugin(
            name: "EmbedFiles",
            capability: .buildTool(),
            dependencies: ["FileEmbedder"]
        ),
        // The domain's words (roles, states, statuses): the service owns them, the store maps
        // them to columns, and the server and the CLI read them without knowing the store.
        .target(name: "LifelineVocabulary"),
        .target(
            name: "LifelineStore",
            dependencies: [
                "CSQLite",
                "LifelineVocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["EmbedFiles"]
        ),
        // The PostgreSQL engine behind the store's SQLConnection: connections, the `?` to `$n`
        // rewrite, rows, errors. Apart from LifelineStore so the store stays free of NIO.
        .target(
            name: "LifelinePostgres",
            dependencies: [
                "LifelineStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            plugins: ["EmbedFiles"]
        ),
        .target(
            name: "LifelineService",
            dependencies: [
                "LifelineStore",
                // Where the database is decides the engine: DatabaseSettings opens either.
                "LifelinePostgres",
                "LifelineVocabulary",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                // The database handle is a Service the server runs, so its threads stop with it.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            plugins: ["EmbedFiles"]
        ),
        // The webhook gateway: signed HTTPS POSTs through AsyncHTTPClient, in-process.
        .target(
            name: "LifelineWebhook",
            dependencies: [
                "LifelineService",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                // NIOConnectionError: a connection that never opened sent nothing.
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // LDAP searches over libldap: StartTLS and LDAPS, binds, paged results (RFC 2696).
        .target(name: "LifelineLDAP", dependencies: ["CLDAP", "LifelineService"]),
        // HTTP over the service, as the CLI is: routes, API keys, problem+json, health; no SQL, no rule.
        .target(
            name: "LifelineServer",
            dependencies: [
                "LifelineService",
                "LifelineStore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The pages' templates, CSS and scripts: embedded by the plugin, not bundled resources,
            // so the binary still works copied alone.
            exclude: ["Web"],
            plugins: ["EmbedFiles"]
        ),
        .executableTarget(
            name: "lifeline",
            dependencies: [
                "LifelineService",
                "LifelineServer",
                "LifelineStore",
                "LifelineWebhook",
                "LifelineLDAP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Benchmark driver for scripts/bench: measures the wrapper against a C loop in the same run.
        .executableTarget(
            name: "lifeline-bench",
            dependencies: ["LifelineStore", "LifelineService"],
            path: "Sources/LifelineBench"
        ),
        // Helpers shared by the test targets (temporary folders, fixed clocks).
        .target(name: "LifelineTestSupport", dependencies: ["LifelineService", "LifelinePostgres"], path: "Tests/LifelineTestSupport"),
        .testTarget(name: "LifelineStoreTests", dependencies: ["LifelineStore", "LifelineVocabulary", "LifelineTestSupport"]),
        // The PostgreSQL engine, and the store's rules run on both engines against a real server.
        .testTarget(
            name: "LifelinePostgresTests",
            dependencies: ["LifelinePostgres", "LifelineService", "LifelineStore", "LifelineVocabulary", "LifelineTestSupport"]),
        .testTarget(
            name: "LifelineServiceTests",
            dependencies: [
                "LifelineService", "LifelineStore", "LifelineWebhook", "LifelineTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "LifelineServerTests",
            dependencies: [
                "LifelineServer", "LifelineService", "LifelineStore", "LifelineTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ]),
        .testTarget(
            name: "LifelineCLITests", dependencies: ["lifeline", "LifelineServer", "LifelineStore", "LifelineTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
