// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "upgrade-tui",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "upgrade-tui", targets: ["UpgradeTUI"]),
        .library(name: "UpgradeModel", targets: ["UpgradeModel"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CNcurses",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        .systemLibrary(name: "CHostLibc"),
        .target(
            name: "UpgradeModel",
            dependencies: [
                "CHostLibc",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .executableTarget(
            name: "UpgradeTUI",
            dependencies: [
                "UpgradeModel",
                "CNcurses",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["BuildInfo"]
        ),
        // `BuildInfo.version` for --version and status JSON, from scripts/version (see VERSION).
        .plugin(name: "BuildInfo", capability: .buildTool(), path: "Plugins/BuildInfo"),
        // Sandboxes, the fake rke2, the API emulator's launcher: shared by both test targets.
        .target(
            name: "TestSupport",
            dependencies: ["UpgradeModel", "CHostLibc"],
            path: "Tests/Support",
            exclude: ["fake-rke2", "emulator", "fixtures"],
            sources: ["Swift"]
        ),
        // The fast lane (`scripts/test --fast`): pure tests, no sandbox, process, emulator or terminal.
        .testTarget(
            name: "UnitTests",
            dependencies: ["UpgradeTUI", "UpgradeModel", "TestSupport"],
            exclude: ["__Golden__", "__Snapshots__"]
        ),
        .testTarget(
            name: "UpgradeModelTests",
            dependencies: ["UpgradeModel", "TestSupport"]
        ),
        .testTarget(
            name: "UpgradeTUITests",
            dependencies: ["UpgradeTUI", "UpgradeModel", "TestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
