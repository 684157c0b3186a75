import FORLLMApp
import FORLLMForum
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import Logging
import NNTPServer
import NewsArticle
import SMTPServer
import ServiceLifecycle
import SwiftASN1
import Testing
import X509

/// TLS end to end: a certificate made by `forllm tls self-signed`'s code, the whole application
/// on 127.0.0.1:0 with `server.tls.*`, `server.tls_listen` and `mail.smtp_listen`, and real
/// clients (Python's nntplib and smtplib, `openssl s_client`) that verify the certificate.
@Suite("TLS", .endToEnd(timeLimit: .seconds(120)))
struct TLSTests {
    static let python = PythonScript.interpreter(importing: "nntplib, smtplib, ssl", options: ["-W", "ignore"])
    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    // MARK: - Certificates

    @Test("self-signed: parseable PEM, the SANs asked for, key mode 0600, no overwrite without --force")
    func selfSigned() throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let made = try SelfSignedCertificate(hostnames: ["gpubox.lan", "192.168.1.10", "fd00::1"], days: 30)
        let paths = try made.write(to: directory.path + "/tls")
        #expect(paths.certificate == directory.path + "/tls/forllm-cert.pem")

        let certificate = try Certificate(pemEncoded: try String(contentsOfFile: paths.certificate, encoding: .utf8))
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(
            Array(names) == [
                .dnsName("gpubox.lan"),
                .ipAddress(ASN1OctetString(contentBytes: [192, 168, 1, 10])),
                .ipAddress(ASN1OctetString(contentBytes: [0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))
            ]
        )
        #expect(certificate.subject.description.contains("CN=gpubox.lan"))
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        #expect(certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore) > 30 * 86_400)
        #expect(certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore) < 31 * 86_400)
        let key = try Certificate.PrivateKey(pemEncoded: try String(contentsOfFile: paths.privateKey, encoding: .utf8))
        #expect(key.publicKey == certificate.publicKey)
        #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))

        let keyMode = try FileManager.default.attributesOfItem(atPath: paths.privateKey)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)

