import NNTPServer
import SMTPServer

// What `forllm serve` refuses to start with: a port reachable from the network where anyone
// on it could read, post, or read passwords on the wire.

extension FORLLMConfiguration {
    /// Why listening as configured is unsafe, naming the keys to set; `nil` when it is safe:
    /// every address is loopback, or readers must log in (`hasUsers`: users of `forllm user`,
    /// or `server.auth.user`) over TLS. The news port beyond loopback needs both logins and
    /// TLS (its passwords then wait for `STARTTLS`), the NNTPS port needs logins, and the SMTP
    /// receiver, which has no login, stays on loopback.
    public func exposureProblem(hasUsers: Bool) -> ConfigurationError? {
        let logins = hasUsers || self.auth.user != nil
        var missing: [String] = []
        var keys: [String] = []
        let users = "users (forllm user add NAME --from ADDRESS)"
        if !Self.isLoopbackHost(self.nntp.host), !logins || !self.tls.isEnabled {
            keys.append("server.listen")
            if !logins { missing.append(users) }
            if !self.tls.isEnabled { missing.append("TLS (server.tls.certificate and server.tls.key)") }
        }
        if let host = self.tls.listenHost, !Self.isLoopbackHost(host), !logins {
            keys.append("server.tls_listen")
            if !missing.contains(users) { missing.append(users) }
        }
        if let smtp = self.smtp, !Self.isLoopbackHost(smtp.host) {
            keys.append("mail.smtp_listen")
            missing.append("an SMTP address on loopback (the SMTP receiver has no login)")
        }
        guard !missing.isEmpty else { return nil }
        return ConfigurationError(
            key: keys.joined(separator: ", "),
            problem: "listens beyond loopback without \(missing.joined(separator: " and ")); "
                + "set them, listen on 127.0.0.1, or set server.allow_insecure: true to start anyway"
        )
    }

    /// Whether `host` (as configured: an address or a name) is this machine only.
    static func isLoopbackHost(_ host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host == "::1" || host.hasPrefix("127.") || host.hasPrefix("::ffff:127.")
    }
}
