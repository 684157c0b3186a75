// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "forllm",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "forllm", targets: ["FORLLMCLI"]),
        .executable(name: "forllm-bench", targets: ["FORLLMBench"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        // TLS: NNTPS, STARTTLS (NNTP, SMTP) and `forllm tls self-signed`; swift-asn1 for the
        // PEM form of the certificate it writes.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // swift-configuration's YAML provider refuses arrays of mappings, which the `backends:`
        // list of conf/forllm.yaml is; FORLLMApp reads the file with Yams (already in the graph
        // through swift-configuration's YAML trait) and hands the values to a ConfigReader.
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0")
    ],
    targets: [
        // The article format (RFC 5322/5536/5537, RFC 2047): values, no I/O.
        .target(name: "NewsArticle"),

        // Mail as values: mbox reading and writing (mboxrd), mail to article, address routing.
        .target(
            name: "MailFormat",
            dependencies: [
                "NewsArticle",
                // SHA-256 for the Message-ID of a message that has none.
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),

        // NNTP (RFC 3977) values, parsers and encoders.
        .target(
            name: "NNTPCore",
            dependencies: [
                // Only for CivilDate, the one calendar of the project (DATE, NEWGROUPS, NEWNEWS).
                "NewsArticle",
                .product(name: "NIOCore", package: "swift-nio")
            ]
        ),

        // What a line-based server (NNTP, SMTP) needs besides its protocol: line framing with its
        // limits as values, the idle timer, the connection cap and the listening service with
        // graceful shutdown.
        .target(
            name: "LineServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // Implicit TLS and STARTTLS on a connection.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),

        // The NNTP session state machine and its commands, on LineServer.
        .target(
            name: "NNTPServer",
            dependencies: [
                "LineServer",
                "NNTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),

        // SMTP (RFC 5321) values: commands, paths, replies, their parser and encoders.
        .target(
            name: "SMTPCore",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio")
            ]
        ),

        // The SMTP submission receiver: DATA, the session state machine and its commands, on
        // LineServer; delivery only through SMTPBackend.
        .target(
            name: "SMTPServer",
            dependencies: [
                "LineServer",
                "SMTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),

        // SQLite: schema, migrations, records and the transactions that keep invariants.
        .target(
            name: "FORLLMStore",
            dependencies: [
                "NewsArticle",
                .product(name: "GRDB", package: "GRDB.swift")
            ]
        ),

        // The forum: the one front door for articles (every entry point injects through it) and
        // the one home of the forum's rules (requests, control messages, persona cards, notices).
        .target(
            name: "FORLLMForum",
            dependencies: [
                "FORLLMStore",
                "MailFormat",
                "NewsArticle",
                // scrypt for the users' passwords.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto")
            ]
        ),

        // Maildir (cr.yp.to/proto/maildir.html, Maildir++): delivery by the protocol, lookup and
        // removal by unique name. File I/O only, synchronous: its callers run it off the event loops.
        .target(name: "Maildir"),

        // The LLM worker: claims requests, calls the model over HTTP, posts answers.
        .target(
            name: "FORLLMWorker",
            dependencies: [
                "FORLLMForum",
                "FORLLMStore",
                "NewsArticle",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),

        // Composition root: configuration, the store as an NNTP backend, the service group.
        .target(
            name: "FORLLMApp",
            dependencies: [
                "LineServer",
                "MailFormat",
                "NewsArticle",
                "NNTPCore",
                "NNTPServer",
                "SMTPCore",
                "SMTPServer",
                "FORLLMForum",
                "FORLLMStore",
                "FORLLMWorker",
                "Maildir",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Yams", package: "Yams"),
                // server.tls: the certificate and key read at start-up; `forllm tls self-signed`.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto")
            ]
        ),

        // The `forllm` executable: argument parsing, then one call into FORLLMApp.
        .executableTarget(
            name: "FORLLMCLI",
            dependencies: [
                "FORLLMApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SystemPackage", package: "swift-system")
            ]
        ),

        // Load generator for scripts/bench: speaks NNTP to a running server and prints figures.
        .executableTarget(
            name: "FORLLMBench",
            dependencies: [
                // Only for `stream`: FORLLM's own LLM client, timed on a long answer.
                "FORLLMWorker",
                // Only for `search`: a database built through the forum, timed queries.
                "FORLLMForum",
                "FORLLMStore",
                // Only for `reference`: the house-style server runs on the loop as `forllm serve` does.
                "LineServer",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]
        ),

        // Loopback peers for the tests: LLM servers speaking Ollama's and OpenAI's wire formats,
        // and a line-based NNTP client. Never linked into the product.
        .target(
            name: "FORLLMTestSupport",
            dependencies: [
                // AcceptedConnections: the HTTP stubs close a connection accepted as they stop.
                "LineServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                // Only for TestingChannelPeer: a server's pipeline under test.
                .product(name: "NIOEmbedded", package: "swift-nio"),
                // Only for withRunningService: a server under test in a ServiceGroup.
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),

        .testTarget(name: "NewsArticleTests", dependencies: ["NewsArticle"]),
        .testTarget(name: "MailFormatTests", dependencies: ["MailFormat", "NewsArticle"]),
        .testTarget(name: "MaildirTests", dependencies: ["Maildir"]),
        .testTarget(
            name: "NNTPCoreTests",
            dependencies: [
                "NNTPCore",
                .product(name: "NIOCore", package: "swift-nio")
            ]
        ),
        .testTarget(
            name: "LineServerTests",
            dependencies: [
                "LineServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio")
            ]
        ),
        .testTarget(
            name: "NNTPServerTests",
            dependencies: [
                "FORLLMTestSupport",
                "LineServer",
                // Only for TLSUserEvent: the end of a TLS handshake, in the STARTTLS pipeline tests.
                .product(name: "NIOTLS", package: "swift-nio"),
                "NNTPServer",
                "NNTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),
        .testTarget(
            name: "SMTPCoreTests",
            dependencies: [
                "SMTPCore",
                .product(name: "NIOCore", package: "swift-nio")
            ]
        ),
        .testTarget(
            name: "SMTPServerTests",
            dependencies: [
                "FORLLMTestSupport",
                "LineServer",
                // Only for TLSUserEvent: the end of a TLS handshake, in the STARTTLS pipeline tests.
                .product(name: "NIOTLS", package: "swift-nio"),
                "SMTPServer",
                "SMTPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ]
        ),
        .testTarget(
            name: "FORLLMStoreTests",
            dependencies: [
                "FORLLMStore",
                "NewsArticle",
                .product(name: "GRDB", package: "GRDB.swift")
            ]
        ),
        .testTarget(
            name: "FORLLMForumTests",
            dependencies: [
                "FORLLMTestSupport",
                "FORLLMForum",
                "MailFormat",
                "FORLLMStore",
                "NewsArticle",
                .product(name: "GRDB", package: "GRDB.swift")
            ]
        ),
        .testTarget(
            name: "FORLLMWorkerTests",
            dependencies: [
                "FORLLMTestSupport",
                "FORLLMWorker",
                "FORLLMForum",
                "FORLLMStore",
                "NewsArticle",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
            ],
            // Real model outputs, for the repetition detector.
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "FORLLMAppTests",
            dependencies: [
                "FORLLMTestSupport",
                "FORLLMApp",
                "MailFormat",
                "FORLLMForum",
                "FORLLMStore",
                "FORLLMWorker",
                "Maildir",
                "NNTPServer",
                "SMTPServer",
                "NewsArticle",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
                // The certificate `forllm tls self-signed` writes, parsed back.
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1")
            ]
        )
    ]
)

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
