import FORLLMApp
import FORLLMTestSupport
import FORLLMWorker
import Foundation
import NNTPServer
import SMTPServer
import Testing

/// `forllm serve` beyond loopback: refused without logins and TLS, unless the operator insists.
@Suite("Refusing unsafe exposure", .endToEnd(timeLimit: .seconds(120)))
struct ExposureTests {
    static func configuration(
        listen: String = "127.0.0.1",
        tls: Bool = false,
        nntps: String? = nil,
        smtp: String? = nil
    ) -> FORLLMConfiguration {
        var configuration = FORLLMConfiguration()
        configuration.nntp.host = listen
        if tls {
            configuration.tls.certificatePath = "/etc/forllm/cert.pem"
            configuration.tls.keyPath = "/etc/forllm/key.pem"
        }
        configuration.tls.listenHost = nntps
        configuration.smtp = smtp.map { SMTPServerConfiguration(host: $0, port: 2525) }
        return configuration
    }

    @Test("what is refused, naming the keys to set; what is safe")
    func rules() {
        // Loopback, in any spelling: always safe.
        for host in ["127.0.0.1", "127.0.1.1", "::1", "localhost"] {
            #expect(Self.configuration(listen: host).exposureProblem(hasUsers: false) == nil)
        }
        let open = Self.configuration(listen: "0.0.0.0").exposureProblem(hasUsers: false)
        #expect(open?.key == "server.listen")
        #expect(open?.problem.contains("users (forllm user add NAME --from ADDRESS)") == true)
        #expect(open?.problem.contains("TLS (server.tls.certificate and server.tls.key)") == true)
        #expect(open?.problem.contains("server.allow_insecure: true") == true)
        // Users without TLS: passwords would cross the network in the clear.
        let noTLS = Self.configuration(listen: "192.168.1.5").exposureProblem(hasUsers: true)
        #expect(noTLS?.problem.contains("without TLS") == true)
        #expect(noTLS?.problem.contains("users") == false)
        // TLS without users: anyone may read and post.
        #expect(Self.configuration(listen: "::", tls: true).exposureProblem(hasUsers: false) != nil)
        #expect(Self.configuration(listen: "0.0.0.0", tls: true).exposureProblem(hasUsers: true) == nil)
        var shared = Self.configuration(listen: "0.0.0.0", tls: true)
        shared.auth.user = "family"
        #expect(shared.exposureProblem(hasUsers: false) == nil)
        // NNTPS beyond loopback needs logins; SMTP beyond loopback is never safe (no login).
        let nntps = Self.configuration(tls: true, nntps: "0.0.0.0").exposureProblem(hasUsers: false)
        #expect(nntps?.key == "server.tls_listen")
        #expect(Self.configuration(tls: true, nntps: "0.0.0.0").exposureProblem(hasUsers: true) == nil)
        let smtp = Self.configuration(listen: "0.0.0.0", tls: true, smtp: "0.0.0.0").exposureProblem(hasUsers: true)
        #expect(smtp?.key == "mail.smtp_listen")
        #expect(Self.configuration(smtp: "127.0.0.1").exposureProblem(hasUsers: false) == nil)
    }

    @Test("serve on 0.0.0.0 without users and TLS stops with exit 78 and one line; allow_insecure starts it")
    func startUp() async throws {
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let refused = try await ForLLMProcess.run(
            ["serve", "--listen", "0.0.0.0:0", "--database", directory.databasePath],
            in: directory
        )
        #expect(refused.status == 78)
        let lines = refused.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("configuration error: server.listen: listens beyond loopback without users"))

        let config = directory.path + "/forllm.yaml"
        try """
        server:
          listen: 0.0.0.0:0
          allow_insecure: true
        database: \(directory.databasePath)
        backends:
          - name: ollama
            url: http://127.0.0.1:9
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let insecure = try ForLLMProcess.start(["serve", "--config", config], in: directory)
        _ = try await insecure.waitForStandardError(containing: "FORLLM is ready")
        #expect(insecure.standardError().contains("Listening beyond loopback unprotected (server.allow_insecure)"))
        insecure.process.terminate()
        _ = await insecure.waitForExit()
    }

    /// An IPv4 address of this machine that is not loopback, when it has one.
    static var networkAddress: String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else {
                continue
            }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard
                getnameinfo(
                    address,
                    socklen_t(MemoryLayout<sockaddr_in>.size),
                    &host,
                    socklen_t(host.count),
                    nil,
                    0,
                    NI_NUMERICHOST
                ) == 0
            else { continue }
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.hasPrefix("127.") { return text }
        }
        return nil
    }

    @Test(
        "over the network, AUTHINFO waits for STARTTLS (483); from loopback it does not",
        .enabled(if: Self.networkAddress != nil)
    )
    func passwordsOverTheNetwork() async throws {
        let address = try #require(Self.networkAddress)
        let directory = try TestDirectory()
        defer { directory.cleanUp() }
        let paths = try SelfSignedCertificate(hostnames: ["forllm.test"]).write(to: directory.path)
        try await directory.migrate()
        let added = try await ForLLMProcess.run(
            ["user", "add", "jane", "--from", "jane@example.org", "--database", directory.databasePath],
            in: directory,
            environment: ["FORLLM_USER_PASSWORD": "jane secret"]
        )
        try #require(added.status == 0, "\(added.stderr)")
        var configuration = RunningApp.configuration(
            directory: directory,
            backends: [("ollama", .ollama, "http://127.0.0.1:9")]
        )
        configuration.nntp.host = "0.0.0.0"
        configuration.tls.certificatePath = paths.certificate
        configuration.tls.keyPath = paths.privateKey
        let app = try await RunningApp.start(configuration)
        let remote = try await NNTPTestClient.connect(host: address, port: app.port)
        #expect(try await remote.readStatus().code == 200)
        #expect(try await remote.command("AUTHINFO USER jane").code == 483)
        #expect(try await remote.command("GROUP forllm.general").code == 480)
        let local = try await app.connect()
        #expect(try await local.command("AUTHINFO USER jane").code == 381)
        #expect(try await local.command("AUTHINFO PASS jane secret").code == 281)
        try await remote.close()
        try await local.close()
        try await app.stop()
    }
}
