// swift-tools-version: 6.2
import PackageDescription

/// Settings every target shares: explicit imports and no implicit existentials,
/// as in hummingbird and swift-configuration.
let strictSettings: [SwiftSetting] = [
  .enableUpcomingFeature("ExistentialAny"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
  name: "pyindex",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "pyindex", targets: ["pyindex"]),
    .executable(name: "pyindex-fixture", targets: ["pyindex-fixture"]),
    .library(name: "PyIndexModel", targets: ["PyIndexModel"]),
    .library(name: "PyIndexClient", targets: ["PyIndexClient"]),
    .library(name: "PyIndexFixtures", targets: ["PyIndexFixtures"]),
  ],
  dependencies: [
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
    .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CLibXML2", pkgConfig: "libxml-2.0",
      providers: [.apt(["libxml2-dev", "pkg-config"]), .brew(["libxml2"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
    .target(name: "PyIndexModel", swiftSettings: strictSettings),
    // The platform's C library, named in one file (LibC.swift) and re-exported.
    .target(name: "PyIndexSystem", swiftSettings: strictSettings),
    .target(name: "PyIndexParsing", dependencies: ["PyIndexModel", "PyIndexSystem", "CLibXML2"], swiftSettings: strictSettings),
    .target(name: "PyIndexAuth", dependencies: ["PyIndexModel", "PyIndexSystem"], swiftSettings: strictSettings),
    .target(name: "PyIndexResolver", dependencies: ["PyIndexModel"], swiftSettings: strictSettings),
    // Credentials minted from the machine's identity (a CI job's token, a cloud role).
    .target(
      name: "PyIndexMint",
      dependencies: [
        "PyIndexModel", "PyIndexAuth", "PyIndexParsing", .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"), .product(name: "SwiftASN1", package: "swift-asn1"),
      ],
      swiftSettings: strictSettings),
    // pip's and uv's configuration files and variables, and where each setting came from.
    .target(
      name: "PyIndexConfig", dependencies: ["PyIndexModel", .product(name: "TOMLKit", package: "TOMLKit")],
      swiftSettings: strictSettings),
    .target(
      name: "PyIndexTransport",
      dependencies: [
        "PyIndexModel", "PyIndexAuth", "PyIndexSystem",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "NIOTLS", package: "swift-nio"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "SwiftASN1", package: "swift-asn1"),
        .product(name: "Logging", package: "swift-log"),
      ], swiftSettings: strictSettings),
    .target(
      name: "PyIndexClient",
      dependencies: [
        "PyIndexModel", "PyIndexParsing", "PyIndexAuth", "PyIndexTransport", "PyIndexConfig", "PyIndexResolver", "PyIndexMint", "PyIndexSystem", "CZlib",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
      ], swiftSettings: strictSettings),
    // download --layout index: DEST written as a static index.
    .target(
      name: "PyIndexWheelhouse",
      dependencies: [
        "PyIndexClient", "PyIndexModel", "PyIndexParsing", "PyIndexSystem", .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "TOMLKit", package: "TOMLKit"),
      ],
      swiftSettings: strictSettings),
    .target(
      name: "PyIndexCLI",
      dependencies: [
        "PyIndexClient", "PyIndexWheelhouse", "PyIndexServe", "PyIndexConfig", "PyIndexFixtures", "PyIndexSystem",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ], swiftSettings: strictSettings),
    .executableTarget(
      name: "pyindex",
      dependencies: ["PyIndexCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
      swiftSettings: strictSettings),
    .target(
      name: "PyIndexFixtures",
      dependencies: [
        "PyIndexModel", "PyIndexSystem", "PyIndexMint", "CZlib",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "SwiftASN1", package: "swift-asn1"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ], swiftSettings: strictSettings),
    // The same program as `pyindex fixture`, under its own name (scripts and tests start it).
    .executableTarget(
      name: "pyindex-fixture",
      dependencies: [
        "PyIndexFixtures",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ], swiftSettings: strictSettings),
    .target(
      name: "PyIndexServe",
      dependencies: [
        "PyIndexClient", "PyIndexTransport", "PyIndexAuth", "PyIndexModel", "PyIndexParsing", "PyIndexSystem",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
      ], swiftSettings: strictSettings),
    .target(name: "PyIndexFuzzing", dependencies: ["PyIndexModel", "PyIndexParsing", "PyIndexAuth"], swiftSettings: strictSettings),
    // libFuzzer driver: `scripts/fuzz` builds it with -sanitize=fuzzer -D FUZZING.
    .executableTarget(name: "pyindex-fuzz", dependencies: ["PyIndexFuzzing"], swiftSettings: strictSettings),
    .testTarget(name: "PyIndexFuzzingTests", dependencies: ["PyIndexFuzzing"], swiftSettings: strictSettings),
    .testTarget(name: "PyIndexModelTests", dependencies: ["PyIndexModel"], swiftSettings: strictSettings),
    .testTarget(name: "PyIndexResolverTests", dependencies: ["PyIndexResolver", "PyIndexModel"], swiftSettings: strictSettings),
    .testTarget(name: "PyIndexParsingTests", dependencies: ["PyIndexParsing"], swiftSettings: strictSettings),
    .testTarget(name: "PyIndexConfigTests", dependencies: ["PyIndexConfig", "PyIndexModel"], swiftSettings: strictSettings),
    .testTarget(name: "PyIndexAuthTests", dependencies: ["PyIndexAuth"], swiftSettings: strictSettings),
    .testTarget(
      name: "PyIndexMintTests", dependencies: ["PyIndexMint", "PyIndexAuth", "PyIndexModel", "PyIndexParsing", "PyIndexTransport", "PyIndexFixtures"], exclude: ["aws4_testsuite"],
      swiftSettings: strictSettings),
    .testTarget(name: "PyIndexTransportTests", dependencies: ["PyIndexTransport", "PyIndexAuth"], swiftSettings: strictSettings),
    // In process: the client's and serve's logic against loopback servers (and, where a
    // loopback server cannot stand in, a transport scripted through the HTTPTransport seam).
    .testTarget(
      name: "PyIndexClientTests",
      dependencies: ["PyIndexClient", "PyIndexFixtures", "PyIndexModel", "PyIndexAuth", "PyIndexTransport", "PyIndexParsing"],
      swiftSettings: strictSettings),
    .testTarget(
      name: "PyIndexServeTests",
      dependencies: [
        "PyIndexServe", "PyIndexClient", "PyIndexFixtures", "PyIndexModel", "PyIndexAuth", "PyIndexTransport",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: strictSettings),
    // In process: the command line parsed into its commands, their help and the documentation
    // that describes them (no process started).
    .testTarget(
      name: "PyIndexCLITests",
      dependencies: [
        "PyIndexCLI", "PyIndexModel", "PyIndexConfig", "PyIndexClient", "PyIndexAuth", "PyIndexTransport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: strictSettings),
    .testTarget(
      name: "PyIndexEndToEndTests",
      dependencies: ["PyIndexFixtures", "PyIndexModel"],
      swiftSettings: strictSettings),
  ]
)
