// swift-tools-version:5.9
// Copied next to SigwireFFI.xcframework by sdk-swift/build-xcframework.sh.
import PackageDescription

let package = Package(
    name: "Sigwire",
    platforms: [.iOS(.v13), .macOS(.v10_15)],
    products: [
        .library(name: "Sigwire", targets: ["Sigwire"]),
    ],
    targets: [
        // The Rust core with its C header and module map (module `SigwireFFI`).
        .binaryTarget(name: "SigwireFFI", path: "SigwireFFI.xcframework"),
        // The generated UniFFI bindings (Sigwire.swift) and the idiomatic layer.
        .target(name: "Sigwire", dependencies: ["SigwireFFI"], path: "Sources/Sigwire"),
    ]
)
