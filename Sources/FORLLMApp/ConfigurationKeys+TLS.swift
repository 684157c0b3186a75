// The keys of TLS (`server.tls.*`, `server.tls_listen`), and the rule that ties them together.

extension ConfigurationKeys {
    /// `server.tls.certificate` (``settings`` lists the three after `server.idle_timeout_seconds`).
    static let tlsCertificate = ConfigurationKey<FORLLMConfiguration>(
        "server.tls.certificate",
        .file,
        \.tls.certificatePath,
        unset: "off",
        example: "/etc/forllm/forllm-cert.pem",
        help: "PEM certificate (chain first) for NNTPS and STARTTLS",
        details: [
            "With server.tls.key set too, the news port offers STARTTLS (RFC 4642) and so does the",
            "SMTP port (RFC 3207); `forllm tls self-signed --hostname HOST` makes a pair for a LAN."
        ]
    )

    /// `server.tls.key`.
    static let tlsKey = ConfigurationKey<FORLLMConfiguration>(
        "server.tls.key",
        .file,
        \.tls.keyPath,
        unset: "off",
        example: "/etc/forllm/forllm-key.pem",
        help: "PEM private key of the certificate; keep it mode 0600",
        details: ["Both files are read at start-up; a missing or invalid one stops `forllm serve`."]
    )

    /// `server.tls_listen`.
    static let tlsListen = ConfigurationKey<FORLLMConfiguration>(
        "server.tls_listen",
        type: "`HOST:PORT`",
        help: "NNTPS address (TLS from the first byte, RFC 8143); needs server.tls",
        details: [
            "563 is the standard port; ports below 1024 need root, so 1563 is a common choice."
        ],
        value: { configuration in
            configuration.tls.listenHost.map { host in
                "\(host.contains(":") ? "[\(host)]" : host):\(configuration.tls.listenPort)"
            }
        },
        unset: "off",
        example: "127.0.0.1:1563",
        apply: { configuration, input throws(ConfigurationError) in
            (configuration.tls.listenHost, configuration.tls.listenPort) = try FORLLMConfiguration.parseListen(
                input.text,
                key: input.key
            )
        }
    )
}

extension FORLLMConfiguration.TLS {
    /// Both files or neither; NNTPS only with them. The files themselves are read by
    /// `forllm serve` (``ServerTLS``), not here, so that the admin commands do not need them.
    func check() throws(ConfigurationError) {
        switch (self.certificatePath, self.keyPath) {
        case (.some, nil):
            throw ConfigurationError(
                key: "server.tls.key",
                problem: "server.tls.certificate is set but its private key is not: set both or neither"
            )
        case (nil, .some):
            throw ConfigurationError(
                key: "server.tls.certificate",
                problem: "server.tls.key is set but the certificate is not: set both or neither"
            )
        case (.some, .some), (nil, nil):
            break
        }
        if self.listenHost != nil, !self.isEnabled {
            throw ConfigurationError(
                key: "server.tls_listen",
                problem: "NNTPS needs a certificate: set server.tls.certificate and server.tls.key "
                    + "(`forllm tls self-signed --hostname HOST` makes a pair)"
            )
        }
    }
}