        let other = try SelfSignedCertificate(hostnames: ["other.lan"])
        #expect(throws: ConfigurationError.self) { try other.write(to: directory.path + "/tls") }
        #expect(try String(contentsOfFile: paths.certificate, encoding: .utf8) == made.certificatePEM)
        try other.write(to: directory.path + "/tls", force: true)
        #expect(try String(contentsOfFile: paths.certificate, encoding: .utf8) == other.certificatePEM)
        #expect(try FileManager.default.attributesOfItem(atPath: paths.privateKey)[.posixPermissions] as? Int == 0o600)
    }

    @Test("self-signed: bad names and days are refused", arguments: [["bad name"], ["-x.lan"], [], ["a..b"]])
    func selfSignedRefusals(hostnames: [String]) {
        #expect(throws: ConfigurationError.self) { try SelfSignedCertificate(hostnames: hostnames) }
    }

    @Test("self-signed: days out of range")
    func selfSignedDays() {
        #expect(throws: ConfigurationError.self) { try SelfSignedCertificate(hostnames: ["a.lan"], days: 0) }
        #expect(throws: ConfigurationError.self) { try SelfSignedCertificate(hostnames: ["a.lan"], days: 826) }
    }

    // MARK: - Configuration

    static func load(_ overrides: [String: String]) throws -> FORLLMConfiguration {
        try FORLLMConfiguration.load(
            ConfigurationSources(
                configPath: nil,
                overrides: overrides,
                environment: [:],
                defaultConfigPath: "/nonexistent/forllm.yaml"
            )
        )
    }

    static func error(_ body: () throws -> Void) -> ConfigurationError? {
        do {
            try body()
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("not a ConfigurationError: \(error)")
            return nil
        }
    }

    @Test("configuration: both files or neither; NNTPS needs them; the keys are read")
    func configurationKeys() throws {
        let withoutKey = Self.error { _ = try Self.load(["server.tls.certificate": "/c.pem"]) }
        #expect(withoutKey?.key == "server.tls.key")
        let withoutCertificate = Self.error { _ = try Self.load(["server.tls.key": "/k.pem"]) }
        #expect(withoutCertificate?.key == "server.tls.certificate")
        let listenOnly = Self.error { _ = try Self.load(["server.tls_listen": "127.0.0.1:1563"]) }
        #expect(listenOnly?.key == "server.tls_listen")
        #expect(listenOnly?.problem.contains("server.tls.certificate") == true)
        let badListen = Self.error {
            _ = try Self.load([
                "server.tls.certificate": "/c.pem", "server.tls.key": "/k.pem", "server.tls_listen": "nowhere"
            ])
        }
        #expect(badListen?.key == "server.tls_listen")

        let configuration = try Self.load([
            "server.tls.certificate": "/c.pem", "server.tls.key": "/k.pem", "server.tls_listen": "[::1]:1563"
        ])
        #expect(configuration.tls.certificatePath == "/c.pem")
        #expect(configuration.tls.keyPath == "/k.pem")
        #expect(configuration.tls.listenHost == "::1")
        #expect(configuration.tls.listenPort == 1563)
        #expect(try Self.load([:]).tls == FORLLMConfiguration.TLS())
    }

    @Test("start-up: a missing, unreadable or invalid file stops serve with its key named")
    func startupErrors() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let paths = try SelfSignedCertificate(hostnames: ["forllm.test"]).write(to: directory.path)
        let other = try SelfSignedCertificate(hostnames: ["other.test"]).write(to: directory.path + "/other")
        let garbage = directory.path + "/garbage.pem"
        try "not a certificate\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let cases: [(certificate: String, key: String, failingKey: String)] = [
            (paths.certificate, directory.path + "/missing-key.pem", "server.tls.key"),
            (directory.path + "/missing-cert.pem", paths.privateKey, "server.tls.certificate"),
            (garbage, paths.privateKey, "server.tls.certificate"),
            (paths.certificate, garbage, "server.tls.key"),
            (paths.certificate, paths.certificate, "server.tls.key"),
            (paths.certificate, other.privateKey, "server.tls.key")
        ]
        for item in cases {
            var configuration = FORLLMConfiguration()
            configuration.databasePath = directory.databasePath
            configuration.nntp.port = 0
            configuration.tls.certificatePath = item.certificate
            configuration.tls.keyPath = item.key
            do {
                let assembly = try await FORLLMApplication.assemble(
                    configuration: configuration,
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                    signals: []
                )
                try await assembly.forum.close()
                Issue.record("started with \(item)")
            } catch let error as ConfigurationError {
                #expect(error.key == item.failingKey, "\(item): \(error)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath), "nothing opened before the check")
    }

    // MARK: - End to end

    /// The application with TLS on every port, and the certificate clients trust.
    struct TLSApp {
        let directory: TestDirectory
        let closed: ClosedPort
        let certificate: String
        let app: FORLLMApplication.Assembly
        let task: Task<Void, any Error>
        let port: Int
        let tlsPort: Int
        let smtpPort: Int

        static func start() async throws -> TLSApp {
            let directory = try TestDirectory()
            let closed = try ClosedPort()
            let paths = try SelfSignedCertificate(hostnames: ["forllm.test", "127.0.0.1"]).write(
                to: directory.path + "/tls"
            )
            var configuration = RunningApp.configuration(
                directory: directory,
                backends: [("ollama", .ollama, "http://127.0.0.1:\(closed.port)")]
            )
            configuration.worker.unreachableWait = .seconds(3600)
            configuration.tls.certificatePath = paths.certificate
            configuration.tls.keyPath = paths.privateKey
            configuration.tls.listenHost = "127.0.0.1"
            configuration.tls.listenPort = 0
            configuration.smtp = SMTPServerConfiguration(host: "127.0.0.1", port: 0)
            let (addresses, continuation) = AsyncStream<ListeningAddress>.makeStream()
            let assembly = try await FORLLMApplication.assemble(
                configuration: configuration,
                logger: Logger(label: "tls", factory: { _ in SwiftLogNoOpLogHandler() }),
                signals: [],
                onListening: { continuation.yield($0) },
                onSMTPListening: { address in
                    var address = address
                    address.scheme = "smtp"
                    continuation.yield(address)
                },
                onTLSListening: { continuation.yield($0) }
            )
            let task = Task { try await assembly.run() }
            var ports: [String: Int] = [:]
            for await address in addresses {
                ports[address.scheme] = address.port
                if ports.count == 3 { break }
            }
            return TLSApp(
                directory: directory,
                closed: closed,
                certificate: paths.certificate,
                app: assembly,
                task: task,
                port: try #require(ports["nntp"]),
                tlsPort: try #require(ports["nntps"]),
                smtpPort: try #require(ports["smtp"])
            )
        }

        func stop() async throws {
            await self.app.serviceGroup.triggerGracefulShutdown()
            try await self.task.value
            self.closed.release()
            self.directory.cleanUp()
        }

        func run(_ python: String, _ script: String, _ arguments: [String]) async throws -> [String] {
            let outcome = try await PythonScript.run(
                python,
                options: ["-W", "ignore"],
                script: script,
                arguments: arguments
            )
            #expect(outcome.status == 0, "script failed: \(outcome.errors) \(outcome.output)")
            // Split on every line end: Swift takes "\r\n" (openssl's output) as one character.
            return outcome.output.split(whereSeparator: \.isNewline).map(String.init)
        }
    }

    static let nntpsScript = #"""
        import nntplib, ssl, sys, io
        ctx = ssl.create_default_context(cafile=sys.argv[2])
        s = nntplib.NNTP_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx, readermode=False, timeout=10)
        out = ["welcome " + s.getwelcome()[:3], "version " + s.sock.version()]
        out.append("starttls offered " + str("STARTTLS" in s.getcapabilities()))
        resp, count, first, last, name = s.group("forllm.general")
        out.append(f"group {name}")
        article = (b"From: Py <py@example.com>\r\nNewsgroups: forllm.general\r\nSubject: over NNTPS\r\n"
                   b"Message-ID: <nntps@example.com>\r\n\r\nsent through TLS\r\n")
        out.append("post " + s.post(io.BytesIO(article))[:3])
        resp, info = s.body("<nntps@example.com>")
        out.append("body " + "|".join(line.decode() for line in info.lines))
        try:
            s.starttls(ctx)
        except nntplib.NNTPError as e:
            out.append("starttls " + str(e)[:3])
        except ValueError as e:
            out.append("starttls refused by nntplib")
        s.quit()
        print("\n".join(out))
        """#

    @Test("NNTPS: nntplib.NNTP_SSL verifies the certificate, reads a group and posts", .enabled(if: Self.python != nil))
    func nntps() async throws {
        let python = try #require(Self.python)
        let app = try await TLSApp.start()
        let lines = try await app.run(python, Self.nntpsScript, [String(app.tlsPort), app.certificate])
        #expect(lines.contains("welcome 200"))
        #expect(lines.contains("version TLSv1.3"))
        #expect(lines.contains("starttls offered False"))
        #expect(lines.contains("group forllm.general"))
        #expect(lines.contains("post 240"))
        #expect(lines.contains("body sent through TLS"))
        try await app.stop()
    }

    static let startTLSScript = #"""
        import nntplib, ssl, sys
        ctx = ssl.create_default_context(cafile=sys.argv[2])
        s = nntplib.NNTP("127.0.0.1", int(sys.argv[1]), readermode=False, timeout=10)
        out = ["before " + str("STARTTLS" in s.getcapabilities())]
        s.group("forllm.general")
        s.starttls(ctx)
        out.append("version " + s.sock.version())
        out.append("after " + str("STARTTLS" in s.getcapabilities()))
        out.append("caps " + str("READER" in s.getcapabilities()))
        try:
            s.stat()
        except nntplib.NNTPTemporaryError as e:
            out.append("stat " + str(e)[:3])
        try:
            s._shortcmd("STARTTLS")
        except nntplib.NNTPPermanentError as e:
            out.append("again " + str(e)[:3])
        s.quit()
        print("\n".join(out))
        """#

    @Test(
        "STARTTLS on the news port: nntplib.starttls, then CAPABILITIES without STARTTLS",
        .enabled(if: Self.python != nil)
    )
    func startTLS() async throws {
        let python = try #require(Self.python)
        let app = try await TLSApp.start()
        let lines = try await app.run(python, Self.startTLSScript, [String(app.port), app.certificate])
        #expect(lines.contains("before True"))
        #expect(lines.contains("version TLSv1.3"))
        #expect(lines.contains("after False"))
        #expect(lines.contains("caps True"))
        // The group selected before STARTTLS is forgotten (RFC 4642 §2.2.2).
        #expect(lines.contains("stat 412"))
        #expect(lines.contains("again 502"))
        try await app.stop()
    }

    /// Bytes sent in plaintext after STARTTLS, before the handshake, never become commands:
    /// whole lines are dropped, and so is an unfinished line (RFC 4642 §2.2.2, RFC 3207 §6).
    static let injectionScript = #"""
        import socket, ssl, sys
        port, cafile = int(sys.argv[1]), sys.argv[2]
        ctx = ssl.create_default_context(cafile=cafile)
        out = []

        def line(sock):
            data = b""
            while not data.endswith(b"\r\n"):
                byte = sock.recv(1)
                if not byte:
                    return "EOF"
                data += byte
            return data.decode().rstrip()

        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        out.append("greeting " + line(s)[:3])
        s.sendall(b"STARTTLS\r\nGROUP forllm.general\r\nARTICLE 1\r\n")
        out.append("starttls " + line(s)[:3])
        t = ctx.wrap_socket(s, server_hostname="127.0.0.1")
        t.sendall(b"STAT\r\n")
        out.append("first " + line(t)[:3])
        t.sendall(b"QUIT\r\n")
        out.append("quit " + line(t)[:3])
        t.close()

        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        line(s)
        s.sendall(b"STARTTLS\r\nGRO")
        out.append("partial " + line(s)[:3])
        t = ctx.wrap_socket(s, server_hostname="127.0.0.1")
        t.sendall(b"UP forllm.general\r\nDATE\r\n")
        out.append("joined " + line(t)[:3])
        out.append("date " + line(t)[:3])
        t.close()
        print("\n".join(out))
        """#

    @Test(
        "plaintext pipelined after STARTTLS is dropped, whole lines and a line begun",
        .enabled(if: Self.python != nil)
    )
    func plaintextInjection() async throws {
        let python = try #require(Self.python)
        let app = try await TLSApp.start()
        let lines = try await app.run(python, Self.injectionScript, [String(app.port), app.certificate])
        #expect(
            lines == [
                "greeting 200", "starttls 382", "first 412", "quit 205",
                "partial 382", "joined 500", "date 111"
            ]
        )
        try await app.stop()
    }

    static let opensslScript = #"""
        import subprocess, sys
        result = subprocess.run(
            [sys.argv[3], "s_client", "-starttls", "nntp", "-connect", "127.0.0.1:" + sys.argv[1],
             "-CAfile", sys.argv[2], "-verify_return_error", "-verify_ip", "127.0.0.1", "-ign_eof", "-nocommands", "-crlf"],
            input=b"DATE\nQUIT\n", capture_output=True, timeout=30)
        print("status", result.returncode)
        print(result.stdout.decode(errors="replace"))
        print(result.stderr.decode(errors="replace"), file=sys.stderr)
        """#

    @Test(
        "openssl s_client -starttls nntp completes a verified handshake",
        .enabled(if: Self.python != nil && Self.openssl != nil)
    )
    func opensslStartTLS() async throws {
        let python = try #require(Self.python)
        let openssl = try #require(Self.openssl)
        let app = try await TLSApp.start()
        let lines = try await app.run(python, Self.opensslScript, [String(app.port), app.certificate, openssl])
        #expect(lines.contains("status 0"))
        #expect(lines.contains { $0.contains("Verify return code: 0 (ok)") })
        #expect(lines.contains { $0.contains("TLSv1.3") })
        #expect(lines.contains { $0.hasPrefix("111 ") })
        #expect(lines.contains { $0.hasPrefix("205 ") }, "\(lines)")
        try await app.stop()
    }

    static let smtpScript = #"""
        import smtplib, ssl, sys
        ctx = ssl.create_default_context(cafile=sys.argv[2])
        s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="laptop.example", timeout=20)
        out = []
        s.ehlo()
        out.append("before " + str(s.has_extn("starttls")))
        code, text = s.starttls(context=ctx)
        out.append(f"starttls {code}")
        out.append("version " + s.sock.version())
        s.ehlo()
        out.append("after " + str(s.has_extn("starttls")))
        message = (b"From: Jane Doe <jane@example.org>\r\nTo: forllm.general@forllm.local\r\n"
                   b"Subject: over STARTTLS\r\nMessage-ID: <smtp-tls@example.org>\r\n\r\nHello through TLS.\r\n")
        refused = s.sendmail("jane@example.org", ["forllm.general@forllm.local"], message)
        out.append("sent " + str(refused))
        code, text = s.docmd("STARTTLS")
        out.append(f"again {code}")
        out.append(f"quit {s.quit()[0]}")
        print("\n".join(out))
        """#

    @Test("SMTP STARTTLS: smtplib.starttls, EHLO again, a message posted end to end", .enabled(if: Self.python != nil))
    func smtpStartTLS() async throws {
        let python = try #require(Self.python)
        let app = try await TLSApp.start()
        let lines = try await app.run(python, Self.smtpScript, [String(app.smtpPort), app.certificate])
        #expect(lines.contains("before True"))
        #expect(lines.contains("starttls 220"))
        #expect(lines.contains("version TLSv1.3"))
        #expect(lines.contains("after False"))
        #expect(lines.contains("sent {}"))
        #expect(lines.contains("again 503"))
        #expect(lines.contains("quit 221"))
        let client = try await NNTPTestClient.connect(port: app.port)
        _ = try await client.readStatus()
        let article = try #require(try await client.fetchArticle("<smtp-tls@example.org>"))
        #expect(article.values(named: "Subject") == ["over STARTTLS"])
        try await client.close()
        try await app.stop()
    }
}
