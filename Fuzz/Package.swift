// swift-tools-version:6.2
import PackageDescription

// libFuzzer targets for FORLLM's parsers. Built and run by scripts/fuzz, never by the root
// package's `swift build`/`swift test`:
//
//   swift build --package-path Fuzz -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// The three modules under test are the root package's own sources, reached through the
// symbolic links Sources/NewsArticle, Sources/NNTPCore and Sources/SMTPCore (the root package
// has no library products, and a package may not name sources outside its directory). They
// are compiled here with `-enable-testing`, so that the targets reach internal decoders
// (Charset, TransferDecoding) with `@testable import`.
let testable: [SwiftSetting] = [.unsafeFlags(["-enable-testing"])]

let package = Package(
    name: "forllm-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")
    ],
    targets: [
        .target(name: "NewsArticle", swiftSettings: testable),
        .target(
            name: "NNTPCore",
            dependencies: ["NewsArticle", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: testable
        ),
        .target(
            name: "SMTPCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: testable
        ),

        // What every fuzz target shares: the input as bytes, the property checks.
        .target(name: "FuzzSupport"),

        // One executable per fuzz target; scripts/fuzz names them in lower case
        // (FuzzNNTPCommand is `nntp-command`, its seeds are in Corpus/nntp-command).
        .executableTarget(
            name: "FuzzNNTPCommand",
            dependencies: ["FuzzSupport", "NNTPCore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .executableTarget(name: "FuzzArticle", dependencies: ["FuzzSupport", "NewsArticle"]),
        .executableTarget(name: "FuzzForumRequest", dependencies: ["FuzzSupport", "NewsArticle"]),
        .executableTarget(name: "FuzzMIME", dependencies: ["FuzzSupport", "NewsArticle"]),
        .executableTarget(
            name: "FuzzSMTPCommand",
            dependencies: ["FuzzSupport", "SMTPCore", .product(name: "NIOCore", package: "swift-nio")]
        )
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
